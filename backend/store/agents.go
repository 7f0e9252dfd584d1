package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrTokenUsed means an enrollment token was already used.
	ErrTokenUsed = errors.New("enrollment token was already used")
	// ErrTokenExpired means an enrollment token's time ran out.
	ErrTokenExpired = errors.New("enrollment token has expired")
	// ErrTokenName means the token was issued for another server name.
	ErrTokenName = errors.New("enrollment token was issued for another name")
	// ErrTokenUnknown means no token has that hash.
	ErrTokenUnknown = errors.New("enrollment token is not known")
	// ErrSSHKeyInUse refuses an enrollment whose SSH key another live agent
	// already has: the Borg SSH server tells agents apart by their keys.
	ErrSSHKeyInUse = errors.New("this SSH key belongs to another enrolled agent")
)

// Token is an enrollment token as stored: only its hash is kept.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at" ts_type:"string"`
	ExpiresAt time.Time  `json:"expires_at" ts_type:"string"`
	UsedAt    *time.Time `json:"used_at" ts_type:"string"`
}

// CreateToken stores a token's hash for name until expires.
func (s *Store) CreateToken(ctx context.Context, name, hash string, expires time.Time) (Token, error) {
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO enrollment_tokens (name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		name, hash, ts(now), ts(expires))
	if err != nil {
		return Token{}, fmt.Errorf("create token for %q: %w", name, err)
	}
	id, _ := res.LastInsertId()
	return Token{ID: id, Name: name, CreatedAt: now.UTC(), ExpiresAt: expires.UTC()}, nil
}

