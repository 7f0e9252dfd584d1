package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Target kinds: where a server's repository lives.
const (
	TargetLocal  = "local"  // the coordinator's data dir (no row)
	TargetNode   = "node"   // a storage node: an agent running the Borg SSH server
	TargetHosted = "hosted" // a hosted Borg service reached over SSH
)

// Target is a storage node or a hosted Borg service.
type Target struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// ServerID is the storage node's server (node targets only).
	ServerID   int64  `json:"server_id"`
	ServerName string `json:"server_name"`
	ServerUUID string `json:"server_uuid"`
	// Host and Port are where agents reach it; User is the SSH user of a
	// hosted service; Path is the directory of the repositories there.
	Host string `json:"host"`
	Port int    `json:"port"`
	User string `json:"user"`
	Path string `json:"path"`
	// Listen is the node's Borg SSH server address.
	Listen string `json:"listen"`
	// HostKey is the pinned SSH host key (authorized_keys format).
	HostKey string `json:"host_key"`
	// HostKeyFP is HostKey's SHA256 fingerprint, as ssh-keygen -l prints
	// it ("" while there is no key), for the operator to compare.
	HostKeyFP string    `json:"host_key_fingerprint"`
	Status    string    `json:"status"` // pending, ready, failing
	LastError string    `json:"last_error"`
	FreeBytes int64     `json:"free_bytes"`
	CreatedAt time.Time `json:"created_at" ts_type:"string"`
}

const targetColumns = `t.id, t.name, t.kind, COALESCE(t.server_id, 0), COALESCE(s.name, ''), COALESCE(s.uuid, ''), t.host, t.port, t.ssh_user, t.path, t.listen, t.host_key, t.status, t.last_error, t.free_bytes, t.created_at`
const targetFrom = ` FROM targets t LEFT JOIN servers s ON s.id = t.server_id`

func scanTarget(row interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var created string
	err := row.Scan(&t.ID, &t.Name, &t.Kind, &t.ServerID, &t.ServerName, &t.ServerUUID, &t.Host, &t.Port, &t.User, &t.Path, &t.Listen, &t.HostKey, &t.Status, &t.LastError, &t.FreeBytes, &created)
	t.CreatedAt = parseTS(created)
	t.HostKeyFP = keyFingerprint(t.HostKey)
	return t, err
}

