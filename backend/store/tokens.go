package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// IssuedToken is an enrollment token as listed: the token, and the server
// it enrolled once used.
type IssuedToken struct {
	Token
	ServerID   int64
	ServerUUID string
}

// ListTokens returns every enrollment token ever issued that is still
// kept, newest first; only hashes are stored, so none can be shown again.
func (s *Store) ListTokens(ctx context.Context) ([]IssuedToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, t.expires_at, t.used_at, COALESCE(t.server_id, 0), COALESCE(sv.uuid, '')
		FROM enrollment_tokens t LEFT JOIN servers sv ON sv.id = t.server_id ORDER BY t.created_at DESC, t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []IssuedToken{}
	for rows.Next() {
		var t IssuedToken
		var created, expires string
		var used sql.NullString
		if err := rows.Scan(&t.ID, &t.Name, &created, &expires, &used, &t.ServerID, &t.ServerUUID); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt, t.ExpiresAt, t.UsedAt = parseTS(created), parseTS(expires), parseNullTS(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteUnusedToken removes a token that has not enrolled anyone, so it
// can never be spent. ErrTokenUsed when it already enrolled a server (that
// server is revoked instead), ErrNotFound when there is no such token.
func (s *Store) DeleteUnusedToken(ctx context.Context, id int64) error {
	var used sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT used_at FROM enrollment_tokens WHERE id = ?`, id).Scan(&used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	case err != nil:
		return fmt.Errorf("read token %d: %w", id, err)
	case used.Valid:
		return fmt.Errorf("token %d: %w", id, ErrTokenUsed)
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM enrollment_tokens WHERE id = ? AND used_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("delete token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 { // spent between the read and the delete
		return fmt.Errorf("token %d: %w", id, ErrTokenUsed)
	}
	return nil
}
