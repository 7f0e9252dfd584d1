package alerts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/health"
	"borgdesk/backend/store"
)

// fixture is a dispatcher over a real store and bus, settings in a map,
// the fleet's health as the test sets it, and the desktop alerts kept.
type fixture struct {
	a   *Alerts
	st  *store.Store
	now time.Time
	bg  sync.WaitGroup

	mu       sync.Mutex
	settings map[string]string
	fleet    health.Fleet
	desktop  []Alert
}

func newFixture(t *testing.T, mailDir string) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), settings: map[string]string{
		"notify.desktop.events": strings.Join(Kinds, ","), "notify.email.events": "run_failed,rpo_missed", "notify.webhook.events": "drill_failed",
		"notify.email.to": "ops@example.com, boss@example.com", "smtp.host": "127.0.0.1", "smtp.port": "25",
	}}
	f.a = New(Config{Store: st, Bus: events.NewBus(), MailDir: mailDir, Version: "test",
		Now:    func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
		Health: func(context.Context) (health.Fleet, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.fleet, nil },
		Setting: func(_ context.Context, key string) (string, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.settings[key], nil
		},
		Secret:  func(key string) (string, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.settings[key], nil },
		Go:      func(_ string, fn func(context.Context)) { f.bg.Go(func() { fn(context.Background()) }) },
		Desktop: func(a Alert) { f.mu.Lock(); f.desktop = append(f.desktop, a); f.mu.Unlock() },
	})
	t.Cleanup(f.bg.Wait)
	return f
}

func (f *fixture) set(fn func()) { f.mu.Lock(); fn(); f.mu.Unlock() }

func (f *fixture) titles() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.desktop {
		out = append(out, a.Title)
	}
	f.desktop = nil
	return out
}

// A server past its RPO is alerted once, again only after it recovered; a
// certificate about to expire once a day.
func TestConditionsAlertOncePerOccurrence(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	expires := f.now.Add(5 * 24 * time.Hour)
	past := health.Server{ID: 3, UUID: "u-1", Name: "web1", PastRPO: true, Online: true, Reasons: []string{"job files: last backup 30h ago, past its 26h RPO"}}
	f.set(func() { f.fleet = health.Fleet{Servers: []health.Server{past}} })
	f.a.checkConditions(ctx)
	f.a.checkConditions(ctx)
	if got := f.titles(); len(got) != 1 || got[0] != "web1 is past its RPO" {
		t.Fatalf("alerts after two checks = %q; want one RPO alert", got)
	}
	fine := past
	fine.PastRPO = false
	f.set(func() { f.fleet.Servers[0] = fine })
	f.a.checkConditions(ctx)
	f.set(func() { f.fleet.Servers[0] = past })
	f.a.checkConditions(ctx)
	if got := f.titles(); len(got) != 1 {
		t.Fatalf("alerts after recovering and missing again = %q; want one more", got)
	}
	fine.CertNotAfter = &expires
	f.set(func() { f.fleet.Servers[0] = fine })
	f.a.checkConditions(ctx)
	f.a.checkConditions(ctx)
	f.set(func() { f.now = f.now.Add(24 * time.Hour) })
	f.a.checkConditions(ctx)
	if got := f.titles(); len(got) != 2 || got[0] != "web1's certificate expires 2026-12-12" {
		t.Fatalf("certificate alerts over two days = %q; want one a day", got)
	}
}

// A failed run's event becomes an alert naming the job, on the channels
// whose setting names its kind.
func TestFailedRunEventIsAlerted(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sv, _ := f.st.CreateServer(ctx, store.Server{Name: "web1", UUID: "u-1"})
	j, _ := f.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Enabled: true})
	r, _ := f.st.StartRun(ctx, j.ID)
	if _, err := f.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunFailed, Error: "disk full"}); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"run_id": r.ID, "status": store.RunFailed})
	f.a.alertFor(ctx, store.Event{Kind: events.RunProgress, Data: data})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.desktop) != 1 || f.desktop[0].Title != "Backup web1/files failed" || f.desktop[0].Body != "disk full" || f.desktop[0].Route != "#/jobs/1?run=1" {
		t.Fatalf("desktop alerts = %+v", f.desktop)
	}
}

// E-mail: repeats of one key within 15 minutes fold into the next
// message; the outbox keeps what it could not deliver yet.
func TestEmailFoldsRepeats(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	for range 3 {
		f.a.Raise(ctx, Alert{Kind: RunFailed, Server: "web1", Title: "Backup web1/files failed"})
	}
	if st := f.a.MailStatus(); st.Pending != 1 {
		t.Fatalf("pending after three repeats = %d; want 1", st.Pending)
	}
	f.set(func() { f.now = f.now.Add(emailEvery) })
	f.a.Raise(ctx, Alert{Kind: RunFailed, Server: "web1", Title: "Backup web1/files failed"})
	f.a.Raise(ctx, Alert{Kind: DrillFailed, Server: "web1", Title: "not e-mailed: drill_failed is not in notify.email.events"})
	if st := f.a.MailStatus(); st.Pending != 2 {
		t.Fatalf("pending after the window = %d; want 2", st.Pending)
	}
}

// The webhook gets the alert as JSON, signed with the secret.
func TestWebhookIsSigned(t *testing.T) {
	type post struct {
		body []byte
		sig  string
	}
	posts := make(chan post, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		posts <- post{body, r.Header.Get("X-Borgdesk-Signature")}
	}))
	defer srv.Close()
	f := newFixture(t, "")
	f.set(func() { f.settings["notify.webhook.url"], f.settings["notify.webhook.secret"] = srv.URL, "s3cret" })
	f.a.Raise(context.Background(), Alert{Kind: DrillFailed, Server: "web1", Title: "Restore drill of web1/files failed"})
	f.bg.Wait()
	got := <-posts
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(got.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); got.sig != want {
		t.Errorf("signature %q; want %q", got.sig, want)
	}
	var a Alert
	if err := json.Unmarshal(got.body, &a); err != nil || a.Key != "drill_failed:web1" || !a.At.Equal(f.now) {
		t.Errorf("webhook body %s (%v); want the alert with its default key and time", got.body, err)
	}
}

func TestSendTestEmailSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	if _, err := newFixture(t, "").a.SendTestEmail(ctx); !errors.Is(err, fault.ErrUnavailable) {
		t.Errorf("without an outbox: %v; want unavailable", err)
	}
	f := newFixture(t, t.TempDir())
	f.set(func() { f.settings["notify.email.to"] = " , " })
	if _, err := f.a.SendTestEmail(ctx); !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), "notify.email.to") {
		t.Errorf("without recipients: %v; want invalid, naming notify.email.to", err)
	}
}