// keyFingerprint is the SHA256 fingerprint of an authorized_keys line
// ("type base64 [comment]"), "" when it is not one.
func keyFingerprint(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		return ""
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// CreateTarget records a target.
func (s *Store) CreateTarget(ctx context.Context, t Target) (Target, error) {
	var server any
	if t.ServerID != 0 {
		server = t.ServerID
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO targets (name, kind, server_id, host, port, ssh_user, path, listen, host_key, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`, t.Name, t.Kind, server, t.Host, t.Port, t.User, t.Path, t.Listen, t.HostKey, ts(s.now()))
	if isUniqueViolation(err) {
		return Target{}, fmt.Errorf("a storage target named %q exists: %w", t.Name, ErrConflict)
	}
	if err != nil {
		return Target{}, fmt.Errorf("record storage target: %w", err)
	}
	id, _ := res.LastInsertId()
	return s.Target(ctx, id)
}

// Target reads one target.
func (s *Store) Target(ctx context.Context, id int64) (Target, error) {
	t, err := scanTarget(s.db.QueryRowContext(ctx, `SELECT `+targetColumns+targetFrom+` WHERE t.id = ?`, id))
	return one(t, err, "storage target")
}

// FindTarget reads a target by name or id.
func (s *Store) FindTarget(ctx context.Context, ref string) (Target, error) {
	t, err := scanTarget(s.db.QueryRowContext(ctx, `SELECT `+targetColumns+targetFrom+` WHERE t.name = ?1 OR CAST(t.id AS TEXT) = ?1 ORDER BY t.name = ?1 DESC LIMIT 1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, fmt.Errorf("no storage target %q (borgdesk storage list shows them): %w", ref, ErrNotFound)
	}
	return t, err
}

// ListTargets lists every target by name.
func (s *Store) ListTargets(ctx context.Context) ([]Target, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+targetColumns+targetFrom+` ORDER BY t.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTargetState records a target's host key, status and free space.
func (s *Store) UpdateTargetState(ctx context.Context, id int64, hostKey, status, lastError string, free int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE targets SET host_key = CASE WHEN ? != '' THEN ? ELSE host_key END, status = ?, last_error = ?,
		free_bytes = CASE WHEN ? > 0 THEN ? ELSE free_bytes END WHERE id = ?`, hostKey, hostKey, status, lastError, free, free, id)
	return err
}

// DeleteTarget removes a target no repository uses.
func (s *Store) DeleteTarget(ctx context.Context, id int64) error {
	var n int
	s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM repo_targets WHERE target_id = ?`, id).Scan(&n)
	if n > 0 {
		return fmt.Errorf("%d repositories live on this target; move them first: %w", n, ErrConflict)
	}
	_, err := s.w.ExecContext(ctx, `DELETE FROM targets WHERE id = ?`, id)
	return err
}

// SetRepoTarget puts a server's repository on a target (0: the coordinator).
func (s *Store) SetRepoTarget(ctx context.Context, serverID, targetID int64) error {
	var err error
	if targetID == 0 {
		_, err = s.w.ExecContext(ctx, `DELETE FROM repo_targets WHERE server_id = ?`, serverID)
	} else {
		_, err = s.w.ExecContext(ctx, `INSERT INTO repo_targets (server_id, target_id) VALUES (?, ?)
			ON CONFLICT (server_id) DO UPDATE SET target_id = excluded.target_id`, serverID, targetID)
	}
	return err
}

// RepoTarget is the target of a server's repository (ok false: the coordinator's own).
func (s *Store) RepoTarget(ctx context.Context, serverID int64) (Target, bool, error) {
	t, err := scanTarget(s.db.QueryRowContext(ctx, `SELECT `+targetColumns+targetFrom+` JOIN repo_targets rt ON rt.target_id = t.id WHERE rt.server_id = ?`, serverID))
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, false, nil
	}
	return t, err == nil, err
}

// RepoTargets names the target of every repository that is not on the
// coordinator, by server id, in one query.
func (s *Store) RepoTargets(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rt.server_id, t.name FROM repo_targets rt JOIN targets t ON t.id = rt.target_id`)
	if err != nil {
		return nil, fmt.Errorf("read repository targets: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// TargetRepos lists the servers whose repositories live on a target.
func (s *Store) TargetRepos(ctx context.Context, targetID int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT server_id FROM repo_targets WHERE target_id = ? ORDER BY server_id`, targetID)
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

// OfflineRun is a run an agent made on its own, as delivered.
type OfflineRun struct {
	OfflineID   string
	JobID       int64
	StartedAt   time.Time
	FinishedAt  time.Time
	ScheduledAt time.Time
	Outcome     RunOutcome
}

// RecordOfflineRun stores a delivered run once (a second delivery of the
// same offline ID is ignored: added false) and moves the job's last
// scheduled slot forward so the coordinator does not run it again.
func (s *Store) RecordOfflineRun(ctx context.Context, o OfflineRun) (Run, bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (job_id, status, trigger, attempt, started_at, finished_at, bytes, files, deduplicated, archive, error, log, offline_id)
		VALUES (?, ?, 'offline', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		o.JobID, o.Outcome.Status, ts(o.StartedAt), ts(o.FinishedAt), o.Outcome.Bytes, o.Outcome.Files, o.Outcome.Deduplicated, o.Outcome.Archive, o.Outcome.Error, o.Outcome.Log, o.OfflineID)
	if err != nil {
		return Run{}, false, fmt.Errorf("record offline run of job %d: %w", o.JobID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Run{}, false, nil
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET last_scheduled_at = ? WHERE id = ? AND (last_scheduled_at IS NULL OR last_scheduled_at < ?)`,
		ts(o.ScheduledAt), o.JobID, ts(o.ScheduledAt)); err != nil {
		return Run{}, false, err
	}
	if err := tx.Commit(); err != nil {
		return Run{}, false, err
	}
	r, err := s.Run(ctx, id)
	return r, err == nil, err
}
