package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Task statuses. A task is queued by the operator, dispatched to its agent
// by a poll, running once the agent says it started, then finished.
const (
	TaskQueued     = "queued"
	TaskDispatched = "dispatched"
	TaskRunning    = "running"
	TaskSucceeded  = "succeeded"
	TaskFailed     = "failed"
	TaskCancelled  = "cancelled"
)

// ErrTaskState means a task is not in a state that allows the transition.
var ErrTaskState = errors.New("task is not in a state that allows this")

// Task is one unit of work for one agent.
type Task struct {
	ID           int64           `json:"id"`
	ServerID     int64           `json:"server_id"`
	ServerName   string          `json:"server_name"`
	ServerUUID   string          `json:"server_uuid"`
	Type         string          `json:"type"`
	Payload      json.RawMessage `json:"payload" ts_type:"any"`
	Status       string          `json:"status"`
	CreatedAt    time.Time       `json:"created_at" ts_type:"string"`
	DispatchedAt *time.Time      `json:"dispatched_at" ts_type:"string"`
	StartedAt    *time.Time      `json:"started_at" ts_type:"string"`
	FinishedAt   *time.Time      `json:"finished_at" ts_type:"string"`
	Progress     json.RawMessage `json:"progress" ts_type:"any"`
	Result       json.RawMessage `json:"result" ts_type:"any"`
	Error        string          `json:"error"`
}

const taskColumns = `t.id, t.server_id, s.name, s.uuid, t.type, t.payload_json, t.status, t.created_at,
	t.dispatched_at, t.started_at, t.finished_at, t.progress_json, t.result_json, t.error`

const taskFrom = ` FROM tasks t JOIN servers s ON s.id = t.server_id`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var payload, created, progress, result string
	var dispatched, started, finished sql.NullString
	if err := row.Scan(&t.ID, &t.ServerID, &t.ServerName, &t.ServerUUID, &t.Type, &payload, &t.Status, &created,
		&dispatched, &started, &finished, &progress, &result, &t.Error); err != nil {
		return Task{}, err
	}
	t.Payload = rawOrNil(payload)
	t.CreatedAt = parseTS(created)
	t.DispatchedAt = parseNullTS(dispatched)
	t.StartedAt = parseNullTS(started)
	t.FinishedAt = parseNullTS(finished)
	t.Progress = rawOrNil(progress)
	t.Result = rawOrNil(result)
	return t, nil
}

// CreateTask queues a task for a server.
func (s *Store) CreateTask(ctx context.Context, serverID int64, typ string, payload []byte) (Task, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO tasks (server_id, type, payload_json, status, created_at) VALUES (?, ?, ?, ?, ?)`,
		serverID, typ, jsonOrNull(payload), TaskQueued, ts(s.now()))
	if err != nil {
		return Task{}, fmt.Errorf("queue %s task: %w", typ, err)
	}
	id, _ := res.LastInsertId()
	return s.Task(ctx, id)
}

// Task returns the task with id.
func (s *Store) Task(ctx context.Context, id int64) (Task, error) {
	t, err := scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ?`, id))
	return one(t, err, fmt.Sprintf("task %d", id))
}

