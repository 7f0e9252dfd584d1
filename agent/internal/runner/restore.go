package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/restore"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/shellquote"
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
	cmd := shellquote.Quote(a.opts.Exe) + " ssh --config " + shellquote.Quote(cfg.Path())
	if hostKey != "" {
		// A repository on a storage node or a hosted service: pin its key.
		cmd += " --host-key " + shellquote.Quote(hostKey)
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
	res, err := restore.Files(ctx, restore.Env{Borg: b, RSH: rsh, TaskID: t.ID, Progress: rep.progress, Log: rep.logf, StateDir: a.cfg.Load().Dir(),
		Stream: a.taskStream(t.ID)}, p)
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
	res, err := restore.Database(ctx, restore.Env{Borg: b, RSH: rsh, TaskID: t.ID, Progress: rep.progress, Log: rep.logf,
		Stream: a.taskStream(t.ID)}, p)
	res.Log = rep.log.String()
	raw, _ := json.Marshal(res)
	return raw, err
}

// taskStream opens a streamed restore's data from the coordinator. The
// body fails at its end unless the coordinator's trailer says the stream
// is complete, so a cut or failed stream is never taken for a whole one.
func (a *Agent) taskStream(id int64) func(context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		path := strings.Replace(agentapi.PathTaskStream, "{id}", strconv.FormatInt(id, 10), 1)
		resp, err := a.client.Stream(ctx, path, 24*time.Hour)
		if err != nil {
			return nil, err
		}
		return &completeBody{ReadCloser: resp.Body, resp: resp}, nil
	}
}

// completeBody turns the end of a stream into an error unless its trailer
// says the coordinator sent everything.
type completeBody struct {
	io.ReadCloser
	resp *http.Response
}

func (b *completeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		if got := b.resp.Trailer.Get(agentapi.StreamTrailer); got != agentapi.StreamComplete {
			if got == "" {
				got = "the stream was cut short"
			}
			return n, fmt.Errorf("the coordinator's stream is incomplete: %s", got)
		}
	}
	return n, err
}
