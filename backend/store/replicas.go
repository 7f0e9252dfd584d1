package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Replica run outcomes.
const (
	ReplicaNever  = "never"
	ReplicaOK     = "ok"
	ReplicaFailed = "failed"
)

// Replica is a repository's second target and the outcome of its last
// replication. The target's secrets are files, never columns.
type Replica struct {
	ServerID        int64      `json:"server_id"`
	ServerUUID      string     `json:"server_uuid"`
	ServerName      string     `json:"server_name"`
	Kind            string     `json:"kind"`
	Target          string     `json:"-"` // replicate.Target as JSON, without secrets (ReplicaStatus shows it decoded)
	AfterBackup     bool       `json:"after_backup"`
	Schedule        string     `json:"schedule"`
	LastScheduledAt *time.Time `json:"last_scheduled_at" ts_type:"string"`
	Status          string     `json:"status"`
	Error           string     `json:"error"`
	Reason          string     `json:"reason"`
	// Archives are the archives of the last successful replica.
	Archives      []string   `json:"archives"`
	LastAttemptAt *time.Time `json:"last_attempt_at" ts_type:"string"`
	LastSuccessAt *time.Time `json:"last_success_at" ts_type:"string"`
	Bytes         int64      `json:"bytes"`
	Files         int64      `json:"files"`
	Transferred   int64      `json:"transferred"`
	DurationMS    int64      `json:"duration_ms"`
	Verified      string     `json:"verified"`
	CreatedAt     time.Time  `json:"created_at" ts_type:"string"`
	UpdatedAt     time.Time  `json:"updated_at" ts_type:"string"`
}

// ReplicaOutcome is what one replication run ended with.
type ReplicaOutcome struct {
	OK          bool
	Error       string
	Reason      string
	Archives    []string
	Bytes       int64
	Files       int64
	Transferred int64
	Duration    time.Duration
	Verified    string
}

const replicaColumns = `p.server_id, s.uuid, s.name, p.kind, p.target_json, p.after_backup, p.schedule, p.last_scheduled_at,
	p.status, p.error, p.reason, p.archives_json, p.last_attempt_at, p.last_success_at, p.bytes, p.files, p.transferred,
	p.duration_ms, p.verified, p.created_at, p.updated_at`

const replicaFrom = ` FROM replicas p JOIN servers s ON s.id = p.server_id`

func scanReplica(row interface{ Scan(...any) error }) (Replica, error) {
	var r Replica
	var scheduled, attempt, success sql.NullString
	var archives, created, updated string
	err := row.Scan(&r.ServerID, &r.ServerUUID, &r.ServerName, &r.Kind, &r.Target, &r.AfterBackup, &r.Schedule, &scheduled,
		&r.Status, &r.Error, &r.Reason, &archives, &attempt, &success, &r.Bytes, &r.Files, &r.Transferred,
		&r.DurationMS, &r.Verified, &created, &updated)
	if err != nil {
		return r, err
	}
	r.LastScheduledAt, r.LastAttemptAt, r.LastSuccessAt = parseNullTS(scheduled), parseNullTS(attempt), parseNullTS(success)
	r.CreatedAt, r.UpdatedAt = parseTS(created), parseTS(updated)
	r.Archives = []string{}
	json.Unmarshal([]byte(archives), &r.Archives)
	return r, nil
}

// SaveReplica creates or changes a server's replica settings. reset
// forgets the last outcome (the target moved: nothing is there yet).
func (s *Store) SaveReplica(ctx context.Context, r Replica, reset bool) (Replica, error) {
	now := ts(s.now())
	_, err := s.w.ExecContext(ctx, `INSERT INTO replicas (server_id, kind, target_json, after_backup, schedule, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(server_id) DO UPDATE SET kind = excluded.kind, target_json = excluded.target_json,
			after_backup = excluded.after_backup, schedule = excluded.schedule, updated_at = excluded.updated_at`,
		r.ServerID, r.Kind, r.Target, r.AfterBackup, r.Schedule, now, now)
	if err != nil {
		return Replica{}, fmt.Errorf("save replica: %w", err)
	}
	if reset {
		if _, err := s.w.ExecContext(ctx, `UPDATE replicas SET status = ?, error = '', reason = '', archives_json = '[]', last_attempt_at = NULL,
			last_success_at = NULL, bytes = 0, files = 0, transferred = 0, duration_ms = 0, verified = '' WHERE server_id = ?`, ReplicaNever, r.ServerID); err != nil {
			return Replica{}, fmt.Errorf("save replica: %w", err)
		}
	}
	return s.Replica(ctx, r.ServerID)
}

// Replica returns a server's replica.
func (s *Store) Replica(ctx context.Context, serverID int64) (Replica, error) {
	r, err := scanReplica(s.db.QueryRowContext(ctx, `SELECT `+replicaColumns+replicaFrom+` WHERE p.server_id = ?`, serverID))
	return one(r, err, fmt.Sprintf("replica of server %d", serverID))
}

// ListReplicas returns every replica, by server name.
func (s *Store) ListReplicas(ctx context.Context) ([]Replica, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+replicaColumns+replicaFrom+` ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	defer rows.Close()
	out := []Replica{}
	for rows.Next() {
		r, err := scanReplica(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteReplica forgets a server's replica settings.
func (s *Store) DeleteReplica(ctx context.Context, serverID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM replicas WHERE server_id = ?`, serverID)
	if err != nil {
		return fmt.Errorf("delete replica: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("replica of server %d: %w", serverID, ErrNotFound)
	}
	return nil
}

// StartReplica records that a replication run begins now.
func (s *Store) StartReplica(ctx context.Context, serverID int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE replicas SET last_attempt_at = ? WHERE server_id = ?`, ts(s.now()), serverID)
	return err
}

// FinishReplica records a run's outcome. A failure keeps the last
// successful replica's archives, sizes and time.
func (s *Store) FinishReplica(ctx context.Context, serverID int64, o ReplicaOutcome) (Replica, error) {
	var err error
	if o.OK {
		archives, _ := json.Marshal(append([]string{}, o.Archives...))
		_, err = s.w.ExecContext(ctx, `UPDATE replicas SET status = ?, error = '', reason = '', archives_json = ?, last_success_at = ?,
			bytes = ?, files = ?, transferred = ?, duration_ms = ?, verified = ? WHERE server_id = ?`,
			ReplicaOK, string(archives), ts(s.now()), o.Bytes, o.Files, o.Transferred, o.Duration.Milliseconds(), o.Verified, serverID)
	} else {
		_, err = s.w.ExecContext(ctx, `UPDATE replicas SET status = ?, error = ?, reason = ? WHERE server_id = ?`,
			ReplicaFailed, o.Error, o.Reason, serverID)
	}
	if err != nil {
		return Replica{}, fmt.Errorf("finish replica: %w", err)
	}
	return s.Replica(ctx, serverID)
}

// SetReplicaScheduled records when a replica's schedule last fired.
func (s *Store) SetReplicaScheduled(ctx context.Context, serverID int64, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE replicas SET last_scheduled_at = ? WHERE server_id = ?`, ts(at), serverID)
	return err
}

// BackupRunning reports whether a backup of the server is running now (a
// scheduled replication waits for it rather than for its lock).
func (s *Store) BackupRunning(ctx context.Context, serverID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.server_id = ? AND r.status = ?`,
		serverID, RunRunning).Scan(&n)
	return n > 0, err
}
