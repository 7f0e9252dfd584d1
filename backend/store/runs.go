package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run statuses. A run is queued, then running once its task is handed to
// the agent, then finished with one of the terminal states.
const (
	RunQueued    = "queued"
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunWarning   = "warning"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
)

// Run is one execution of a job.
type Run struct {
	ID           int64      `json:"id"`
	JobID        int64      `json:"job_id"`
	JobName      string     `json:"job_name"`
	ServerID     int64      `json:"server_id"`
	ServerName   string     `json:"server_name"`
	Status       string     `json:"status"`
	Trigger      string     `json:"trigger"`
	Attempt      int        `json:"attempt"`
	TaskID       int64      `json:"task_id"`
	StartedAt    time.Time  `json:"started_at" ts_type:"string"`
	FinishedAt   *time.Time `json:"finished_at" ts_type:"string"`
	Archive      string     `json:"archive"`
	Bytes        int64      `json:"bytes"`
	Files        int64      `json:"files"`
	Deduplicated int64      `json:"deduplicated"`
	Error        string     `json:"error"`
	Log          string     `json:"log,omitempty"`
	// PrunedAt is when the run's archive was pruned (nil while it is in
	// the repository, or when the run made none).
	PrunedAt *time.Time `json:"pruned_at" ts_type:"string"`
}

const runColumns = `r.id, r.job_id, j.name, s.id, s.name, r.status, r.trigger, r.attempt, COALESCE(r.task_id, 0), r.started_at, r.finished_at,
	r.archive, r.bytes, r.files, r.deduplicated, r.error, r.log, r.pruned_at`

const runFrom = ` FROM runs r JOIN jobs j ON j.id = r.job_id JOIN servers s ON s.id = j.server_id`

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started string
	var finished, pruned sql.NullString
	if err := row.Scan(&r.ID, &r.JobID, &r.JobName, &r.ServerID, &r.ServerName, &r.Status, &r.Trigger, &r.Attempt, &r.TaskID, &started, &finished,
		&r.Archive, &r.Bytes, &r.Files, &r.Deduplicated, &r.Error, &r.Log, &pruned); err != nil {
		return Run{}, err
	}
	r.PrunedAt = parseNullTS(pruned)
	r.StartedAt = parseTS(started)
	r.FinishedAt = parseNullTS(finished)
	return r, nil
}

// StartRun records that job jobID is running (a run with no task).
func (s *Store) StartRun(ctx context.Context, jobID int64) (Run, error) {
	return s.insertRun(ctx, jobID, RunRunning, "", 1)
}

// QueueRun queues a run of a job.
func (s *Store) QueueRun(ctx context.Context, jobID int64, trigger string, attempt int) (Run, error) {
	return s.insertRun(ctx, jobID, RunQueued, trigger, attempt)
}

func (s *Store) insertRun(ctx context.Context, jobID int64, status, trigger string, attempt int) (Run, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO runs (job_id, status, trigger, attempt, started_at) VALUES (?, ?, ?, ?, ?)`,
		jobID, status, trigger, attempt, ts(s.now()))
	if err != nil {
		return Run{}, fmt.Errorf("record run of job %d: %w", jobID, err)
	}
	id, _ := res.LastInsertId()
	return s.Run(ctx, id)
}

// NextQueuedRun returns the oldest queued run of a server if none of its
// runs is running (one run per repository at a time).
func (s *Store) NextQueuedRun(ctx context.Context, serverID int64) (Run, bool, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+runFrom+`
		WHERE s.id = ?1 AND r.status = 'queued'
		AND NOT EXISTS (SELECT 1 FROM runs r2 JOIN jobs j2 ON j2.id = r2.job_id WHERE j2.server_id = ?1 AND r2.status = 'running')
		ORDER BY r.id LIMIT 1`, serverID))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, err
	}
	return r, true, nil
}

// MarkRunRunning links a queued run to its task.
func (s *Store) MarkRunRunning(ctx context.Context, id, taskID int64, archive string) (Run, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE runs SET status = ?, task_id = ?, archive = ?, started_at = ? WHERE id = ? AND status = ?`,
		RunRunning, taskID, archive, ts(s.now()), id, RunQueued)
	if err != nil {
		return Run{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Run{}, fmt.Errorf("run %d is not queued: %w", id, ErrNotFound)
	}
	return s.Run(ctx, id)
}