// ListTasks returns the newest tasks, of one server when serverID > 0.
func (s *Store) ListTasks(ctx context.Context, serverID int64, limit int) ([]Task, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE (?1 = 0 OR t.server_id = ?1) ORDER BY t.id DESC LIMIT ?2`, serverID, limit)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ClaimTasks hands up to max queued tasks of a server to its agent, oldest
// first. Tasks dispatched before staleBefore that the agent never started
// (it died, or the reply was lost) are queued again first.
func (s *Store) ClaimTasks(ctx context.Context, serverID int64, max int, staleBefore time.Time) ([]Task, error) {
	if max <= 0 {
		return nil, nil
	}
	now := ts(s.now())
	if _, err := s.w.ExecContext(ctx, `UPDATE tasks SET status = ?, dispatched_at = NULL
		WHERE server_id = ? AND status = ? AND dispatched_at < ?`, TaskQueued, serverID, TaskDispatched, ts(staleBefore)); err != nil {
		return nil, fmt.Errorf("requeue stale tasks: %w", err)
	}
	ids, err := s.returningIDs(ctx, `UPDATE tasks SET status = ?, dispatched_at = ?
		WHERE id IN (SELECT id FROM tasks WHERE server_id = ? AND status = ? ORDER BY id LIMIT ?)
		RETURNING id`, TaskDispatched, now, serverID, TaskQueued, max)
	if err != nil {
		return nil, fmt.Errorf("claim tasks: %w", err)
	}
	return loadEach(ctx, ids, s.Task)
}

// StartTask marks a dispatched task of serverID running.
func (s *Store) StartTask(ctx context.Context, serverID, id int64) (Task, error) {
	return s.transition(ctx, serverID, id, `status = 'running', started_at = ?2`, []string{TaskDispatched, TaskQueued}, ts(s.now()))
}

// TaskProgress stores a running task's latest progress.
func (s *Store) TaskProgress(ctx context.Context, serverID, id int64, progress []byte) (Task, error) {
	return s.transition(ctx, serverID, id, `progress_json = ?2`, []string{TaskRunning}, jsonOrNull(progress))
}

// CompleteTask records a task's outcome.
func (s *Store) CompleteTask(ctx context.Context, serverID, id int64, status string, result []byte, errText string) (Task, error) {
	if status != TaskSucceeded && status != TaskFailed {
		return Task{}, fmt.Errorf("complete task %d: status %q: %w", id, status, ErrTaskState)
	}
	return s.transition(ctx, serverID, id, `status = ?2, finished_at = ?3, result_json = ?4, error = ?5`,
		[]string{TaskRunning, TaskDispatched}, status, ts(s.now()), jsonOrNull(result), errText)
}

// transition applies set (whose parameters start at ?2) to task id of
// serverID if its status is one of from. ?1 is the task id.
func (s *Store) transition(ctx context.Context, serverID, id int64, set string, from []string, args ...any) (Task, error) {
	t, err := s.Task(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if t.ServerID != serverID {
		// Another agent's task: answer as if it did not exist.
		return Task{}, fmt.Errorf("task %d: %w", id, ErrNotFound)
	}
	ok := false
	for _, f := range from {
		ok = ok || t.Status == f
	}
	if !ok {
		return Task{}, fmt.Errorf("task %d is %s: %w", id, t.Status, ErrTaskState)
	}
	// The status is checked again in the UPDATE, so two racing requests
	// cannot both make the same transition.
	fromJSON, _ := json.Marshal(from)
	q := fmt.Sprintf(`UPDATE tasks SET %s WHERE id = ?1 AND status IN (SELECT value FROM json_each(?%d))`, set, len(args)+2)
	res, err := s.w.ExecContext(ctx, q, append(append([]any{id}, args...), string(fromJSON))...)
	if err != nil {
		return Task{}, fmt.Errorf("update task %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Task{}, fmt.Errorf("task %d changed meanwhile: %w", id, ErrTaskState)
	}
	return s.Task(ctx, id)
}

// LostTasks fails the running tasks of a server that its agent no longer
// reports (started before startedBefore and not in running) and returns them.
func (s *Store) LostTasks(ctx context.Context, serverID int64, running []int64, startedBefore time.Time) ([]Task, error) {
	ids, _ := json.Marshal(running)
	lost, err := s.returningIDs(ctx, `UPDATE tasks SET status = ?, finished_at = ?, error = ?
		WHERE server_id = ? AND status = ? AND started_at < ? AND id NOT IN (SELECT value FROM json_each(?))
		RETURNING id`, TaskFailed, ts(s.now()), "interrupted: the agent stopped or restarted while running this task", serverID, TaskRunning, ts(startedBefore), string(ids))
	if err != nil {
		return nil, fmt.Errorf("find lost tasks: %w", err)
	}
	return loadEach(ctx, lost, s.Task)
}

// CancelTask cancels a task that has not finished.
func (s *Store) CancelTask(ctx context.Context, id int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE tasks SET status = ?, finished_at = ?, error = 'cancelled by the operator'
		WHERE id = ? AND status IN (?, ?, ?)`, TaskCancelled, ts(s.now()), id, TaskQueued, TaskDispatched, TaskRunning)
	return err
}

// CancelledAmong returns which of ids are cancelled tasks of a server.
func (s *Store) CancelledAmong(ctx context.Context, serverID int64, ids []int64) ([]int64, error) {
	raw, _ := json.Marshal(ids)
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM tasks WHERE server_id = ? AND status = ? AND id IN (SELECT value FROM json_each(?))`,
		serverID, TaskCancelled, string(raw))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
