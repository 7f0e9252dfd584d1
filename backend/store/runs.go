package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run statuses. A run is written as running before it starts and finished
// with one of the terminal states.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
)

// Run is one execution of a job.
type Run struct {
	ID         int64      `json:"id"`
	JobID      int64      `json:"job_id"`
	JobName    string     `json:"job_name"`
	ServerName string     `json:"server_name"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at" ts_type:"string"`
	FinishedAt *time.Time `json:"finished_at" ts_type:"string"`
	Bytes      int64      `json:"bytes"`
	Files      int64      `json:"files"`
	Error      string     `json:"error"`
}

const runColumns = `r.id, r.job_id, j.name, s.name, r.status, r.started_at, r.finished_at, r.bytes, r.files, r.error`

const runFrom = ` FROM runs r JOIN jobs j ON j.id = r.job_id JOIN servers s ON s.id = j.server_id`

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started string
	var finished sql.NullString
	if err := row.Scan(&r.ID, &r.JobID, &r.JobName, &r.ServerName, &r.Status, &started, &finished, &r.Bytes, &r.Files, &r.Error); err != nil {
		return Run{}, err
	}
	r.StartedAt = parseTS(started)
	r.FinishedAt = parseNullTS(finished)
	return r, nil
}

// StartRun records that job jobID is running.
func (s *Store) StartRun(ctx context.Context, jobID int64) (Run, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs (job_id, status, started_at) VALUES (?, ?, ?)`, jobID, RunRunning, ts(s.now()))
	if err != nil {
		return Run{}, fmt.Errorf("start run of job %d: %w", jobID, err)
	}
	id, _ := res.LastInsertId()
	return s.Run(ctx, id)
}

// FinishRun records the outcome of a running run.
func (s *Store) FinishRun(ctx context.Context, id int64, status string, bytes, files int64, errText string) (Run, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, bytes = ?, files = ?, error = ?
		WHERE id = ? AND status = ?`, status, ts(s.now()), bytes, files, errText, id, RunRunning)
	if err != nil {
		return Run{}, fmt.Errorf("finish run %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Run{}, fmt.Errorf("finish run %d: no running run with that id: %w", id, ErrNotFound)
	}
	return s.Run(ctx, id)
}

// FailInterruptedRuns marks runs left "running" by a previous process as
// failed; it returns how many it marked. Called once at start-up.
func (s *Store) FailInterruptedRuns(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE status = ?`,
		RunFailed, ts(s.now()), "interrupted: the coordinator stopped while this run was in progress", RunRunning)
	if err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Run returns the run with id.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+runFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	return r, err
}

// ListRuns returns the most recent runs, newest first.
func (s *Store) ListRuns(ctx context.Context, limit int) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+runFrom+` ORDER BY r.started_at DESC, r.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRunning returns how many runs are in progress.
func (s *Store) CountRunning(ctx context.Context) (int, error) {
	return s.count(ctx, `SELECT COUNT(*) FROM runs WHERE status = ?`, RunRunning)
}
