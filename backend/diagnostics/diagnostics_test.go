package diagnostics

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/settings"
	"borgdesk/backend/store"
)

// TestReportHasNoSecret fills the settings with secrets the way an
// operator would (the write-only ones, a password in an SMTP URL-like
// value, a token in the webhook's query) and an error event, and reads
// the report: every part is there, no secret value is.
func TestReportHasNoSecret(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "borgdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := events.Log{Store: st, Bus: events.NewBus(), Now: time.Now}
	set := settings.New(settings.Config{Store: st, Events: log, Layout: datadir.At(dir)})
	secrets := map[string]string{
		"smtp.password":         "hunter2-smtp-pass",
		"notify.webhook.secret": "s3cr3t-hmac-key",
		"notify.webhook.url":    "https://hooks.example.com/alert?token=tok-abc-123",
	}
	for k, v := range secrets {
		if err := set.Set(ctx, k, v); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
	}
	if err := set.Set(ctx, "rpo.default", "48h"); err != nil {
		t.Fatal(err)
	}
	if err := log.Publish(ctx, events.RunProgress, "", "run 3 of web1/files failed: borg exited 2", map[string]any{"status": "failed"}); err != nil {
		t.Fatal(err)
	}
	if err := log.Publish(ctx, events.JobChanged, "", "job files created for web1", nil); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_STATE_HOME": "/home/op/.local/state", "BORGDESK_GATEWAY_URL": "https://op:pw-in-env@desk.lan:8443", "AWS_SECRET_ACCESS_KEY": "never-named"}
	got := Gather(ctx, Sources{
		Version: "1.2.3", DataDir: dir, Settings: set.All, History: events.History{Store: st},
		Borg:  func(context.Context) (string, error) { return "borg 1.2.4", nil },
		Paths: Paths{Socket: filepath.Join(dir, "borgdesk.sock"), LogFile: "/home/op/.local/state/borgdesk/borgdesk.log", Getenv: func(k string) string { return env[k] }},
	})
	for _, want := range []string{
		"borgdesk               1.2.3", "borg                   borg 1.2.4", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH,
		"data dir               " + dir, "borgdesk.sock", "log file               /home/op/.local/state/borgdesk/borgdesk.log",
		"XDG_STATE_HOME         /home/op/.local/state", "rpo.default            48h",
		"run 3 of web1/files failed: borg exited 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{"hunter2-smtp-pass", "s3cr3t-hmac-key", "tok-abc-123", "pw-in-env", "never-named", "AWS_SECRET"} {
		if strings.Contains(got, secret) {
			t.Errorf("the report holds the secret %q:\n%s", secret, got)
		}
	}
	if strings.Contains(got, "job files created") {
		t.Errorf("the last errors hold an info event:\n%s", got)
	}
}

func TestReportSaysWhatItCouldNotRead(t *testing.T) {
	got := Gather(context.Background(), Sources{
		Version:  "1.2.3",
		Settings: func(context.Context) (map[string]string, error) { return nil, errors.New("database is locked") },
		Borg:     func(context.Context) (string, error) { return "", errors.New("borg: not found") },
	})
	for _, want := range []string{"cannot run borg: borg: not found", "cannot read the settings: database is locked", "Last errors"} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@h.example/x":          "https://user:REDACTED@h.example/x",
		"https://h.example/hook?token=abc&a=b": "https://h.example/hook?a=REDACTED&token=REDACTED",
		"48h":                                  "48h",
		"see https://h.example/p?k=v now":      "see https://h.example/p?k=REDACTED now",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q; want %q", in, got, want)
		}
	}
}
