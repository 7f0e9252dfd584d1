package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/flx/flxcli"
	"borgdesk/backend/store"
)

// A job of kind flx makes a .flx snapshot on each run instead of a borg
// archive: its run is an flx-backup task (which every agent runs), the
// agent uploads the snapshot to the coordinator, and the coordinator keeps
// the job's snapshots by the job's retention (FlxKeep unless the operator
// says otherwise). No repository is involved.

// FlxKeep is a .flx job's retention when none is given: 7 daily, 4 weekly
// and 12 monthly snapshots, as the FlexPBX tools recommend.
var FlxKeep = borg.Keep{Daily: 7, Weekly: 4, Monthly: 12}

func validateFlx(s agentapi.BackupSpec) error {
	f := s.Flx
	if f == nil || f.Profile == "" {
		return fmt.Errorf("a .flx job names a profile (%s)", profileNames())
	}
	if _, ok := flxcli.Profiles[f.Profile]; !ok {
		return fmt.Errorf("unknown .flx profile %q (%s)", f.Profile, profileNames())
	}
	switch f.Type {
	case "", "flx", "flxx":
	default:
		return fmt.Errorf(".flx type %q: flx or flxx", f.Type)
	}
	if len(s.Paths) > 0 || len(s.Pre) > 0 || len(s.Post) > 0 {
		return errors.New("a .flx job takes its files from its profile and runs no commands: leave out paths and hooks")
	}
	return nil
}

func profileNames() string {
	names := make([]string, 0, len(flxcli.Profiles))
	for n := range flxcli.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, " or ")
}

// flxOutcome reads a finished flx-backup task as a run's outcome: the
// snapshot's name is the run's "archive".
func flxOutcome(t store.Task) store.RunOutcome {
	var res agentapi.FlxBackupResult
	json.Unmarshal(t.Result, &res)
	name := res.Name
	if res.Stored != "" {
		name = filepath.Base(res.Stored) // the coordinator's name for it (name-2 when two share a second)
	}
	o := store.RunOutcome{Status: store.RunSucceeded, Bytes: res.Size, Files: int64(res.FileCount), Archive: name}
	if t.Status != store.TaskSucceeded {
		o.Status, o.Error = store.RunFailed, t.Error
		if o.Error == "" {
			o.Error = "the task " + t.Status
		}
		return o
	}
	o.Log = fmt.Sprintf("snapshot %s: %d files, %d bytes, kept as %s", name, res.FileCount, res.Size, res.Stored)
	if n := len(res.Redactions); n > 0 {
		o.Log += fmt.Sprintf("; %d secrets redacted", n)
	}
	return o
}

// dispatchFlx starts a run of a .flx job as an flx-backup task: no
// repository to place, the snapshot goes to the coordinator.
func (q *Runs) dispatchFlx(ctx context.Context, j store.Job, r store.Run, spec agentapi.BackupSpec) error {
	if spec.Flx == nil {
		return errors.New("job spec: a .flx job without its profile")
	}
	p := agentapi.FlxBackupPayload{Profile: spec.Flx.Profile, Type: spec.Flx.Type, KeepSecrets: spec.Flx.KeepSecrets, JobID: j.ID}
	raw, _ := json.Marshal(p)
	t, err := q.st.CreateTask(ctx, j.ServerID, agentapi.TaskFlxBackup, raw)
	if err != nil {
		return err
	}
	if _, err := q.st.MarkRunRunning(ctx, r.ID, t.ID, ""); err != nil {
		return err
	}
	q.events.Publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s started: a .%s snapshot (%s profile)", r.ID, j.ServerName, j.Name, cmp.Or(spec.Flx.Type, "flx"), spec.Flx.Profile), map[string]any{"run_id": r.ID, "status": store.RunRunning, "job_id": j.ID})
	q.env.Wake(j.ServerID)
	return nil
}
