package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Drill statuses.
const (
	DrillRunning = "running"
	DrillPassed  = "passed"
	DrillFailed  = "failed"
)

// Drill is one restore drill: a job's latest archive restored into a
// scratch directory on the coordinator and checked against the archive.
type Drill struct {
	ID         int64      `json:"id"`
	JobID      int64      `json:"job_id"`
	JobName    string     `json:"job_name"`
	ServerID   int64      `json:"server_id"`
	ServerUUID string     `json:"server_uuid"`
	ServerName string     `json:"server_name"`
	Archive    string     `json:"archive"`
	Mode       string     `json:"mode"` // "sample" or "full"
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at" ts_type:"string"`
	FinishedAt *time.Time `json:"finished_at" ts_type:"string"`
	Files      int64      `json:"files"`
	Bytes      int64      `json:"bytes"`
	Checked    int64      `json:"checked"`
	Mismatches int64      `json:"mismatches"`
	Error      string     `json:"error"`
}

const drillColumns = `d.id, d.job_id, j.name, d.server_id, s.uuid, s.name, d.archive, d.mode, d.status, d.started_at, d.finished_at,
	d.files, d.bytes, d.checked, d.mismatches, d.error`

const drillFrom = ` FROM drills d JOIN jobs j ON j.id = d.job_id JOIN servers s ON s.id = d.server_id`

func scanDrill(row interface{ Scan(...any) error }) (Drill, error) {
	var d Drill
	var started string
	var finished sql.NullString
	err := row.Scan(&d.ID, &d.JobID, &d.JobName, &d.ServerID, &d.ServerUUID, &d.ServerName, &d.Archive, &d.Mode, &d.Status,
		&started, &finished, &d.Files, &d.Bytes, &d.Checked, &d.Mismatches, &d.Error)
	if err != nil {
		return d, err
	}
	d.StartedAt = parseTS(started)
	d.FinishedAt = parseNullTS(finished)
	return d, nil
}

// StartDrill records a drill that begins now, and the job's last drill time.
func (s *Store) StartDrill(ctx context.Context, j Job, archive, mode string) (Drill, error) {
	now := ts(s.now())
	res, err := s.w.ExecContext(ctx, `INSERT INTO drills (job_id, server_id, archive, mode, status, started_at) VALUES (?, ?, ?, ?, ?, ?)`,
		j.ID, j.ServerID, archive, mode, DrillRunning, now)
	if err != nil {
		return Drill{}, fmt.Errorf("start drill: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE jobs SET last_drill_at = ? WHERE id = ?`, now, j.ID); err != nil {
		return Drill{}, err
	}
	id, _ := res.LastInsertId()
	return s.Drill(ctx, id)
}

// Drill returns one drill.
func (s *Store) Drill(ctx context.Context, id int64) (Drill, error) {
	d, err := scanDrill(s.db.QueryRowContext(ctx, `SELECT `+drillColumns+drillFrom+` WHERE d.id = ?`, id))
	return one(d, err, fmt.Sprintf("drill %d", id))
}

// FinishDrill records a drill's outcome.
func (s *Store) FinishDrill(ctx context.Context, d Drill) (Drill, error) {
	_, err := s.w.ExecContext(ctx, `UPDATE drills SET status = ?, finished_at = ?, files = ?, bytes = ?, checked = ?, mismatches = ?, error = ? WHERE id = ?`,
		d.Status, ts(s.now()), d.Files, d.Bytes, d.Checked, d.Mismatches, d.Error, d.ID)
	if err != nil {
		return d, fmt.Errorf("finish drill: %w", err)
	}
	return s.Drill(ctx, d.ID)
}

// ListDrills returns the newest drills, of one server when serverID > 0.
func (s *Store) ListDrills(ctx context.Context, serverID int64, limit int) ([]Drill, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+drillColumns+drillFrom+` WHERE (? = 0 OR d.server_id = ?) ORDER BY d.id DESC LIMIT ?`, serverID, serverID, limit)
	if err != nil {
		return nil, fmt.Errorf("list drills: %w", err)
	}
	defer rows.Close()
	out := []Drill{}
	for rows.Next() {
		d, err := scanDrill(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FailInterruptedDrills fails the drills a stopped coordinator left running.
func (s *Store) FailInterruptedDrills(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `UPDATE drills SET status = ?, finished_at = ?, error = 'interrupted: the coordinator stopped during the drill' WHERE status = ?`,
		DrillFailed, ts(s.now()), DrillRunning)
	return err
}

// SetDrillSchedule sets a job's drill schedule ("" for none).
func (s *Store) SetDrillSchedule(ctx context.Context, jobID int64, schedule string) (Job, error) {
	if _, err := s.w.ExecContext(ctx, `UPDATE jobs SET drill_schedule = ?, updated_at = ? WHERE id = ?`, schedule, ts(s.now()), jobID); err != nil {
		return Job{}, err
	}
	return s.Job(ctx, jobID)
}

// HasArchives reports whether a server has a successful run.
func (s *Store) HasArchives(ctx context.Context, serverID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.server_id = ? AND r.status IN ('succeeded', 'warning')`, serverID).Scan(&n)
	return n > 0, err
}
