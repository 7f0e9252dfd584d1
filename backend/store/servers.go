package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Server statuses.
const (
	ServerPending = "pending"
	ServerOnline  = "online"
	ServerOffline = "offline"
	ServerRevoked = "revoked"
)

// Server is one machine of the fleet, with what its agent last reported.
type Server struct {
	ID              int64           `json:"id"`
	UUID            string          `json:"uuid"`
	Name            string          `json:"name"`
	Host            string          `json:"host"`
	Port            int             `json:"port"`
	User            string          `json:"user"`
	HostKeyFP       string          `json:"host_key_fingerprint"`
	Status          string          `json:"status"`
	Online          bool            `json:"online"`
	LastSeen        *time.Time      `json:"last_seen" ts_type:"string"`
	Version         string          `json:"version"`
	ProtocolVersion int             `json:"protocol_version"`
	Hostname        string          `json:"hostname"`
	CertSerial      string          `json:"cert_serial"`
	CertNotAfter    *time.Time      `json:"cert_not_after" ts_type:"string"`
	RevokedAt       *time.Time      `json:"revoked_at" ts_type:"string"`
	Capabilities    json.RawMessage `json:"capabilities" ts_type:"any"`
	Metrics         json.RawMessage `json:"metrics" ts_type:"any"`
	CreatedAt       time.Time       `json:"created_at" ts_type:"string"`
	UpdatedAt       time.Time       `json:"updated_at" ts_type:"string"`
	// LastVerifiedAt is when a restore drill last proved the server's
	// latest archive restorable; VerifyStale says that is too long ago
	// (set by the service, from the drill.stale_days setting).
	LastVerifiedAt *time.Time `json:"last_verified_at" ts_type:"string"`
	VerifyStale    bool       `json:"verify_stale"`
}

const serverColumns = `s.id, s.uuid, s.name, s.host, s.port, s.ssh_user, s.host_key_fp, s.status,
	a.last_seen_at, COALESCE(a.agent_version, ''), COALESCE(a.protocol_version, 0), COALESCE(a.hostname, ''),
	COALESCE(a.cert_serial, ''), a.cert_not_after, a.revoked_at,
	COALESCE(a.capabilities_json, 'null'), COALESCE(a.metrics_json, 'null'), s.created_at, s.updated_at,
	(SELECT max(d.finished_at) FROM drills d WHERE d.server_id = s.id AND d.status = 'passed')`

const serverFrom = ` FROM servers s LEFT JOIN agents a ON a.server_id = s.id`

func scanServer(row interface{ Scan(...any) error }) (Server, error) {
	var sv Server
	var lastSeen, notAfter, revoked sql.NullString
	var caps, metrics, created, updated string
	var verified sql.NullString
	err := row.Scan(&sv.ID, &sv.UUID, &sv.Name, &sv.Host, &sv.Port, &sv.User, &sv.HostKeyFP, &sv.Status,
		&lastSeen, &sv.Version, &sv.ProtocolVersion, &sv.Hostname, &sv.CertSerial, &notAfter, &revoked,
		&caps, &metrics, &created, &updated, &verified)
	if err != nil {
		return Server{}, err
	}
	sv.Online = sv.Status == ServerOnline
	sv.LastSeen = parseNullTS(lastSeen)
	sv.CertNotAfter = parseNullTS(notAfter)
	sv.RevokedAt = parseNullTS(revoked)
	sv.LastVerifiedAt = parseNullTS(verified)
	sv.Capabilities = rawOrNil(caps)
	sv.Metrics = rawOrNil(metrics)
	sv.CreatedAt = parseTS(created)
	sv.UpdatedAt = parseTS(updated)
	return sv, nil
}

func rawOrNil(s string) json.RawMessage {
	if s == "" || s == "null" {
		return nil
	}
	return json.RawMessage(s)
}

// CreateServer inserts sv and returns it with its id and timestamps.
func (s *Store) CreateServer(ctx context.Context, sv Server) (Server, error) {
	if sv.Status == "" {
		sv.Status = ServerPending
	}
	if sv.Port == 0 {
		sv.Port = 22
	}
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO servers (uuid, name, host, port, ssh_user, host_key_fp, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sv.UUID, sv.Name, sv.Host, sv.Port, sv.User, sv.HostKeyFP, sv.Status, ts(now), ts(now))
	if err != nil {
		if isUniqueViolation(err) {
			return Server{}, fmt.Errorf("server %q: %w", sv.Name, ErrConflict)
		}
		return Server{}, fmt.Errorf("create server %q: %w", sv.Name, err)
	}
	id, _ := res.LastInsertId()
	return s.Server(ctx, id)
}

// Server returns the server with id.
func (s *Store) Server(ctx context.Context, id int64) (Server, error) {
	sv, err := scanServer(s.db.QueryRowContext(ctx, `SELECT `+serverColumns+serverFrom+` WHERE s.id = ?`, id))
	return one(sv, err, fmt.Sprintf("server %d", id))
}

// FindServer returns the server whose id, UUID or name is ref.
func (s *Store) FindServer(ctx context.Context, ref string) (Server, error) {
	sv, err := scanServer(s.db.QueryRowContext(ctx, `SELECT `+serverColumns+serverFrom+`
		WHERE s.uuid = ?1 OR s.name = ?1 OR CAST(s.id AS TEXT) = ?1
		ORDER BY (s.uuid = ?1) DESC, (s.name = ?1) DESC LIMIT 1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Server{}, fmt.Errorf("server %q: %w", ref, ErrNotFound)
	}
	return sv, err
}

// ListServers returns every server, by name.
func (s *Store) ListServers(ctx context.Context) ([]Server, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+serverColumns+serverFrom+` ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	defer rows.Close()
	out := []Server{}
	for rows.Next() {
		sv, err := scanServer(rows)
		if err != nil {
			return nil, fmt.Errorf("list servers: %w", err)
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// DeleteServer removes a server with its agent, jobs and runs.
func (s *Store) DeleteServer(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM servers WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete server %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("server %d: %w", id, ErrNotFound)
	}
	return nil
}

// CountServers returns how many servers there are.
func (s *Store) CountServers(ctx context.Context) (int, error) {
	return s.count(ctx, `SELECT COUNT(*) FROM servers`)
}

func (s *Store) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
