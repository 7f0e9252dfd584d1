package settings

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// fixture is Settings over a real store in a fresh data dir.
type fixture struct {
	s   *Settings
	st  *store.Store
	bus *events.Bus
	dir string
}

func newTest(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := events.NewBus()
	s := New(Config{Store: st, Events: events.Log{Store: st, Bus: bus, Now: time.Now}, Layout: datadir.At(dir)})
	return fixture{s: s, st: st, bus: bus, dir: dir}
}

func TestSettingsValidation(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	tests := []struct {
		key, value string
		ok         bool
	}{
		{"ui.theme", "dark", true},
		{"ui.theme", "purple", false},
		{"ui.locale", "fr", true},
		{"ui.locale", "xx", false},
		{"rpo.default", "48h", true},
		{"rpo.default", "10m", false},
		{"rpo.default", "soon", false},
		{"rpo.web1", "72h", true},
		{"rpo.web1", "", true},
		{"rpo.web1", "5m", false},
		{"smtp.port", "465", true},
		{"smtp.port", "70000", false},
		{"smtp.host", "mail.example.com", true},
		{"smtp.host", "bad host", false},
		{"notify.email.to", "ops@example.com, Bob <bob@example.com>", true},
		{"notify.email.to", "not-an-address", false},
		{"notify.email.events", "run_failed, drill_failed", true},
		{"notify.email.events", "run_failed,coffee", false},
		{"check.schedule", "0 3 * * *", true},
		{"check.schedule", "every tuesday", false},
		{"recovery.last_export", "2026-01-02T03:04:05Z", true},
		{"recovery.last_export", "yesterday", false},
		{"no.such.key", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			err := f.s.Set(ctx, tt.key, tt.value)
			if tt.ok && err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !tt.ok {
				if !errors.Is(err, fault.ErrInvalid) {
					t.Fatalf("err = %v; want ErrInvalid", err)
				}
				return
			}
			got, err := f.s.Get(ctx, tt.key)
			if err != nil || got != strings.TrimSpace(tt.value) {
				t.Errorf("Get = %q, %v; want %q", got, err, tt.value)
			}
		})
	}
}

func TestRefusalsSayWhatIsExpected(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	err := f.s.Set(ctx, "smtp.port", "70000")
	if want := `invalid input: smtp.port: "70000" is not a port number (expected a port number from 1 to 65535)`; err == nil || err.Error() != want {
		t.Errorf("err = %v; want %s", err, want)
	}
	err = f.s.Set(ctx, "no.such.key", "x")
	if err == nil || !strings.Contains(err.Error(), `unknown setting "no.such.key"; known settings: `) || !strings.Contains(err.Error(), "ui.theme") {
		t.Errorf("err = %v; want the unknown key and the known ones", err)
	}
}

func TestSettingsDefaults(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	if err := f.s.Set(ctx, "rpo.web1", "48h"); err != nil {
		t.Fatal(err)
	}
	all, err := f.s.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all["ui.theme"] != "system" || all["rpo.default"] != "26h" || all["smtp.port"] != "587" || all["rpo.web1"] != "48h" {
		t.Errorf("defaults = %v", all)
	}
	// every key, the per-server RPO, plus <secret>_set for each secret
	// (never the secret itself)
	if len(all) != len(Keys())+3 || all["smtp.password_set"] != "false" || all["smtp.password"] != "" || all["notify.webhook.secret_set"] != "false" {
		t.Errorf("All has %d keys (want %d), password_set %q", len(all), len(Keys())+3, all["smtp.password_set"])
	}
	if v, err := f.s.Get(ctx, "rpo.db1"); v != "" || err != nil {
		t.Errorf("an unset per-server RPO = %q, %v; want empty (rpo.default applies)", v, err)
	}
}

func TestChangesArePersistedThenAnnounced(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	sub := f.bus.Subscribe(8)
	defer sub.Close()
	if err := f.s.Set(ctx, "ui.theme", " light "); err != nil {
		t.Fatal(err)
	}
	ev := <-sub.C
	if ev.Kind != events.SettingsChanged || ev.Subject != "ui.theme" || ev.ID == 0 || string(ev.Data) != `{"key":"ui.theme","value":"light"}` {
		t.Errorf("event = %+v %s", ev, ev.Data)
	}
	logged, _ := f.st.ListEvents(ctx, 1)
	if len(logged) != 1 || logged[0].ID != ev.ID {
		t.Errorf("announced event %d is not the persisted one: %+v", ev.ID, logged)
	}
	if err := f.s.Set(ctx, "ui.theme", "purple"); err == nil {
		t.Fatal("purple accepted")
	}
	select {
	case ev := <-sub.C:
		t.Errorf("a refused value was announced: %+v", ev)
	default:
	}
}

func TestTraySettingsValidate(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	for _, key := range []string{KeySchedulesPaused, "ui.close_to_tray", "ui.tray_hint_shown"} {
		if err := f.s.Set(ctx, key, "yes"); err == nil {
			t.Errorf("%s = yes accepted", key)
		}
		if err := f.s.Set(ctx, key, "true"); err != nil {
			t.Errorf("%s = true: %v", key, err)
		}
	}
	if v, _ := f.s.Get(ctx, "ui.close_to_tray"); v != "true" {
		t.Errorf("ui.close_to_tray = %q", v)
	}
}

func TestPauseSchedulesIsASetting(t *testing.T) {
	f := newTest(t)
	ctx := context.Background()
	if f.s.SchedulesPaused(ctx) {
		t.Fatal("schedules paused by default")
	}
	sub := f.bus.Subscribe(8)
	defer sub.Close()
	if err := f.s.PauseSchedules(ctx, true); err != nil {
		t.Fatal(err)
	}
	if ev := <-sub.C; ev.Kind != events.SettingsChanged || ev.Subject != KeySchedulesPaused {
		t.Errorf("event = %s %s; want settings:changed schedules.paused", ev.Kind, ev.Subject)
	}
	if v, _ := f.s.Get(ctx, KeySchedulesPaused); v != "true" || !f.s.SchedulesPaused(ctx) {
		t.Errorf("after PauseSchedules(true): setting %q, SchedulesPaused %v", v, f.s.SchedulesPaused(ctx))
	}
	// A database that cannot be read must not silently stop backups.
	f.st.Close()
	if f.s.SchedulesPaused(ctx) {
		t.Error("SchedulesPaused = true with the database closed; want false")
	}
}
