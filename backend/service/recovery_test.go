package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/recoverykit"
	"borgdesk/backend/shared/borgssh"
	"borgdesk/backend/store"
)

const kitPass = "a long enough passphrase"

func TestRecoveryKitExportAndStatus(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(data, "borgdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	authority, err := ca.LoadOrCreate(filepath.Join(data, "ca"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := borgssh.LoadOrCreateHostKey(filepath.Join(data, "ssh_host_ed25519_key")); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	svc := New(Config{Store: st, DataDir: data, Version: "v1.2.3", CA: authority, GatewayURL: "https://desk.lan:8443", Now: func() time.Time { return now }})
	enroll := func(uuid, name string) {
		t.Helper()
		if _, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: name, Host: name, User: "root"}); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(data, "keys"), 0o700)
		os.WriteFile(filepath.Join(data, "keys", uuid+".passphrase"), []byte("pass-"+name), 0o600)
	}
	enroll("0b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10", "web1")

	ks, err := svc.RecoveryKitStatus(ctx)
	if err != nil || !ks.Stale || ks.LastExport != nil {
		t.Fatalf("status before any kit = %+v, %v; want stale, never exported", ks, err)
	}
	kit := filepath.Join(t.TempDir(), "fleet.kit")
	if _, err := svc.ExportRecoveryKit(ctx, KitExportRequest{Path: kit, Passphrase: "short"}); !errors.Is(err, ErrInvalid) || !errors.Is(err, recoverykit.ErrPassphrase) {
		t.Fatalf("short passphrase: %v", err)
	}
	if _, err := svc.ExportRecoveryKit(ctx, KitExportRequest{Path: "fleet.kit", Passphrase: kitPass}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("relative path: %v", err)
	}
	sub := svc.Subscribe(16)
	defer sub.Close()
	res, err := svc.ExportRecoveryKit(ctx, KitExportRequest{Path: kit, Passphrase: kitPass})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.CAFingerprint != authority.Fingerprint() || res.Manifest.GatewayURL != "https://desk.lan:8443" || res.Manifest.Servers != 1 || res.Size == 0 {
		t.Errorf("export = %+v", res)
	}
	select {
	case ev := <-sub.C:
		if ev.Kind != events.RecoveryExported {
			t.Errorf("event %s, want %s", ev.Kind, events.RecoveryExported)
		}
	case <-time.After(time.Second):
		t.Error("no recovery:exported event")
	}
	ks, _ = svc.RecoveryKitStatus(ctx)
	if ks.Stale || ks.LastExport == nil || !ks.LastExport.Equal(now) || ks.LastPath != kit {
		t.Fatalf("status after the kit = %+v", ks)
	}
	if v, _ := svc.Setting(ctx, "recovery.last_export"); v != "2026-11-30T03:00:00Z" {
		t.Errorf("recovery.last_export = %q", v)
	}

	// A coordinator restored from the kit knows it has one, up to date.
	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := ImportRecoveryKit(ctx, kit, restored, kitPass); err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"borgdesk.db-wal", "borgdesk.db-shm"} {
		if _, err := os.Stat(filepath.Join(restored, side)); err == nil {
			t.Errorf("the import left %s", side)
		}
	}
	st2, err := store.Open(ctx, filepath.Join(restored, "borgdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	svc2 := New(Config{Store: st2, DataDir: restored, Version: "v1.2.3"})
	if ks, err := svc2.RecoveryKitStatus(ctx); err != nil || ks.Stale || ks.LastPath != kit || !ks.LastExport.Equal(now) {
		t.Errorf("status of the restored coordinator = %+v, %v; want the imported kit, up to date", ks, err)
	}

	// A server enrolled since: the kit lacks its passphrase.
	enroll("1b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10", "web2")
	ks, _ = svc.RecoveryKitStatus(ctx)
	if !ks.Stale || !ks.SecretsChanged || len(ks.NewServers) != 1 || ks.NewServers[0] != "web2" {
		t.Fatalf("status after a new server = %+v", ks)
	}
	// Clearing the setting brings the reminder back.
	if err := svc.SetSetting(ctx, "recovery.last_export", ""); err != nil {
		t.Fatal(err)
	}
	if ks, _ = svc.RecoveryKitStatus(ctx); ks.LastExport != nil || !ks.Stale {
		t.Errorf("status after clearing = %+v", ks)
	}
	if err := svc.SetSetting(ctx, "recovery.last_export", "yesterday"); !errors.Is(err, ErrInvalid) {
		t.Errorf("recovery.last_export=yesterday: %v", err)
	}
}
