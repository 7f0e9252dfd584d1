package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"borgdesk/agent/internal/backup"
	"borgdesk/agent/internal/client"
	"borgdesk/backend/shared/agentapi"
)

// runTask runs one task and reports its start, progress and outcome.
func (a *Agent) runTask(ctx context.Context, t agentapi.Task) {
	id := strconv.FormatInt(t.ID, 10)
	log := a.log.With("task", t.ID, "type", t.Type)
	if err := a.client.Do(ctx, "POST", "/api/agent/tasks/"+id+"/start", struct{}{}, nil, 30*time.Second); err != nil {
		// Cancelled or handed to us twice: not ours to run.
		log.Warn("task not started", "err", err)
		return
	}
	log.Info("task started")
	result, err := a.execute(ctx, t)
	done := agentapi.TaskComplete{Status: agentapi.TaskSucceeded, Result: result}
	if err != nil {
		// A failed task may still say what it did (a restore's files written).
		done = agentapi.TaskComplete{Status: agentapi.TaskFailed, Result: result, Error: err.Error()}
	}
	// The outcome must reach the coordinator even while we are stopping.
	bo := newBackoff(time.Second, 30*time.Second)
	for attempt := 1; ; attempt++ {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := a.client.Do(rctx, "POST", "/api/agent/tasks/"+id+"/complete", done, nil, 30*time.Second)
		cancel()
		if err == nil || client.Refused(err) || attempt == 5 {
			if err != nil {
				log.Error("could not report task outcome", "err", err)
			}
			break
		}
		time.Sleep(bo.next())
	}
	log.Info("task finished", "status", done.Status)
}

func (a *Agent) execute(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	switch t.Type {
	case agentapi.TaskTest:
		return a.testTask(ctx, t)
	case agentapi.TaskBackup:
		return a.backupTask(ctx, t)
	case agentapi.TaskFlxRestore:
		return a.flxRestoreTask(ctx, t)
	case agentapi.TaskFlxDiff:
		return a.flxDiffTask(ctx, t)
	case agentapi.TaskFlxBackup:
		return a.flxBackupTask(ctx, t)
	case agentapi.TaskRestore:
		return a.restoreTask(ctx, t)
	case agentapi.TaskDBRestore:
		return a.dbRestoreTask(ctx, t)
	case agentapi.TaskStorageConfig:
		return a.storageConfigTask(ctx, t)
	case agentapi.TaskStorageRepo:
		return a.storageRepoTask(ctx, t)
	case agentapi.TaskStorageReplicate:
		return a.storageReplicateTask(ctx, t)
	default:
		return nil, fmt.Errorf("this agent (version %s) does not know task type %q: update it", a.opts.Version, t.Type)
	}
}

// testTask echoes its message: the proof the loop works end to end.
func (a *Agent) testTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.TestPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("test task payload: %w", err)
	}
	if p.SleepMillis > 0 {
		steps := 4
		for i := 1; i <= steps; i++ {
			if !sleep(ctx, time.Duration(p.SleepMillis)*time.Millisecond/time.Duration(steps)) {
				return nil, ctx.Err()
			}
			prog := agentapi.TaskProgress{Percent: float64(i) * 100 / float64(steps), Message: fmt.Sprintf("step %d of %d", i, steps)}
			err := a.client.Do(ctx, "POST", "/api/agent/tasks/"+strconv.FormatInt(t.ID, 10)+"/progress", prog, nil, 10*time.Second)
			if client.Refused(err, agentapi.CodeConflict) {
				a.cancelTask(t.ID)
			}
		}
	}
	host, _ := os.Hostname()
	return json.Marshal(agentapi.TestResult{Echo: p.Message, Hostname: host})
}

// backupTask runs a backup into the coordinator's repository. The
// passphrase lives in this function's memory and borg's environment only.
func (a *Agent) backupTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.BackupPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("backup task payload: %w", err)
	}
	rep := a.reporter(ctx, t)
	b, rsh := a.borgFor(p.LockWait, p.HostKey)
	env := backup.Env{
		Borg: b,
		RSH:  rsh,
		Progress: func(bp agentapi.BackupProgress) {
			rep.progress(agentapi.TaskProgress{Message: bp.Path, Bytes: bp.Bytes, Files: bp.Files})
		},
		Log: rep.logf,
	}
	res, err := backup.Run(ctx, env, p)
	res.Log = rep.log.String()
	raw, merr := json.Marshal(res)
	if err != nil {
		// A failed backup still sends what it logged up to the failure.
		return raw, err
	}
	return raw, merr
}