// UsableToken returns the token with this hash if it is unused and not
// expired (without spending it), else ErrNotFound.
func (s *Store) UsableToken(ctx context.Context, hash string) (Token, error) {
	var t Token
	var created, expires string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at, expires_at FROM enrollment_tokens WHERE token_hash = ? AND used_at IS NULL`, hash).
		Scan(&t.ID, &t.Name, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	} else if err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.ExpiresAt = parseTS(created), parseTS(expires)
	if !s.now().Before(t.ExpiresAt) {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// ExchangeToken spends the unused, unexpired token with oldHash and stores
// newHash for the same name and expiry in its place, in one transaction: a
// one-line install link is good for one fetch of the script, which carries
// the new token. ErrTokenUsed when it was spent already, ErrNotFound when
// it is unknown or expired.
func (s *Store) ExchangeToken(ctx context.Context, oldHash, newHash string) (Token, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	var t Token
	var expires string
	var used sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, name, expires_at, used_at FROM enrollment_tokens WHERE token_hash = ?`, oldHash).
		Scan(&t.ID, &t.Name, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Token{}, ErrNotFound
	case err != nil:
		return Token{}, fmt.Errorf("read token: %w", err)
	case used.Valid:
		return Token{}, ErrTokenUsed
	}
	now := s.now()
	t.ExpiresAt = parseTS(expires)
	if !now.Before(t.ExpiresAt) {
		return Token{}, ErrNotFound
	}
	res, err := tx.ExecContext(ctx, `UPDATE enrollment_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, ts(now), t.ID)
	if err != nil {
		return Token{}, fmt.Errorf("spend token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Token{}, ErrTokenUsed
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO enrollment_tokens (name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		t.Name, newHash, ts(now), expires)
	if err != nil {
		return Token{}, fmt.Errorf("store the new token for %q: %w", t.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return Token{}, fmt.Errorf("exchange token for %q: %w", t.Name, err)
	}
	t.ID, _ = res.LastInsertId()
	t.CreatedAt = now.UTC()
	return t, nil
}

// Enrollment is what a successful registration records.
type Enrollment struct {
	TokenHash    string
	Name         string
	UUID         string
	Hostname     string
	CertSerial   string
	CertNotAfter time.Time
	SSHPublicKey string
	AgentVersion string
	Protocol     int
}

// Enroll spends the token and creates the server and its agent, all in one
// transaction: a token can never enroll two agents, even when two requests
// race. An existing server of the same name that was revoked or never
// enrolled is taken over (re-enrollment); an active one is a conflict.
func (s *Store) Enroll(ctx context.Context, e Enrollment) (Server, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Server{}, err
	}
	defer tx.Rollback()
	now := s.now()

	var tokenID int64
	var name, expires string
	var used sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, name, expires_at, used_at FROM enrollment_tokens WHERE token_hash = ?`, e.TokenHash).
		Scan(&tokenID, &name, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Server{}, ErrTokenUnknown
	case err != nil:
		return Server{}, fmt.Errorf("read token: %w", err)
	case used.Valid:
		return Server{}, ErrTokenUsed
	case !now.Before(parseTS(expires)):
		return Server{}, ErrTokenExpired
	case name != e.Name:
		return Server{}, fmt.Errorf("%w (%q, not %q)", ErrTokenName, name, e.Name)
	}

	var serverID int64
	var status string
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM servers WHERE name = ?`, e.Name).Scan(&serverID, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO servers (uuid, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			e.UUID, e.Name, ServerPending, ts(now), ts(now))
		if err != nil {
			return Server{}, fmt.Errorf("create server %q: %w", e.Name, err)
		}
		serverID, _ = res.LastInsertId()
	case err != nil:
		return Server{}, err
	case status == ServerRevoked || status == ServerPending:
		if _, err := tx.ExecContext(ctx, `UPDATE servers SET uuid = ?, status = ?, updated_at = ? WHERE id = ?`,
			e.UUID, ServerPending, ts(now), serverID); err != nil {
			return Server{}, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agents WHERE server_id = ?`, serverID); err != nil {
			return Server{}, err
		}
	default:
		return Server{}, fmt.Errorf("server %q is enrolled and %s; revoke it before enrolling it again: %w", e.Name, status, ErrConflict)
	}
	var holder string
	err = tx.QueryRowContext(ctx, `SELECT s.name FROM agents a JOIN servers s ON s.id = a.server_id
		WHERE a.ssh_public_key = ? AND a.revoked_at IS NULL AND s.status != ?`, e.SSHPublicKey, ServerRevoked).Scan(&holder)
	switch {
	case err == nil:
		return Server{}, fmt.Errorf("%w (%s)", ErrSSHKeyInUse, holder)
	case !errors.Is(err, sql.ErrNoRows):
		return Server{}, fmt.Errorf("check the agent's SSH key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agents (server_id, cert_serial, cert_not_after, ssh_public_key, agent_version, protocol_version, hostname, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, serverID, e.CertSerial, ts(e.CertNotAfter), e.SSHPublicKey, e.AgentVersion, e.Protocol, e.Hostname, ts(now)); err != nil {
		return Server{}, fmt.Errorf("record agent: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE enrollment_tokens SET used_at = ?, server_id = ? WHERE id = ? AND used_at IS NULL`, ts(now), serverID, tokenID); err != nil {
		return Server{}, err
	}
	if err := tx.Commit(); err != nil {
		return Server{}, fmt.Errorf("enroll %q: %w", e.Name, err)
	}
	return s.Server(ctx, serverID)
}

// ServerByUUID returns the server whose agent has uuid.
func (s *Store) ServerByUUID(ctx context.Context, uuid string) (Server, error) {
	sv, err := scanServer(s.db.QueryRowContext(ctx, `SELECT `+serverColumns+serverFrom+` WHERE s.uuid = ?`, uuid))
	return one(sv, err, fmt.Sprintf("agent %s", uuid))
}

// Heartbeat is what an agent reports.
type Heartbeat struct {
	AgentVersion string
	Protocol     int
	Hostname     string
	Capabilities []byte
	Metrics      []byte
}

// RecordHeartbeat stores an agent's report and marks its server online. It
// returns the server as it is now and the status it had before.
func (s *Store) RecordHeartbeat(ctx context.Context, uuid string, hb Heartbeat) (Server, string, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Server{}, "", err
	}
	defer tx.Rollback()
	var id int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM servers WHERE uuid = ?`, uuid).Scan(&id, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return Server{}, "", fmt.Errorf("agent %s: %w", uuid, ErrNotFound)
	}
	if err != nil {
		return Server{}, "", err
	}
	if prev == ServerRevoked {
		return Server{}, prev, fmt.Errorf("agent %s is revoked: %w", uuid, ErrNotFound)
	}
	now := ts(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE agents SET last_seen_at = ?, agent_version = ?, protocol_version = ?, hostname = ?,
		capabilities_json = ?, metrics_json = ? WHERE server_id = ?`,
		now, hb.AgentVersion, hb.Protocol, hb.Hostname, jsonOrNull(hb.Capabilities), jsonOrNull(hb.Metrics), id); err != nil {
		return Server{}, "", fmt.Errorf("record heartbeat: %w", err)
	}
	if prev != ServerOnline {
		if _, err := tx.ExecContext(ctx, `UPDATE servers SET status = ?, updated_at = ? WHERE id = ?`, ServerOnline, now, id); err != nil {
			return Server{}, "", err
		}
	}
	if err := tx.Commit(); err != nil {
		return Server{}, "", err
	}
	sv, err := s.Server(ctx, id)
	return sv, prev, err
}

