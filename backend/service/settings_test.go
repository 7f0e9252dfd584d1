package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"borgdesk/backend/store"
)

// The settings room is tested in backend/settings; this checks the
// service's wiring: secrets go under its data dir's keys/, and the mailer
// reads them there.
func TestServiceSettingsLiveInItsDataDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(Config{Store: st, DataDir: dir, Version: "test"})
	if err := svc.SetSetting(ctx, "smtp.password", "pw-in-a-file"); err != nil {
		t.Fatal(err)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "keys", "smtp.password")); err != nil || string(raw) != "pw-in-a-file" {
		t.Errorf("keys/smtp.password = %q, %v", raw, err)
	}
	if cfg, err := svc.MailConfig(ctx); err != nil || cfg.Password != "pw-in-a-file" {
		t.Errorf("MailConfig password = %q, %v; want the stored secret", cfg.Password, err)
	}
	if _, err := svc.Setting(ctx, "smtp.password"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Setting(smtp.password): err = %v; want ErrInvalid (write-only)", err)
	}
	all, err := svc.Settings(ctx)
	if err != nil || all["smtp.password_set"] != "true" || len(all) != len(SettingKeys())+2 {
		t.Errorf("Settings = %d keys, smtp.password_set %q, %v", len(all), all["smtp.password_set"], err)
	}
}
