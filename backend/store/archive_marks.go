package store

import (
	"context"
	"fmt"
)

// ArchiveMark is what the operator said of one archive of a server.
type ArchiveMark struct {
	Archive string
	// KeepForever means no prune removes the archive.
	KeepForever bool
	Comment     string
}

// ArchiveMarks returns the marks of a server's archives by archive name.
func (s *Store) ArchiveMarks(ctx context.Context, serverID int64) (map[string]ArchiveMark, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT archive, keep_forever, comment FROM archive_marks WHERE server_id = ?`, serverID)
	if err != nil {
		return nil, fmt.Errorf("archive marks: %w", err)
	}
	defer rows.Close()
	out := map[string]ArchiveMark{}
	for rows.Next() {
		var m ArchiveMark
		if err := rows.Scan(&m.Archive, &m.KeepForever, &m.Comment); err != nil {
			return nil, fmt.Errorf("archive marks: %w", err)
		}
		out[m.Archive] = m
	}
	return out, rows.Err()
}

// KeptForever lists a server's archives that prune must never remove.
func (s *Store) KeptForever(ctx context.Context, serverID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT archive FROM archive_marks WHERE server_id = ? AND keep_forever = 1 ORDER BY archive`, serverID)
	if err != nil {
		return nil, fmt.Errorf("archives kept forever: %w", err)
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

// SetKeepForever marks an archive to be kept forever, or no longer.
func (s *Store) SetKeepForever(ctx context.Context, serverID int64, archive string, keep bool) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO archive_marks (server_id, archive, keep_forever, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (server_id, archive) DO UPDATE SET keep_forever = excluded.keep_forever, updated_at = excluded.updated_at`,
		serverID, archive, keep, ts(s.now()))
	if err != nil {
		return fmt.Errorf("keep archive %s: %w", archive, err)
	}
	return nil
}

// SetArchiveComment sets an archive's comment ("" removes it).
func (s *Store) SetArchiveComment(ctx context.Context, serverID int64, archive, comment string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO archive_marks (server_id, archive, comment, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (server_id, archive) DO UPDATE SET comment = excluded.comment, updated_at = excluded.updated_at`,
		serverID, archive, comment, ts(s.now()))
	if err != nil {
		return fmt.Errorf("comment archive %s: %w", archive, err)
	}
	return nil
}

// RenameArchive follows a rename in the repository: the archive's marks
// and the runs that made it take the new name, so that prune's check for
// archives gone from the repository still finds it.
func (s *Store) RenameArchive(ctx context.Context, serverID int64, old, renamed string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	steps := []struct {
		q    string
		args []any
	}{
		// A mark left under the new name by an archive deleted earlier.
		{`DELETE FROM archive_marks WHERE server_id = ? AND archive = ?`, []any{serverID, renamed}},
		{`UPDATE archive_marks SET archive = ?, updated_at = ? WHERE server_id = ? AND archive = ?`, []any{renamed, ts(s.now()), serverID, old}},
		{`UPDATE runs SET archive = ? WHERE archive = ? AND job_id IN (SELECT id FROM jobs WHERE server_id = ?)`, []any{renamed, old, serverID}},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("rename archive %s: %w", old, err)
		}
	}
	return tx.Commit()
}

// ForgetArchives records that Borgdesk removed archives from a server's
// repository (a prune or a delete): their runs are marked pruned and their
// marks dropped.
func (s *Store) ForgetArchives(ctx context.Context, serverID int64, archives []string) error {
	if err := s.MarkPruned(ctx, serverID, archives); err != nil {
		return err
	}
	for _, a := range archives {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM archive_marks WHERE server_id = ? AND archive = ?`, serverID, a); err != nil {
			return fmt.Errorf("forget archive %s: %w", a, err)
		}
	}
	return nil
}

// TasksReading lists the restores that are queued or running from an
// archive of the server whose UUID is source (restores read it without
// borg's lock, so nothing else would stop a delete under them).
func (s *Store) TasksReading(ctx context.Context, source, archive string) ([]Task, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+`
		WHERE t.type IN ('restore', 'db-restore') AND t.status IN (?, ?, ?)
		AND json_extract(t.payload_json, '$.source') = ? AND json_extract(t.payload_json, '$.archive') = ?
		ORDER BY t.id`, TaskQueued, TaskDispatched, TaskRunning, source, archive)
	if err != nil {
		return nil, fmt.Errorf("restores reading %s: %w", archive, err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