// RunOutcome is how a run ended.
type RunOutcome struct {
	Status       string
	Bytes        int64
	Files        int64
	Deduplicated int64
	Archive      string
	Error        string
	Log          string
}

// FinishRun records the outcome of a queued or running run. A failed or
// cancelled run keeps only an archive its outcome names: the name it was
// started with belongs to an archive that was never made.
func (s *Store) FinishRun(ctx context.Context, id int64, o RunOutcome) (Run, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE runs SET status = ?1, finished_at = ?2, bytes = ?3, files = ?4, deduplicated = ?5,
		archive = CASE WHEN ?6 != '' THEN ?6 WHEN ?1 IN (?9, ?10) THEN '' ELSE archive END, error = ?7, log = ?8
		WHERE id = ?11 AND status IN (?12, ?13)`, o.Status, ts(s.now()), o.Bytes, o.Files, o.Deduplicated, o.Archive, o.Error, o.Log,
		RunFailed, RunCancelled, id, RunRunning, RunQueued)
	if err != nil {
		return Run{}, fmt.Errorf("finish run %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Run{}, fmt.Errorf("finish run %d: no unfinished run with that id: %w", id, ErrNotFound)
	}
	return s.Run(ctx, id)
}

// FailInterruptedRuns marks runs left "running" by a previous process as
// failed and returns them (the caller retries them).
func (s *Store) FailInterruptedRuns(ctx context.Context) ([]Run, error) {
	// A run whose task is still with its agent is not lost: the agent
	// reports it finished, or its heartbeat says it was lost.
	ids, err := s.returningIDs(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE status = ?
		AND (task_id IS NULL OR task_id NOT IN (SELECT id FROM tasks WHERE status IN ('queued', 'dispatched', 'running')))
		RETURNING id`,
		RunFailed, ts(s.now()), "interrupted: the coordinator stopped while this run was in progress", RunRunning)
	if err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return loadEach(ctx, ids, s.Run)
}

// Run returns the run with id.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+runFrom+` WHERE r.id = ?`, id))
	return one(r, err, fmt.Sprintf("run %d", id))
}

// RunByTask returns the run a task carries out.
func (s *Store) RunByTask(ctx context.Context, taskID int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+runFrom+` WHERE r.task_id = ?`, taskID))
	return one(r, err, fmt.Sprintf("run of task %d", taskID))
}

// ListRuns returns the most recent runs, newest first, without logs; of one
// job when jobID > 0.
func (s *Store) ListRuns(ctx context.Context, limit int) ([]Run, error) {
	return s.listRuns(ctx, 0, limit)
}

// ListJobRuns returns a job's most recent runs.
func (s *Store) ListJobRuns(ctx context.Context, jobID int64, limit int) ([]Run, error) {
	return s.listRuns(ctx, jobID, limit)
}

func (s *Store) listRuns(ctx context.Context, jobID int64, limit int) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+runFrom+` WHERE (?1 = 0 OR r.job_id = ?1) ORDER BY r.started_at DESC, r.id DESC LIMIT ?2`, jobID, limit)
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
		r.Log = ""
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRunning returns how many runs are in progress.
func (s *Store) CountRunning(ctx context.Context) (int, error) {
	return s.count(ctx, `SELECT COUNT(*) FROM runs WHERE status = ?`, RunRunning)
}

