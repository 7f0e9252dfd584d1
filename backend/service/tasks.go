package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fleet"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// ParkedPolls is how many long polls of a server's agent are parked right
// now, waiting for work: each has looked for tasks, found none, and will be
// woken by the next task queued or by a revoke. Tests wait for it instead of
// sleeping before they queue or revoke.
func (s *Service) ParkedPolls(ctx context.Context, ref string) (int, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return 0, err
	}
	return s.Parked(sv.ID), nil
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
	s.publishTask(ctx, t, fmt.Sprintf("%s task %d queued for %s", fleet.TaskLabel(typ, raw), t.ID, sv.Name))
	s.Wake(sv.ID)
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

func (s *Service) publishTask(ctx context.Context, t store.Task, msg string) {
	s.publish(ctx, events.TaskChanged, t.ServerUUID, msg, map[string]any{"task_id": t.ID, "status": t.Status})
}
