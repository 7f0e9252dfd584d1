package service

import (
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
			HealthGreen, false, "", map[string]string{"files": HealthGreen}},
		{"one fine, one never succeeded", []store.Job{job(1, "files", true, 48*time.Hour), job(2, "db", true, time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour), LastStatus: store.RunSucceeded}, 2: {LastStatus: store.RunFailed, LastAt: ago(time.Minute), LastError: "path not found\nmore"}},
			HealthAmber, false, "job db: has not succeeded yet", map[string]string{"files": HealthGreen, "db": HealthAmber}},
		{"never succeeded past the RPO", []store.Job{job(1, "files", true, 48*time.Hour), job(2, "db", true, 30*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}},
			HealthRed, true, "job db: no successful backup since it was created", map[string]string{"db": HealthRed}},
		{"last run failed, backup still recent", []store.Job{job(1, "files", true, 48*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(2 * time.Hour), LastStatus: store.RunFailed, LastError: "disk full"}},
			HealthAmber, false, "job files: last run failed: disk full", map[string]string{"files": HealthAmber}},
		{"failed and past the RPO", []store.Job{job(1, "files", true, 90*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(30 * time.Hour), LastStatus: store.RunFailed}},
			HealthRed, true, "job files: last backup 30h ago, past its 26h RPO", nil},
		{"close to the RPO", []store.Job{job(1, "files", true, 90*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(21 * time.Hour)}},
			HealthAmber, false, "job files: last backup 21h ago, close to", nil},
		{"a paused job is never red", []store.Job{job(1, "files", true, 90*time.Hour), job(2, "old", false, 900*time.Hour)},
			map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}},
			HealthGreen, false, "", map[string]string{"files": HealthGreen, "old": HealthPaused}},
		{"every job paused", []store.Job{job(2, "old", false, 900*time.Hour)}, nil,
			HealthAmber, false, "every job is paused", map[string]string{"old": HealthPaused}},
		{"no job", nil, nil, HealthAmber, false, "no backup job", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := rateServer(online, tt.jobs, tt.facts, rpo, now)
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
	sh := rateServer(store.Server{Name: "web2"}, []store.Job{job(1, "files", true, time.Hour)},
		map[int64]store.JobRunFacts{1: {LastSuccess: ago(time.Hour)}}, rpo, now)
	if sh.State != HealthAmber || len(sh.Issues) != 1 || sh.Issues[0].Code != IssueOffline {
		t.Errorf("offline server with a fine job = %s %+v; want amber, offline", sh.State, sh.Issues)
	}
}
