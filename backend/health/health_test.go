package health

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/store"
)

func TestRateServer(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	rpo := 26 * time.Hour
	ago := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	job := func(id int64, name string, enabled bool, created time.Duration) store.Job {
		return store.Job{ID: id, Name: name, Enabled: enabled, CreatedAt: now.Add(-created)}
	}
	online := store.Server{ID: 1, Name: "web1", Online: true}
	tests := []struct {
		name      string
		jobs      []store.Job
		facts     map[int64]store.JobRunFacts
		state     string
		pastRPO   bool
		firstWhy  string
		jobStates map[string]string
	}{
		{"one job fine", []store.Job{job(1, "files", true, 48*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour), LastStatus: store.RunSucceeded}},
			Green, false, "", map[string]string{"files": Green}},
		{"one fine, one never succeeded", []store.Job{job(1, "files", true, 48*time.Hour), job(2, "db", true, time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour), LastStatus: store.RunSucceeded}, 2: {LastStatus: store.RunFailed, LastAt: ago(time.Minute), LastError: "path not found\nmore"}},
			Amber, false, "job db: has not succeeded yet", map[string]string{"files": Green, "db": Amber}},
		{"never succeeded past the RPO", []store.Job{job(1, "files", true, 48*time.Hour), job(2, "db", true, 30*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}},
			Red, true, "job db: no successful backup since it was created", map[string]string{"db": Red}},
		{"last run failed, backup still recent", []store.Job{job(1, "files", true, 48*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(2 * time.Hour), LastStatus: store.RunFailed, LastError: "disk full"}},
			Amber, false, "job files: last run failed: disk full", map[string]string{"files": Amber}},
		{"failed and past the RPO", []store.Job{job(1, "files", true, 90*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(30 * time.Hour), LastStatus: store.RunFailed}},
			Red, true, "job files: last backup 30h ago, past its 26h RPO", nil},
		{"close to the RPO", []store.Job{job(1, "files", true, 90*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(21 * time.Hour)}},
			Amber, false, "job files: last backup 21h ago, close to", nil},
		{"a paused job is never red", []store.Job{job(1, "files", true, 90*time.Hour), job(2, "old", false, 900*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}},
			Green, false, "", map[string]string{"files": Green, "old": Paused}},
		{"every job paused", []store.Job{job(2, "old", false, 900*time.Hour)}, nil,
			Amber, false, "every job is paused", map[string]string{"old": Paused}},
		{"no job", nil, nil, Amber, false, "no backup job", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := RateServer(online, tt.jobs, tt.facts, rpo, now)
			if sh.State != tt.state || sh.PastRPO != tt.pastRPO {
				t.Errorf("state %s, past RPO %v; want %s, %v (reasons %q)", sh.State, sh.PastRPO, tt.state, tt.pastRPO, sh.Reasons)
			}
			if tt.firstWhy == "" && len(sh.Reasons) > 0 {
				t.Errorf("reasons %q; want none", sh.Reasons)
			}
			if tt.firstWhy != "" && (len(sh.Reasons) == 0 || !strings.HasPrefix(sh.Reasons[0], tt.firstWhy)) {
				t.Errorf("reasons %q; want the first to start %q", sh.Reasons, tt.firstWhy)
			}
			got := map[string]string{}
			for _, j := range sh.Jobs {
				got[j.Name] = j.State
			}
			for name, want := range tt.jobStates {
				if got[name] != want {
					t.Errorf("job %s is %s; want %s", name, got[name], want)
				}
			}
		})
	}
	// The server's own conditions still count.
	sh := RateServer(store.Server{Name: "web2"}, []store.Job{job(1, "files", true, time.Hour)},
		map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}}, rpo, now)
	if sh.State != Amber || len(sh.Issues) != 1 || sh.Issues[0].Code != IssueOffline {
		t.Errorf("offline server with a fine job = %s %+v; want amber, offline", sh.State, sh.Issues)
	}
}

// Check reads a real store: each server is held to its own RPO (rpo.web1)
// or the default, a revoked server is left out, and the summary counts.
func TestCheckReadsTheStore(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"), store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, name := range []string{"web1", "web2", "old"} {
		sv, err := st.CreateServer(ctx, store.Server{Name: name, UUID: "u-" + name})
		if err != nil {
			t.Fatal(err)
		}
		j, err := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.StartRun(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunSucceeded}); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if _, err := st.RevokeServer(ctx, sv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.SetSetting(ctx, "rpo.web1", "48h"); err != nil {
		t.Fatal(err)
	}
	h, err := Check(ctx, st, func() time.Time { return clock.Add(30 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	if h.State != Red || h.Red != 1 || h.Amber != 1 || h.Green != 0 || h.Summary != "1 at risk, 1 need attention, 0 healthy" || len(h.Servers) != 2 {
		t.Fatalf("fleet = %s %q (%d servers); want red, 1 at risk, 1 need attention, 0 healthy, 2 servers", h.State, h.Summary, len(h.Servers))
	}
	web1, web2 := h.Servers[0], h.Servers[1]
	if web1.Name != "web1" || web1.RPOHours != 48 || web1.State != Amber || web1.Jobs[0].State != Green || web1.PastRPO {
		t.Errorf("web1 = %+v; want amber (offline) with a green job and a 48h RPO", web1)
	}
	if web2.Name != "web2" || web2.RPOHours != 26 || web2.State != Red || !web2.PastRPO || web2.Reasons[0] != "job files: last backup 30h ago, past its 26h RPO" {
		t.Errorf("web2 = %+v; want red past its 26h default RPO", web2)
	}
}

func TestRoundAge(t *testing.T) {
	for d, want := range map[time.Duration]string{59 * time.Second: "0m", 90 * time.Minute: "1h", 47 * time.Hour: "47h", 50 * time.Hour: "2d"} {
		if got := RoundAge(d); got != want {
			t.Errorf("RoundAge(%s) = %q; want %q", d, got, want)
		}
	}
}
