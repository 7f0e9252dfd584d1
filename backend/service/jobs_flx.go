package service

import (
	"context"
	"encoding/json"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/snapshots"
	"borgdesk/backend/store"
)

// AfterFlx keeps a .flx job's snapshots by the job's retention after a run
// stored one (the snapshots room does it and says so in flx:stored). A
// snapshot is no borg archive: no prune, replica or catalog follows.
func (e runEnv) AfterFlx(ctx context.Context, j store.Job, r store.Run) {
	s := e.s
	var keep borg.Keep
	json.Unmarshal([]byte(j.Keep), &keep)
	run := snapshots.JobRun{ServerUUID: j.ServerUUID, ServerName: j.ServerName, JobID: j.ID, JobName: j.Name, RunID: r.ID, Snapshot: r.Archive}
	// The runs whose snapshots went say so, as pruned archives' runs do.
	marked := func(ctx context.Context, removed []string) error { return s.st.MarkPruned(ctx, j.ServerID, removed) }
	if _, err := s.snapshots.KeepJob(ctx, run, keep, s.now(), marked); err != nil {
		s.log().Warn("flx: a job's retention failed", "server", j.ServerName, "job", j.Name, "err", err)
		s.notify(ctx, j.ServerUUID, err.Error())
	}
}

// DeleteSnapshots deletes a .flx job's snapshots (job delete with its
// archives).
func (e jobsEnv) DeleteSnapshots(ctx context.Context, j store.Job) ([]string, error) {
	return e.s.snapshots.DeleteJob(ctx, j.ServerUUID, j.ID)
}
