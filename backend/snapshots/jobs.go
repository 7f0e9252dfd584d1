package snapshots

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/borg"
)

// The snapshots of a .flx job (jobs of kind flx) are kept apart from the
// one-off ones, in DATA/flx/servers/<uuid>/job-<id>/, so that the job's
// retention only ever removes the job's own files.

var jobDirName = regexp.MustCompile(`^job-[0-9]+$`)

func (x *Snapshots) jobDir(serverUUID string, jobID int64) string {
	return x.dir("servers", serverUUID, fmt.Sprintf("job-%d", jobID))
}

// kept is a snapshot file and when it was stored.
type kept struct {
	path string
	mod  time.Time
}

// snapshotsIn lists the snapshot files of one folder (not the temporary
// files of uploads in flight, which start with a dot).
func snapshotsIn(dir string) []kept {
	entries, _ := os.ReadDir(dir)
	var out []kept
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !uploadName.MatchString(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, kept{path: filepath.Join(dir, e.Name()), mod: fi.ModTime()})
	}
	return out
}

// JobKept is what KeepJob did: the snapshot the run stored and the job's
// older snapshots its retention removed.
type JobKept struct {
	Kept    []string `json:"kept"`
	Removed []string `json:"removed"`
}

// JobRun names a .flx job's run for KeepJob's event.
type JobRun struct {
	ServerUUID string
	ServerName string
	JobID      int64
	JobName    string
	RunID      int64
	Snapshot   string // the file name the run stored
}

// KeepJob applies a .flx job's retention to its snapshots (by the times
// they were stored; see KeepPolicy) after run stored one, has marked what
// it removed (the runs that made them), then publishes flx:stored with
// the server, the job and what was removed. A policy that cannot be read
// removes nothing.
func (x *Snapshots) KeepJob(ctx context.Context, run JobRun, k borg.Keep, now time.Time, marked func(ctx context.Context, removed []string) error) (JobKept, error) {
	files := snapshotsIn(x.jobDir(run.ServerUUID, run.JobID))
	times := make([]time.Time, len(files))
	for i, f := range files {
		times[i] = f.mod
	}
	keep, err := KeepPolicy(times, k, now)
	if err != nil {
		return JobKept{}, fmt.Errorf("retention of %s/%s: %w", run.ServerName, run.JobName, err)
	}
	out := JobKept{Kept: []string{}, Removed: []string{}}
	var failed error
	for i, f := range files {
		if keep[i] {
			out.Kept = append(out.Kept, f.path)
			continue
		}
		if err := os.Remove(f.path); err != nil && failed == nil {
			failed = fmt.Errorf("retention of %s/%s: %w", run.ServerName, run.JobName, err)
			continue
		}
		out.Removed = append(out.Removed, filepath.Base(f.path))
	}
	if err := marked(ctx, out.Removed); err != nil && failed == nil {
		failed = fmt.Errorf("retention of %s/%s: %w", run.ServerName, run.JobName, err)
	}
	msg := fmt.Sprintf("snapshot %s of %s/%s stored; %d kept", run.Snapshot, run.ServerName, run.JobName, len(out.Kept))
	if n := len(out.Removed); n > 0 {
		msg += fmt.Sprintf(", %d older removed by the job's retention", n)
	}
	if _, err := x.IndexServer(ctx, run.ServerUUID); err != nil {
		msg += "; " + err.Error()
	}
	x.events.Publish(ctx, events.FlxStored, run.ServerUUID, msg, map[string]any{"job_id": run.JobID, "job": run.JobName, "run_id": run.RunID,
		"name": run.Snapshot, "kept": len(out.Kept), "removed": out.Removed})
	return out, failed
}

// DeleteJob deletes a .flx job's snapshots (the job is being deleted with
// its archives) and names them; the one-off snapshots stay.
func (x *Snapshots) DeleteJob(ctx context.Context, serverUUID string, jobID int64) ([]string, error) {
	dir := x.jobDir(serverUUID, jobID)
	out := []string{}
	for _, f := range snapshotsIn(dir) {
		if err := os.Remove(f.path); err != nil {
			return out, fmt.Errorf("delete snapshot %s: %w", filepath.Base(f.path), err)
		}
		out = append(out, filepath.Base(f.path))
	}
	os.Remove(dir) // empty now, unless an upload is in flight
	if x.cat != nil {
		names := make([]string, len(out))
		for i, n := range out {
			names[i] = filepath.Base(dir) + "/" + n
		}
		if err := x.cat.ForgetSnapshots(ctx, serverUUID, names); err != nil {
			return out, err
		}
	}
	return out, nil
}
