package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// wakeups lets a long poll sleep until its server has work: waiters take the
// current channel of their server, and wake closes it. It also counts the
// polls parked in sleep, which tests wait for (see ParkedPolls).
type wakeups struct {
	mu     sync.Mutex
	ch     map[int64]chan struct{}
	parked map[int64]int
}

func (w *wakeups) wait(serverID int64) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = map[int64]chan struct{}{}
	}
	c, ok := w.ch[serverID]
	if !ok {
		c = make(chan struct{})
		w.ch[serverID] = c
	}
	return c
}

func (w *wakeups) wake(serverID int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.ch[serverID]; ok {
		close(c)
		delete(w.ch, serverID)
	}
}

// sleep parks a long poll of serverID until woken (true), or until timeout
// or ctx ends (false).
func (w *wakeups) sleep(ctx context.Context, serverID int64, woken <-chan struct{}, timeout <-chan time.Time) bool {
	w.count(serverID, 1)
	defer w.count(serverID, -1)
	select {
	case <-woken:
		return true
	case <-timeout:
	case <-ctx.Done():
	}
	return false
}

func (w *wakeups) count(serverID int64, delta int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.parked == nil {
		w.parked = map[int64]int{}
	}
	w.parked[serverID] += delta
	if w.parked[serverID] == 0 {
		delete(w.parked, serverID)
	}
}

func (w *wakeups) waiting(serverID int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.parked[serverID]
}

// Wake ends the parked long poll of a server's agent: it has work.
func (f *Fleet) Wake(serverID int64) { f.wake.wake(serverID) }

// Parked is how many long polls of a server's agent are parked right now,
// waiting for work (see service.ParkedPolls).
func (f *Fleet) Parked(serverID int64) int { return f.wake.waiting(serverID) }

// WaitTasks is the agent's long poll: it returns up to max tasks as soon as
// there are any, or none after wait. A revoke ends it at once.
func (f *Fleet) WaitTasks(ctx context.Context, agentUUID string, max int, wait time.Duration) ([]agentapi.Task, error) {
	sv, err := f.AgentServer(ctx, agentUUID)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		woken := f.wake.wait(sv.ID) // take the channel before looking, so no wake is missed
		if !f.allowed.has(agentUUID) {
			return nil, fmt.Errorf("%w: agent %s was revoked", ErrForbidden, agentUUID)
		}
		claimed, err := f.st.ClaimTasks(ctx, sv.ID, max, f.now().Add(-f.taskLease))
		if err != nil {
			return nil, err
		}
		if len(claimed) > 0 {
			out := make([]agentapi.Task, 0, len(claimed))
			for _, t := range claimed {
				at, err := f.prepare(agentUUID, agentapi.Task{ID: t.ID, Type: t.Type, Payload: t.Payload, CreatedAt: t.CreatedAt})
				if err != nil {
					f.st.CompleteTask(ctx, sv.ID, t.ID, store.TaskFailed, nil, "cannot hand out the task: "+err.Error())
					continue
				}
				out = append(out, at)
			}
			if len(out) > 0 {
				return out, nil
			}
			continue
		}
		if !f.wake.sleep(ctx, sv.ID, woken, timer.C) {
			return []agentapi.Task{}, nil
		}
	}
}

// StartTask records that the agent started a task.
func (f *Fleet) StartTask(ctx context.Context, agentUUID string, id int64) error {
	sv, err := f.AgentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	t, err := f.st.StartTask(ctx, sv.ID, id)
	if err != nil {
		return taskErr(err)
	}
	f.publishTask(ctx, t, fmt.Sprintf("%s task %d started on %s", t.Type, t.ID, sv.Name))
	return nil
}

// ProgressTask records a running task's progress; it is announced live only.
func (f *Fleet) ProgressTask(ctx context.Context, agentUUID string, id int64, p agentapi.TaskProgress) error {
	sv, err := f.AgentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(p)
	t, err := f.st.TaskProgress(ctx, sv.ID, id, raw)
	if err != nil {
		return taskErr(err)
	}
	f.events.Announce(events.TaskChanged, sv.UUID, map[string]any{"task_id": t.ID, "status": t.Status, "progress": p})
	if t.Type == agentapi.TaskBackup {
		if r, err := f.st.RunByTask(ctx, t.ID); err == nil {
			f.events.Announce(events.RunProgress, sv.UUID, map[string]any{"run_id": r.ID, "status": r.Status, "files": p.Files, "bytes": p.Bytes, "path": p.Message})
		}
	}
	return nil
}

// CompleteTask records a task's outcome.
func (f *Fleet) CompleteTask(ctx context.Context, agentUUID string, id int64, c agentapi.TaskComplete) error {
	sv, err := f.AgentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	t, err := f.st.CompleteTask(ctx, sv.ID, id, c.Status, c.Result, c.Error)
	if err != nil {
		return taskErr(err)
	}
	msg := fmt.Sprintf("%s task %d %s on %s", TaskLabel(t.Type, t.Payload), t.ID, t.Status, sv.Name)
	if t.Error != "" {
		msg += ": " + t.Error
	}
	f.publishTask(ctx, t, msg)
	f.taskEnded(ctx, t)
	return nil
}

// AgentServer finds the server of an allowed agent.
func (f *Fleet) AgentServer(ctx context.Context, agentUUID string) (store.Server, error) {
	if !f.allowed.has(agentUUID) {
		return store.Server{}, fmt.Errorf("%w: agent %s is not enrolled or was revoked", ErrForbidden, agentUUID)
	}
	return f.st.ServerByUUID(ctx, agentUUID)
}

func taskErr(err error) error {
	if errors.Is(err, store.ErrTaskState) {
		return fmt.Errorf("%w: %v", fault.ErrConflict, err)
	}
	return err
}

func (f *Fleet) publishTask(ctx context.Context, t store.Task, msg string) {
	f.events.Publish(ctx, events.TaskChanged, t.ServerUUID, msg, map[string]any{"task_id": t.ID, "status": t.Status})
}

// prepare adds what a task needs at hand-out (PrepareTask).
func (f *Fleet) prepare(agent string, t agentapi.Task) (agentapi.Task, error) {
	if f.hooks.PrepareTask == nil {
		return t, nil
	}
	return f.hooks.PrepareTask(agent, t)
}

// taskEnded runs the TaskEnded hook.
func (f *Fleet) taskEnded(ctx context.Context, t store.Task) {
	if f.hooks.TaskEnded != nil {
		f.hooks.TaskEnded(ctx, t)
	}
}

// TaskLabel names a task's type in the event log, saying "dry run" when
// its payload asks for one: a dry run changes nothing, and the log must
// not read as if it had.
func TaskLabel(typ string, payload json.RawMessage) string {
	var p struct {
		DryRun bool `json:"dry_run"`
	}
	if json.Unmarshal(payload, &p) == nil && p.DryRun {
		return typ + " (dry run)"
	}
	return typ
}
