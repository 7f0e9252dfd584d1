package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/events"
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

// ParkedPolls is how many long polls of a server's agent are parked right
// now, waiting for work: each has looked for tasks, found none, and will be
// woken by the next task queued or by a revoke. Tests wait for it instead of
// sleeping before they queue or revoke.
func (s *Service) ParkedPolls(ctx context.Context, ref string) (int, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return 0, err
	}
	return s.wake.waiting(sv.ID), nil
}

// QueueTask queues a task for a server's agent and wakes its long poll.
func (s *Service) QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return store.Task{}, err
	}
	if sv.Status == store.ServerRevoked {
		return store.Task{}, fmt.Errorf("%w: server %s is revoked", ErrInvalid, sv.Name)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return store.Task{}, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	t, err := s.st.CreateTask(ctx, sv.ID, typ, raw)
	if err != nil {
		return store.Task{}, err
	}
	s.publishTask(ctx, t, fmt.Sprintf("%s task %d queued for %s", taskLabel(typ, raw), t.ID, sv.Name))
	s.wake.wake(sv.ID)
	return t, nil
}

// ListTasks returns the newest tasks, of one server when ref is not empty.
func (s *Service) ListTasks(ctx context.Context, ref string, limit int) ([]store.Task, error) {
	var id int64
	if ref != "" {
		sv, err := s.Server(ctx, ref)
		if err != nil {
			return nil, err
		}
		id = sv.ID
	}
	return s.st.ListTasks(ctx, id, clampLimit(limit))
}

// WaitTasks is the agent's long poll: it returns up to max tasks as soon as
// there are any, or none after wait. A revoke ends it at once.
func (s *Service) WaitTasks(ctx context.Context, agentUUID string, max int, wait time.Duration) ([]agentapi.Task, error) {
	sv, err := s.agentServer(ctx, agentUUID)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		woken := s.wake.wait(sv.ID) // take the channel before looking, so no wake is missed
		if !s.allowed.has(agentUUID) {
			return nil, fmt.Errorf("%w: agent %s was revoked", ErrForbidden, agentUUID)
		}
		claimed, err := s.st.ClaimTasks(ctx, sv.ID, max, s.now().Add(-s.taskLease))
		if err != nil {
			return nil, err
		}
		if len(claimed) > 0 {
			out := make([]agentapi.Task, 0, len(claimed))
			for _, t := range claimed {
				at, err := s.withPassphrase(agentUUID, agentapi.Task{ID: t.ID, Type: t.Type, Payload: t.Payload, CreatedAt: t.CreatedAt})
				if err != nil {
					s.st.CompleteTask(ctx, sv.ID, t.ID, store.TaskFailed, nil, "cannot hand out the task: "+err.Error())
					continue
				}
				out = append(out, at)
			}
			if len(out) > 0 {
				return out, nil
			}
			continue
		}
		if !s.wake.sleep(ctx, sv.ID, woken, timer.C) {
			return []agentapi.Task{}, nil
		}
	}
}

// StartTask records that the agent started a task.
func (s *Service) StartTask(ctx context.Context, agentUUID string, id int64) error {
	sv, err := s.agentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	t, err := s.st.StartTask(ctx, sv.ID, id)
	if err != nil {
		return taskErr(err)
	}
	s.publishTask(ctx, t, fmt.Sprintf("%s task %d started on %s", t.Type, t.ID, sv.Name))
	return nil
}

// ProgressTask records a running task's progress; it is announced live only.
func (s *Service) ProgressTask(ctx context.Context, agentUUID string, id int64, p agentapi.TaskProgress) error {
	sv, err := s.agentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(p)
	t, err := s.st.TaskProgress(ctx, sv.ID, id, raw)
	if err != nil {
		return taskErr(err)
	}
	s.announce(events.TaskChanged, sv.UUID, map[string]any{"task_id": t.ID, "status": t.Status, "progress": p})
	if t.Type == agentapi.TaskBackup {
		if r, err := s.st.RunByTask(ctx, t.ID); err == nil {
			s.announce(events.RunProgress, sv.UUID, map[string]any{"run_id": r.ID, "status": r.Status, "files": p.Files, "bytes": p.Bytes, "path": p.Message})
		}
	}
	return nil
}

// CompleteTask records a task's outcome.
func (s *Service) CompleteTask(ctx context.Context, agentUUID string, id int64, c agentapi.TaskComplete) error {
	sv, err := s.agentServer(ctx, agentUUID)
	if err != nil {
		return err
	}
	t, err := s.st.CompleteTask(ctx, sv.ID, id, c.Status, c.Result, c.Error)
	if err != nil {
		return taskErr(err)
	}
	msg := fmt.Sprintf("%s task %d %s on %s", taskLabel(t.Type, t.Payload), t.ID, t.Status, sv.Name)
	if t.Error != "" {
		msg += ": " + t.Error
	}
	s.publishTask(ctx, t, msg)
	if t.Type == agentapi.TaskBackup {
		s.finishBackup(ctx, t)
	}
	s.taskEnded(t)
	return nil
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
func (s *Service) PingServer(ctx context.Context, ref string, timeout time.Duration) (PingResult, error) {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	msg := "ping " + hex.EncodeToString(nonce)
	start := time.Now()
	t, err := s.QueueTask(ctx, ref, agentapi.TaskTest, agentapi.TestPayload{Message: msg})
	if err != nil {
		return PingResult{}, err
	}
	done, err := s.waitTaskDone(ctx, t.ID, timeout)
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

// agentServer finds the server of an allowed agent.
func (s *Service) agentServer(ctx context.Context, agentUUID string) (store.Server, error) {
	if !s.allowed.has(agentUUID) {
		return store.Server{}, fmt.Errorf("%w: agent %s is not enrolled or was revoked", ErrForbidden, agentUUID)
	}
	return s.st.ServerByUUID(ctx, agentUUID)
}

func taskErr(err error) error {
	if errors.Is(err, store.ErrTaskState) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

func (s *Service) publishTask(ctx context.Context, t store.Task, msg string) {
	s.publish(ctx, events.TaskChanged, t.ServerUUID, msg, map[string]any{"task_id": t.ID, "status": t.Status})
}
