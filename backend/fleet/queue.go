package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// Server returns the server whose id, UUID or name is ref.
func (f *Fleet) Server(ctx context.Context, ref string) (store.Server, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return store.Server{}, fmt.Errorf("%w: name a server by its name, id or UUID", fault.ErrInvalid)
	}
	return f.st.FindServer(ctx, ref)
}

// ParkedPolls is how many long polls of a server's agent are parked right
// now, waiting for work: each has looked for tasks, found none, and will be
// woken by the next task queued or by a revoke. Tests wait for it instead of
// sleeping before they queue or revoke.
func (f *Fleet) ParkedPolls(ctx context.Context, ref string) (int, error) {
	sv, err := f.Server(ctx, ref)
	if err != nil {
		return 0, err
	}
	return f.Parked(sv.ID), nil
}

// QueueTask queues a task for a server's agent and wakes its long poll.
func (f *Fleet) QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error) {
	sv, err := f.Server(ctx, ref)
	if err != nil {
		return store.Task{}, err
	}
	if sv.Status == store.ServerRevoked {
		return store.Task{}, fmt.Errorf("%w: server %s is revoked", fault.ErrInvalid, sv.Name)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return store.Task{}, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	t, err := f.st.CreateTask(ctx, sv.ID, typ, raw)
	if err != nil {
		return store.Task{}, err
	}
	f.publishTask(ctx, t, fmt.Sprintf("%s task %d queued for %s", TaskLabel(typ, raw), t.ID, sv.Name))
	f.Wake(sv.ID)
	return t, nil
}

// ListTasks returns the newest tasks, of one server when ref is not empty.
func (f *Fleet) ListTasks(ctx context.Context, ref string, limit int) ([]store.Task, error) {
	var id int64
	if ref != "" {
		sv, err := f.Server(ctx, ref)
		if err != nil {
			return nil, err
		}
		id = sv.ID
	}
	return f.st.ListTasks(ctx, id, min(max(limit, 1), 1000))
}

// PingResult is the outcome of PingServer.
type PingResult struct {
	TaskID      int64   `json:"task_id"`
	Echo        string  `json:"echo"`
	Hostname    string  `json:"hostname"`
	RoundTripMS float64 `json:"round_trip_ms"`
}

// PingServer queues a test task on a server's agent and waits for its echo:
// the proof that the agent is enrolled, pulling and running tasks.
func (f *Fleet) PingServer(ctx context.Context, ref string, timeout time.Duration) (PingResult, error) {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	msg := "ping " + hex.EncodeToString(nonce)
	start := time.Now()
	t, err := f.QueueTask(ctx, ref, agentapi.TaskTest, agentapi.TestPayload{Message: msg})
	if err != nil {
		return PingResult{}, err
	}
	done, err := f.WaitTaskDone(ctx, t.ID, timeout)
	if err != nil {
		return PingResult{}, fmt.Errorf("ping: %w", err)
	}
	if done.Status != store.TaskSucceeded {
		return PingResult{}, fmt.Errorf("ping: test task %d %s: %s", t.ID, done.Status, done.Error)
	}
	var r agentapi.TestResult
	json.Unmarshal(done.Result, &r)
	if r.Echo != msg {
		return PingResult{}, fmt.Errorf("ping: the agent answered %q, not %q", r.Echo, msg)
	}
	return PingResult{TaskID: t.ID, Echo: r.Echo, Hostname: r.Hostname, RoundTripMS: float64(time.Since(start).Microseconds()) / 1000}, nil
}

// Task returns a task.
func (f *Fleet) Task(ctx context.Context, id int64) (store.Task, error) { return f.st.Task(ctx, id) }

// WaitTask waits (up to an hour, or until ctx ends) for a task to finish;
// a failed task is returned as it is (it says how it failed).
func (f *Fleet) WaitTask(ctx context.Context, id int64) (store.Task, error) {
	return f.WaitTaskDone(ctx, id, time.Hour)
}

// WaitTaskOK waits for a task and fails unless it succeeded.
func (f *Fleet) WaitTaskOK(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	done, err := f.WaitTaskDone(ctx, id, timeout)
	if err == nil && done.Status != store.TaskSucceeded {
		err = fmt.Errorf("task %d %s: %s", id, done.Status, done.Error)
	}
	return done, err
}

// WaitTaskDone waits until a task has finished, whatever its outcome; it
// fails only when timeout or ctx ends first.
func (f *Fleet) WaitTaskDone(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var done store.Task
	err := f.events.WaitUntil(wctx, func() (bool, error) {
		var err error
		done, err = f.st.Task(wctx, id)
		return err == nil && done.Status != store.TaskQueued && done.Status != store.TaskDispatched && done.Status != store.TaskRunning, err
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return done, fmt.Errorf("the agent of %s did not answer within %s (task %d is %s): is it running and online?", done.ServerName, timeout, id, done.Status)
	}
	return done, err
}
