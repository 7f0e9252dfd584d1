package settings

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

func TestSecretsAreWriteOnlyFilesNeverInTheDatabaseOrAnEvent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// An older version kept the webhook secret in the settings table.
	if err := st.SetSetting(ctx, "notify.webhook.secret", "legacy-secret"); err != nil {
		t.Fatal(err)
	}
	bus := events.NewBus()
	s := New(Config{Store: st, Events: events.Log{Store: st, Bus: bus, Now: time.Now}, Layout: datadir.At(dir)})
	if err := s.MoveSecretsOutOfDatabase(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Setting(ctx, "notify.webhook.secret"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the legacy secret is still in the database: %v", err)
	}
	if got, _ := s.Secret("notify.webhook.secret"); got != "legacy-secret" {
		t.Errorf("moved secret = %q; want legacy-secret", got)
	}

	sub := bus.Subscribe(8)
	defer sub.Close()
	if err := s.Set(ctx, "notify.webhook.secret", "s3cr3t-hook"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keys", "webhook.secret")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file %s: %v %v; want mode 0600", path, fi, err)
	}
	select {
	case ev := <-sub.C:
		if strings.Contains(ev.Message+string(ev.Data), "s3cr3t-hook") {
			t.Errorf("the event carries the secret: %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no settings event")
	}
	if _, err := s.Get(ctx, "notify.webhook.secret"); err == nil {
		t.Error("Get returned a secret; want a write-only refusal")
	}
	all, _ := s.All(ctx)
	if all["notify.webhook.secret"] != "" || all["notify.webhook.secret_set"] != "true" {
		t.Errorf("All = %q / set %q; want blank / true", all["notify.webhook.secret"], all["notify.webhook.secret_set"])
	}
	for _, f := range []string{"db", "db-wal"} {
		raw, _ := os.ReadFile(filepath.Join(dir, f))
		if strings.Contains(string(raw), "s3cr3t-hook") {
			t.Errorf("the secret reached the database file %s", f)
		}
	}
	if err := s.Set(ctx, "notify.webhook.secret", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("clearing the secret left %s: %v", path, err)
	}
}
