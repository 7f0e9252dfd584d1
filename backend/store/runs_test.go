package store

import (
	"context"
	"testing"
)

func TestFinishedRunsNameOnlyArchivesThatExist(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	sv, _ := st.CreateServer(ctx, Server{UUID: "u-web", Name: "web1"})
	job, err := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "etc", Kind: "files", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		outcome RunOutcome
		want    string
	}{
		{"succeeded keeps the name it started with", RunOutcome{Status: RunSucceeded}, "etc@1"},
		{"warning keeps it too", RunOutcome{Status: RunWarning}, "etc@2"},
		{"failed names none", RunOutcome{Status: RunFailed, Error: "borg create: connection closed"}, ""},
		{"cancelled names none", RunOutcome{Status: RunCancelled}, ""},
		{"failed but an archive was reported", RunOutcome{Status: RunFailed, Archive: "etc@5.checkpoint"}, "etc@5.checkpoint"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := st.QueueRun(ctx, job.ID, "manual", 1)
			if _, err := st.MarkRunRunning(ctx, r.ID, 0, "etc@"+string(rune('1'+i))); err != nil {
				t.Fatal(err)
			}
			done, err := st.FinishRun(ctx, r.ID, tt.outcome)
			if err != nil {
				t.Fatal(err)
			}
			if done.Archive != tt.want {
				t.Errorf("archive %q; want %q", done.Archive, tt.want)
			}
		})
	}
	if err := st.MarkPruned(ctx, sv.ID, []string{"etc@1"}); err != nil {
		t.Fatal(err)
	}
	runs, _ := st.ListJobRuns(ctx, job.ID, 10)
	for _, r := range runs {
		if pruned := r.PrunedAt != nil; pruned != (r.Archive == "etc@1") {
			t.Errorf("run %d (%s): pruned_at %v", r.ID, r.Archive, r.PrunedAt)
		}
	}
}