// KnownArchives returns the archives Borgdesk's runs created on a server
// and has not pruned itself. A .flx job's runs (kind flx) made snapshot
// files, never archives in a repository: they are not among them.
func (s *Store) KnownArchives(ctx context.Context, serverID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.archive FROM runs r JOIN jobs j ON j.id = r.job_id
		WHERE j.server_id = ? AND j.kind != 'flx' AND r.archive != '' AND r.status IN ('succeeded', 'warning') AND r.pruned_at IS NULL`, serverID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MarkPruned records that Borgdesk's prune removed these archives.
func (s *Store) MarkPruned(ctx context.Context, serverID int64, archives []string) error {
	for _, a := range archives {
		if _, err := s.w.ExecContext(ctx, `UPDATE runs SET pruned_at = ? WHERE archive = ? AND job_id IN (SELECT id FROM jobs WHERE server_id = ?)`,
			ts(s.now()), a, serverID); err != nil {
			return err
		}
	}
	return nil
}

// LastBackups returns, per server id, when its newest successful (or
// warning) run finished.
func (s *Store) LastBackups(ctx context.Context) (map[int64]time.Time, error) {
	// Per job through the (job_id, status, finished_at) index: a lookup per
	// job, not a scan of every run.
	rows, err := s.db.QueryContext(ctx, `SELECT j.server_id, max(
			COALESCE((SELECT max(finished_at) FROM runs r WHERE r.job_id = j.id AND r.status = 'succeeded'), ''),
			COALESCE((SELECT max(finished_at) FROM runs r WHERE r.job_id = j.id AND r.status = 'warning'), ''))
		FROM jobs j`)
	if err != nil {
		return nil, fmt.Errorf("last backups: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		if at == "" {
			continue
		}
		if t := parseTS(at); t.After(out[id]) {
			out[id] = t
		}
	}
	return out, rows.Err()
}

// JobRunFacts is what a job's health is judged on.
type JobRunFacts struct {
	// LastSuccess is when its newest succeeded (or warning) run finished.
	LastSuccess *time.Time
	// LastStatus, LastAt and LastError describe its newest finished run
	// that was not cancelled ("" when it has none).
	LastStatus string
	LastAt     *time.Time
	LastError  string
}

// JobRunFacts returns every job's facts, by job id: two index lookups per
// job, not a scan of the runs.
func (s *Store) JobRunFacts(ctx context.Context) (map[int64]JobRunFacts, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.id, max(
			COALESCE((SELECT max(finished_at) FROM runs r WHERE r.job_id = j.id AND r.status = 'succeeded'), ''),
			COALESCE((SELECT max(finished_at) FROM runs r WHERE r.job_id = j.id AND r.status = 'warning'), '')),
		COALESCE(l.status, ''), l.finished_at, COALESCE(l.error, '')
		FROM jobs j LEFT JOIN runs l ON l.id = (SELECT r.id FROM runs r WHERE r.job_id = j.id
			AND r.status IN ('succeeded', 'warning', 'failed') ORDER BY r.started_at DESC, r.id DESC LIMIT 1)`)
	if err != nil {
		return nil, fmt.Errorf("job run facts: %w", err)
	}
	defer rows.Close()
	out := map[int64]JobRunFacts{}
	for rows.Next() {
		var id int64
		var success string
		var lastAt sql.NullString
		var f JobRunFacts
		if err := rows.Scan(&id, &success, &f.LastStatus, &lastAt, &f.LastError); err != nil {
			return nil, err
		}
		if success != "" {
			t := parseTS(success)
			f.LastSuccess = &t
		}
		f.LastAt = parseNullTS(lastAt)
		out[id] = f
	}
	return out, rows.Err()
}

// RunsFinished returns the runs that finished in [from, to), oldest first
// (the digest's failures), without their logs.
func (s *Store) RunsFinished(ctx context.Context, from, to time.Time) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+runFrom+` WHERE r.finished_at >= ? AND r.finished_at < ? ORDER BY r.finished_at, r.id`, ts(from), ts(to))
	if err != nil {
		return nil, fmt.Errorf("runs finished: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("runs finished: %w", err)
		}
		r.Log = ""
		out = append(out, r)
	}
	return out, rows.Err()
}
