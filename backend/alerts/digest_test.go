package alerts

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/health"
	"borgdesk/backend/mail"
	"borgdesk/backend/store"
)

// A successful run is told only for a job that asks for it.
func TestSuccessIsToldOnlyForJobsThatAskForIt(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sv, _ := f.st.CreateServer(ctx, store.Server{Name: "web1", UUID: "u-1"})
	quiet, _ := f.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Enabled: true})
	loud, _ := f.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "db", Enabled: true, NotifySuccess: true})
	for _, j := range []store.Job{quiet, loud} {
		r, _ := f.st.StartRun(ctx, j.ID)
		if _, err := f.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunSucceeded, Archive: j.Name + "@1", Files: 3, Bytes: 2048}); err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(map[string]any{"run_id": r.ID, "status": store.RunSucceeded})
		f.a.alertFor(ctx, store.Event{Kind: events.RunProgress, Data: data})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.desktop) != 1 || f.desktop[0].Kind != RunSucceeded || f.desktop[0].Title != "Backup web1/db succeeded" || !strings.Contains(f.desktop[0].Body, "archive db@1: 3 files") {
		t.Fatalf("desktop alerts = %+v; want one for web1/db", f.desktop)
	}
}

// The digest says all is well when it is, and names what is not: failed
// runs of the period, growth, stale drills, certificates.
func TestDigestSaysWhatIsWell(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sv, _ := f.st.CreateServer(ctx, store.Server{Name: "web1", UUID: "u-1"})
	j, _ := f.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Enabled: true})
	f.st.AddRepoSize(ctx, sv.ID, f.now.Add(-30*time.Hour), 100<<20)
	f.st.AddRepoSize(ctx, sv.ID, f.now.Add(-time.Hour), 150<<20)
	last := f.now.Add(-2 * time.Hour)
	green := health.Server{ID: sv.ID, UUID: sv.UUID, Name: "web1", State: health.Green, LastBackup: &last}
	f.set(func() { f.fleet = health.Fleet{State: health.Green, Green: 1, Servers: []health.Server{green}} })

	d, err := f.a.BuildDigest(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Daily digest: all is well (1 servers)" || d.Red || len(d.Failures) != 0 {
		t.Errorf("a green fleet's digest: %q red=%v failures=%v", d.Title, d.Red, d.Failures)
	}
	if len(d.Servers) != 1 || d.Servers[0].Size != "150 MiB" || d.Servers[0].Growth != "+50 MiB" {
		t.Errorf("server line %+v; want 150 MiB, +50 MiB over the day", d.Servers)
	}

	// A failed run in the period (the store dates it by the wall clock),
	// an expiring certificate and no drill.
	r, _ := f.st.StartRun(ctx, j.ID)
	f.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunFailed, Error: "disk full\nmore"})
	f.set(func() { f.now = time.Now().Add(time.Minute) })
	expires := f.now.Add(10 * 24 * time.Hour)
	red := green
	red.State, red.Reasons, red.CertNotAfter = health.Red, []string{"files failed"}, &expires
	red.Issues = []health.Issue{{Code: health.IssueNoDrill, State: health.Amber}}
	f.set(func() {
		f.fleet = health.Fleet{State: health.Red, Red: 1, Summary: "1 red", Servers: []health.Server{red}}
	})
	d, err = f.a.BuildDigest(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Daily digest: 1 red, 0 amber, 1 failed run(s)" || !d.Red {
		t.Errorf("title %q red %v", d.Title, d.Red)
	}
	if len(d.Failures) != 1 || d.Failures[0].Job != "web1/files" || d.Failures[0].Error != "disk full" {
		t.Errorf("failures %+v", d.Failures)
	}
	m, err := mail.RenderDigest(d, []string{"ops@example.com"})
	if err != nil || !strings.Contains(m.Text, "web1/files: disk full") || !strings.Contains(m.Text, "FAIL") || !strings.Contains(m.HTML, "<strong>web1/files</strong>: disk full") || m.Subject != "[Borgdesk] "+d.Title {
		t.Errorf("rendered digest (%v):\n%s", err, m.Text)
	}
	if d.StaleDrills != "web1" || len(d.Certificates) != 1 || !strings.HasPrefix(d.Certificates[0], "web1: expires") {
		t.Errorf("stale drills %q, certificates %v", d.StaleDrills, d.Certificates)
	}
}

// notify.digest sends once per slot, through the outbox, and a restart
// does not send the same slot's digest again.
func TestDigestGoesOncePerSlot(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir)
	ctx := context.Background()
	f.set(func() { f.settings["notify.digest"], f.settings["notify.digest_at"] = "off", "08:00" })
	f.a.sendDigestIfDue(ctx)
	if st := f.a.MailStatus(); st.Pending != 0 {
		t.Fatalf("the digest went while off: %d pending", st.Pending)
	}
	f.set(func() { f.settings["notify.digest"] = "daily" })
	f.a.sendDigestIfDue(ctx)
	f.a.sendDigestIfDue(ctx)
	if st := f.a.MailStatus(); st.Pending != 1 {
		t.Fatalf("pending after the slot = %d; want 1", st.Pending)
	}
	// The same store after a restart: this slot's digest went already.
	again := New(f.a.cfg)
	again.sendDigestIfDue(ctx)
	if st := again.MailStatus(); st.Pending != 1 {
		t.Fatalf("pending after a restart = %d; want still 1", st.Pending)
	}
	f.set(func() { f.now = f.now.Add(24 * time.Hour) })
	f.a.sendDigestIfDue(ctx)
	if st := f.a.MailStatus(); st.Pending != 2 {
		t.Fatalf("pending the next day = %d; want 2", st.Pending)
	}
	// Weekly: Mondays only (2026-12-07 is a Monday; the fixture moved to Tuesday).
	f.set(func() { f.settings["notify.digest"] = "weekly" })
	f.a.sendDigestIfDue(ctx)
	if st := f.a.MailStatus(); st.Pending != 2 {
		t.Fatalf("a weekly digest went on a Tuesday after Monday's daily one: %d pending", st.Pending)
	}
	f.set(func() { f.settings["notify.email.to"] = "" })
	if _, err := f.a.SendDigest(ctx, 24*time.Hour); err != ErrNoDigestRecipients {
		t.Errorf("a digest without recipients: %v", err)
	}
}
