package store

import (
	"context"
	"slices"
	"testing"
)

// TestKnownArchivesLeaveOutSnapshotJobs: a .flx job's runs name snapshot
// files that are in no repository; were they "known archives", every
// prune of the server would be held as if a client had deleted them.
func TestKnownArchivesLeaveOutSnapshotJobs(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	sv, err := st.CreateServer(ctx, Server{UUID: "u1", Name: "pbx1"})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "etc", Kind: "files", Spec: `{"kind":"files"}`})
	flx, _ := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "pbx", Kind: "flx", Spec: `{"kind":"flx"}`})
	for _, r := range []struct {
		job     Job
		archive string
	}{{files, "etc@2026-12-07T03.00.00Z"}, {flx, "pbx1-2026-12-07_03-00-00.flx.gz"}} {
		run, err := st.QueueRun(ctx, r.job.ID, "manual", 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.FinishRun(ctx, run.ID, RunOutcome{Status: RunSucceeded, Archive: r.archive}); err != nil {
			t.Fatal(err)
		}
	}
	known, err := st.KnownArchives(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(known, []string{"etc@2026-12-07T03.00.00Z"}) {
		t.Errorf("KnownArchives = %v; want only the files job's archive", known)
	}
}
