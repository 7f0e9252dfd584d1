package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Job is a backup definition for one server.
type Job struct {
	ID         int64  `json:"id"`
	ServerID   int64  `json:"server_id"`
	ServerName string `json:"server_name"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Spec       string `json:"spec"`
	Schedule   string `json:"schedule"`
	Enabled    bool   `json:"enabled"`
	// Keep is the retention policy (borg.Keep as JSON).
	Keep            string     `json:"keep"`
	LastScheduledAt *time.Time `json:"last_scheduled_at" ts_type:"string"`
	// DrillSchedule is a cron schedule for restore drills ("" none).
	DrillSchedule string     `json:"drill_schedule"`
	LastDrillAt   *time.Time `json:"last_drill_at" ts_type:"string"`
	// NotifySuccess: the operator hears of its successful runs too.
	NotifySuccess bool      `json:"notify_success"`
	ServerUUID    string    `json:"server_uuid"`
	CreatedAt     time.Time `json:"created_at" ts_type:"string"`
	UpdatedAt     time.Time `json:"updated_at" ts_type:"string"`
}

const jobColumns = `j.id, j.server_id, s.name, s.uuid, j.name, j.kind, j.spec_json, j.schedule, j.enabled, j.keep_json, j.last_scheduled_at, j.created_at, j.updated_at, j.drill_schedule, j.last_drill_at, j.notify_success`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var created, updated string
	var sched, drilled sql.NullString
	if err := row.Scan(&j.ID, &j.ServerID, &j.ServerName, &j.ServerUUID, &j.Name, &j.Kind, &j.Spec, &j.Schedule, &j.Enabled, &j.Keep, &sched, &created, &updated, &j.DrillSchedule, &drilled, &j.NotifySuccess); err != nil {
		return Job{}, err
	}
	j.LastDrillAt = parseNullTS(drilled)
	j.LastScheduledAt = parseNullTS(sched)
	j.CreatedAt = parseTS(created)
	j.UpdatedAt = parseTS(updated)
	return j, nil
}

// CreateJob inserts j.
func (s *Store) CreateJob(ctx context.Context, j Job) (Job, error) {
	if j.Spec == "" {
		j.Spec = "{}"
	}
	if j.Keep == "" {
		j.Keep = "{}"
	}
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO jobs (server_id, name, kind, spec_json, schedule, enabled, keep_json, notify_success, last_scheduled_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, j.ServerID, j.Name, j.Kind, j.Spec, j.Schedule, j.Enabled, j.Keep, j.NotifySuccess, ts(now), ts(now), ts(now))
	if err != nil {
		if isUniqueViolation(err) {
			return Job{}, fmt.Errorf("job %q: %w", j.Name, ErrConflict)
		}
		return Job{}, fmt.Errorf("create job %q: %w", j.Name, err)
	}
	id, _ := res.LastInsertId()
	return s.Job(ctx, id)
}

// Job returns the job with id.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs j JOIN servers s ON s.id = j.server_id WHERE j.id = ?`, id))
	return one(j, err, fmt.Sprintf("job %d", id))
}

// ListJobs returns every job, by server then name.
func (s *Store) ListJobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs j JOIN servers s ON s.id = j.server_id ORDER BY s.name, j.name`)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// CountJobs returns how many jobs there are.
func (s *Store) CountJobs(ctx context.Context) (int, error) {
	return s.count(ctx, `SELECT COUNT(*) FROM jobs`)
}

// FindJob returns a job by id, or by name (unique per server; ambiguous
// names across servers are refused).
func (s *Store) FindJob(ctx context.Context, ref string) (Job, error) {
	// An id wins over a name that looks like one.
	if j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs j JOIN servers s ON s.id = j.server_id
		WHERE CAST(j.id AS TEXT) = ?`, ref)); err == nil {
		return j, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs j JOIN servers s ON s.id = j.server_id
		WHERE j.name = ?1 OR (s.name || '/' || j.name) = ?1 LIMIT 2`, ref)
	if err != nil {
		return Job{}, err
	}
	defer rows.Close()
	var found []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return Job{}, err
		}
		found = append(found, j)
	}
	switch len(found) {
	case 0:
		return Job{}, fmt.Errorf("job %q: %w", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return Job{}, fmt.Errorf("job name %q is used on several servers; name it SERVER/JOB or by id: %w", ref, ErrConflict)
}

// SetJobScheduled records the schedule slot a job last ran for.
func (s *Store) SetJobScheduled(ctx context.Context, id int64, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE jobs SET last_scheduled_at = ? WHERE id = ?`, ts(at), id)
	return err
}

// DeleteJob removes a job and its runs.
func (s *Store) DeleteJob(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	return nil
}

// JobDefinition is what an edit may change: what a job backs up, when, and
// what it keeps.
type JobDefinition struct {
	Spec          string
	Schedule      string
	Keep          string
	NotifySuccess bool
}

// UpdateJob replaces a job's definition. When resetSchedule is set the
// schedule counts from now (a new schedule never fires for slots that
// passed before it existed). was is the updated_at the change was based
// on: ErrConflict when the job changed since (another operator's save).
func (s *Store) UpdateJob(ctx context.Context, id int64, def JobDefinition, resetSchedule bool, was time.Time) (Job, error) {
	now := ts(s.now())
	q := `UPDATE jobs SET spec_json = ?, schedule = ?, keep_json = ?, notify_success = ?, updated_at = ? WHERE id = ? AND updated_at = ?`
	args := []any{def.Spec, def.Schedule, def.Keep, def.NotifySuccess, now, id, ts(was)}
	if resetSchedule {
		q = `UPDATE jobs SET spec_json = ?, schedule = ?, keep_json = ?, notify_success = ?, updated_at = ?, last_scheduled_at = ? WHERE id = ? AND updated_at = ?`
		args = []any{def.Spec, def.Schedule, def.Keep, def.NotifySuccess, now, now, id, ts(was)}
	}
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return Job{}, fmt.Errorf("update job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Job(ctx, id); err != nil {
			return Job{}, err
		}
		return Job{}, fmt.Errorf("job %d changed since it was read: %w", id, ErrConflict)
	}
	return s.Job(ctx, id)
}

// SetJobEnabled pauses (false) or resumes a job's schedule. A resumed
// schedule counts from now: the slots that passed while it was paused are
// not caught up.
func (s *Store) SetJobEnabled(ctx context.Context, id int64, enabled bool) (Job, error) {
	now := ts(s.now())
	q := `UPDATE jobs SET enabled = ?, updated_at = ? WHERE id = ?`
	args := []any{enabled, now, id}
	if enabled {
		q = `UPDATE jobs SET enabled = ?, updated_at = ?, last_scheduled_at = ? WHERE id = ? AND enabled = 0`
		args = []any{enabled, now, now, id}
	}
	if _, err := s.w.ExecContext(ctx, q, args...); err != nil {
		return Job{}, fmt.Errorf("set job %d enabled: %w", id, err)
	}
	return s.Job(ctx, id)
}

// ActiveRuns lists a job's queued and running runs.
func (s *Store) ActiveRuns(ctx context.Context, jobID int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM runs WHERE job_id = ? AND status IN (?, ?) ORDER BY id`, jobID, RunQueued, RunRunning)
	if err != nil {
		return nil, fmt.Errorf("active runs of job %d: %w", jobID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
