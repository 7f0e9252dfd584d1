package notify

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/dbustest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// server starts a private bus with a fake notification server on it.
func server(t *testing.T) (*dbustest.Daemon, *dbustest.Notifications) {
	t.Helper()
	d := dbustest.Require(t)
	srv, err := dbustest.NewNotifications(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return d, srv
}

func newNotifier(t *testing.T, opts Options) *Notifier {
	t.Helper()
	if opts.Tick == 0 {
		opts.Tick = 10 * time.Millisecond
	}
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !dbustest.Eventually(context.Background(), 5*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestNotificationsOnTheBus(t *testing.T) {
	d, srv := server(t)
	opened := make(chan string, 4)
	n := newNotifier(t, Options{Address: d.Addr, DesktopEntry: "borgdesk", Open: func(r string) { opened <- r }})

	n.Send(failed("12"))
	waitFor(t, "the first notification", func() bool { return len(srv.Received()) == 1 })
	first := srv.Received()[0]
	if first.AppName != "Borgdesk" || first.Summary != "Backup failed: web1/12" || first.Body != "borg exited 2" || first.ReplacesID != 0 {
		t.Errorf("notification = %+v", first)
	}
	if first.Actions[0] != "default" || first.Hints["desktop-entry"].Value() != "borgdesk" {
		t.Errorf("actions %v, hints %v; want a default action and the desktop entry", first.Actions, first.Hints)
	}

	t.Run("repeats collapse in place with a count", func(t *testing.T) {
		n.Send(failed("12"))
		n.Send(failed("12"))
		waitFor(t, "two updates", func() bool { return len(srv.Received()) == 3 })
		last := srv.Received()[2]
		if last.ReplacesID != first.ID || last.ID != first.ID {
			t.Errorf("update replaces %d (id %d); want %d", last.ReplacesID, last.ID, first.ID)
		}
		if !strings.Contains(strings.ToLower(last.Body), "failed 3 times") {
			t.Errorf("body = %q; want the count", last.Body)
		}
	})

	t.Run("a click opens the alert's page", func(t *testing.T) {
		if err := srv.Click(first.ID); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-opened:
			if r != "/jobs/12" {
				t.Errorf("Open(%q); want /jobs/12", r)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Open was not called after ActionInvoked")
		}
	})
}

func TestQuietHoursOnTheBus(t *testing.T) {
	d, srv := server(t)
	clk := &fakeClock{t: time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)}
	n := newNotifier(t, Options{Address: d.Addr, QuietHours: "22:00-07:00", Now: clk.now})
	n.Send(failed("12"))
	n.Send(Alert{Kind: KindAgentOffline, Key: "agent_offline:web2", Title: "web2 is offline", Route: "/servers/web2"})
	time.Sleep(100 * time.Millisecond) // ten ticks inside quiet hours
	if got := srv.Received(); len(got) != 0 {
		t.Fatalf("%d notifications during quiet hours; want none", len(got))
	}
	clk.set(time.Date(2026, 11, 26, 7, 0, 30, 0, time.UTC))
	waitFor(t, "the summary", func() bool { return len(srv.Received()) == 1 })
	got := srv.Received()[0]
	if got.Summary != "2 alerts during quiet hours" || !strings.Contains(got.Body, "web2 is offline") {
		t.Errorf("summary = %q / %q", got.Summary, got.Body)
	}
	if err := n.SetQuietHours("not a span"); err == nil {
		t.Error("SetQuietHours accepted nonsense")
	}
}

func TestStormOnTheBus(t *testing.T) {
	d, srv := server(t)
	n := newNotifier(t, Options{Address: d.Addr, StormLimit: 3})
	for i := range 20 {
		n.Send(failed(string(rune('a' + i))))
	}
	waitFor(t, "17 more alerts", func() bool {
		got := srv.Received()
		return len(got) > 0 && got[len(got)-1].Summary == "17 more alerts"
	})
	ids := map[uint32]bool{}
	for _, m := range srv.Received() {
		ids[m.ID] = true
	}
	if len(ids) != 4 {
		t.Errorf("%d notifications on screen; want 4 (3 alone, 1 storm)", len(ids))
	}
}

func TestTellBypassesQuietHours(t *testing.T) {
	d, srv := server(t)
	clk := &fakeClock{t: time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)}
	n := newNotifier(t, Options{Address: d.Addr, QuietHours: "22:00-07:00", Now: clk.now})
	n.Tell(Alert{Key: "tray_hint", Title: "Borgdesk keeps running in the tray"})
	waitFor(t, "the hint", func() bool { return len(srv.Received()) == 1 })
}

// logCount counts warnings.
type logCount struct {
	mu sync.Mutex
	n  int
}

func (l *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) Handle(context.Context, slog.Record) error {
	l.mu.Lock()
	l.n++
	l.mu.Unlock()
	return nil
}
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCount) WithGroup(string) slog.Handler      { return l }
func (l *logCount) count() int                         { l.mu.Lock(); defer l.mu.Unlock(); return l.n }

func TestNoBusNeverBlocksAndLogsOnce(t *testing.T) {
	logs := &logCount{}
	n := newNotifier(t, Options{Address: "unix:path=" + t.TempDir() + "/none", Logger: slog.New(logs), QueueSize: 4})
	start := time.Now()
	for range 1000 {
		n.Send(failed("12"))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("1000 sends took %s", d)
	}
	dbustest.Eventually(context.Background(), 200*time.Millisecond, func() bool { return false })
	if got := logs.count(); got != 1 {
		t.Errorf("%d warnings; want 1", got)
	}
	done := make(chan struct{})
	go func() { n.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked")
	}
	n.Send(failed("12")) // after Close: dropped, no panic
}

func TestNoServerLogsOnce(t *testing.T) {
	d := dbustest.Require(t)
	logs := &logCount{}
	n := newNotifier(t, Options{Address: d.Addr, Logger: slog.New(logs)})
	for i := range 5 {
		n.Send(failed(string(rune('a' + i))))
	}
	dbustest.Eventually(context.Background(), 300*time.Millisecond, func() bool { return false })
	if got := logs.count(); got != 1 {
		t.Errorf("%d warnings without a notification server; want 1", got)
	}
}

func TestSessionBusFromTheEnvironment(t *testing.T) {
	d, srv := server(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", d.Addr)
	n := newNotifier(t, Options{})
	n.Send(Alert{Kind: KindFlxInbox, Key: "flx_inbox:a.flx", Title: "New snapshot in the inbox", Body: "a <b>.flx & more", Route: "/restore"})
	waitFor(t, "the notification", func() bool { return len(srv.Received()) == 1 })
	if got := srv.Received()[0].Body; got != "a <b>.flx & more" {
		t.Errorf("body = %q; want it as sent to a server without body-markup", got)
	}
}

func TestBodyMarkupIsEscaped(t *testing.T) {
	d, srv := server(t)
	srv.Capabilities = []string{"actions", "body", "body-markup"}
	n := newNotifier(t, Options{Address: d.Addr})
	n.Send(Alert{Key: "k", Title: "t", Body: "path <backup> & co"})
	waitFor(t, "the notification", func() bool { return len(srv.Received()) == 1 })
	if got := srv.Received()[0].Body; got != "path &lt;backup&gt; &amp; co" {
		t.Errorf("body = %q; want markup escaped", got)
	}
}