func jsonOrNull(b []byte) string {
	if len(b) == 0 {
		return "null"
	}
	return string(b)
}

// MarkOffline sets every online server not seen since before to offline and
// returns them.
func (s *Store) MarkOffline(ctx context.Context, before time.Time) ([]Server, error) {
	ids, err := s.returningIDs(ctx, `UPDATE servers SET status = ?, updated_at = ?
		WHERE status = ? AND id IN (SELECT server_id FROM agents WHERE last_seen_at IS NULL OR last_seen_at < ?)
		RETURNING id`, ServerOffline, ts(s.now()), ServerOnline, ts(before))
	if err != nil {
		return nil, fmt.Errorf("mark offline: %w", err)
	}
	return loadEach(ctx, ids, s.Server)
}

// UpdateAgentCertificate records a renewed certificate.
func (s *Store) UpdateAgentCertificate(ctx context.Context, uuid, serial string, notAfter time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE agents SET cert_serial = ?, cert_not_after = ?
		WHERE revoked_at IS NULL AND server_id = (SELECT id FROM servers WHERE uuid = ?)`, serial, ts(notAfter), uuid)
	if err != nil {
		return fmt.Errorf("record certificate of %s: %w", uuid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("agent %s: %w", uuid, ErrNotFound)
	}
	return nil
}

// RevokeServer marks a server's agent revoked.
func (s *Store) RevokeServer(ctx context.Context, id int64) (Server, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Server{}, err
	}
	defer tx.Rollback()
	now := ts(s.now())
	res, err := tx.ExecContext(ctx, `UPDATE servers SET status = ?, updated_at = ? WHERE id = ?`, ServerRevoked, now, id)
	if err != nil {
		return Server{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Server{}, fmt.Errorf("server %d: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE agents SET revoked_at = COALESCE(revoked_at, ?) WHERE server_id = ?`, now, id); err != nil {
		return Server{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = 'cancelled', finished_at = ?, error = 'agent revoked'
		WHERE server_id = ? AND status IN ('queued', 'dispatched', 'running')`, now, id); err != nil {
		return Server{}, err
	}
	if err := tx.Commit(); err != nil {
		return Server{}, err
	}
	return s.Server(ctx, id)
}

// ActiveAgent is an enrolled agent that is not revoked.
type ActiveAgent struct {
	UUID         string
	SSHPublicKey string
	CertSerial   string // the agent's one live certificate
}

// ActiveAgents returns every enrolled agent that is not revoked: the only
// identities the gateway and the Borg SSH server accept.
func (s *Store) ActiveAgents(ctx context.Context) ([]ActiveAgent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.uuid, a.ssh_public_key, a.cert_serial FROM servers s JOIN agents a ON a.server_id = s.id
		WHERE s.status != ? AND a.revoked_at IS NULL`, ServerRevoked)
	if err != nil {
		return nil, fmt.Errorf("list active agents: %w", err)
	}
	defer rows.Close()
	var out []ActiveAgent
	for rows.Next() {
		var a ActiveAgent
		if err := rows.Scan(&a.UUID, &a.SSHPublicKey, &a.CertSerial); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
