package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/restore"
	"borgdesk/backend/agentapi"
	"borgdesk/backend/borg"
	"borgdesk/backend/rsh"
)

// reporter sends a task's progress to the coordinator and keeps its log.
type reporter struct {
	a   *Agent
	ctx context.Context
	id  int64
	log strings.Builder
}

func (a *Agent) reporter(ctx context.Context, t agentapi.Task) *reporter {
	return &reporter{a: a, ctx: ctx, id: t.ID}
}

func (r *reporter) progress(p agentapi.TaskProgress) {
	err := r.a.client.Do(r.ctx, "POST", "/api/agent/tasks/"+strconv.FormatInt(r.id, 10)+"/progress", p, nil, 10*time.Second)
	if client.Refused(err, agentapi.CodeConflict) { // the task is no longer running: cancelled
		r.a.cancelTask(r.id)
	}
}

func (r *reporter) logf(format string, args ...any) {
	if r.log.Len() < 64<<10 {
		fmt.Fprintf(&r.log, time.Now().UTC().Format("15:04:05 ")+format+"\n", args...)
	}
}

// borgFor is the agent's borg, reaching the coordinator through its own
// SSH client with the pinned host key.
func (a *Agent) borgFor(lockWait int, hostKey string) (*borg.Borg, string) {
	cfg := a.cfg.Load()
	if lockWait <= 0 {
		lockWait = 60
	}
	cmd := rsh.Quote(a.opts.Exe) + " ssh --config " + rsh.Quote(cfg.Path())
	if hostKey != "" {
		// A repository on a storage node or a hosted service: pin its key.
		cmd += " --host-key " + rsh.Quote(hostKey)
	}
	return &borg.Borg{BaseDir: filepath.Join(cfg.Dir(), "borg"), LockWait: lockWait}, cmd
}

// restoreTask restores files of an archive onto this server.
func (a *Agent) restoreTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.RestorePayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("restore task payload: %w", err)
	}
	rep := a.reporter(ctx, t)
	b, rsh := a.borgFor(p.LockWait, p.HostKey)
	res, err := restore.Files(ctx, restore.Env{Borg: b, RSH: rsh, TaskID: t.ID, Progress: rep.progress, Log: rep.logf, StateDir: a.cfg.Load().Dir()}, p)
	res.Log = rep.log.String()
	raw, _ := json.Marshal(res)
	return raw, err
}

// dbRestoreTask restores a database dump of an archive onto this server.
func (a *Agent) dbRestoreTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.DBRestorePayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("database restore task payload: %w", err)
	}
	rep := a.reporter(ctx, t)
	b, rsh := a.borgFor(p.LockWait, p.HostKey)
	res, err := restore.Database(ctx, restore.Env{Borg: b, RSH: rsh, TaskID: t.ID, Progress: rep.progress, Log: rep.logf}, p)
	res.Log = rep.log.String()
	raw, _ := json.Marshal(res)
	return raw, err
}
