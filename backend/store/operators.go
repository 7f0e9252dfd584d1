package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrInviteSpent means an operator invite was already used, or its time
// ran out; ErrInviteUnknown that no invite has that token.
var (
	ErrInviteSpent   = errors.New("this operator invite was already used or has expired")
	ErrInviteUnknown = errors.New("no operator invite has this token")
)

// Operator is a person who reaches the admin API over mutual TLS.
type Operator struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Role         string     `json:"role"`
	CertSerial   string     `json:"cert_serial"`
	CertNotAfter *time.Time `json:"cert_not_after" ts_type:"string"`
	CreatedAt    time.Time  `json:"created_at" ts_type:"string"`
	RevokedAt    *time.Time `json:"revoked_at" ts_type:"string"`
}

// OperatorInvite is a one-time invite as kept: the hash of its token.
type OperatorInvite struct {
	ID        int64
	Name      string
	Role      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

const operatorCols = `id, name, role, cert_serial, cert_not_after, created_at, revoked_at`

func scanOperator(row interface{ Scan(...any) error }) (Operator, error) {
	var o Operator
	var notAfter, revoked sql.NullString
	var created string
	if err := row.Scan(&o.ID, &o.Name, &o.Role, &o.CertSerial, &notAfter, &created, &revoked); err != nil {
		return Operator{}, err
	}
	o.CertNotAfter, o.CreatedAt, o.RevokedAt = parseNullTS(notAfter), parseTS(created), parseNullTS(revoked)
	return o, nil
}

// CreateOperatorInvite keeps a new invite for name with role, valid until
// expires. ErrConflict when an operator of that name is active: revoke it
// first.
func (s *Store) CreateOperatorInvite(ctx context.Context, name, role, tokenHash string, expires time.Time) (OperatorInvite, error) {
	if o, err := s.OperatorByName(ctx, name); err == nil && o.RevokedAt == nil {
		return OperatorInvite{}, fmt.Errorf("operator %s: %w", name, ErrConflict)
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return OperatorInvite{}, err
	}
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO operator_invites (name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		name, role, tokenHash, ts(now), ts(expires))
	if err != nil {
		return OperatorInvite{}, fmt.Errorf("create operator invite: %w", err)
	}
	id, _ := res.LastInsertId()
	return OperatorInvite{ID: id, Name: name, Role: role, CreatedAt: now, ExpiresAt: expires}, nil
}

// UsableOperatorInvite returns the invite a token names while it may still
// be used: ErrInviteUnknown, or ErrInviteSpent when used or expired.
func (s *Store) UsableOperatorInvite(ctx context.Context, tokenHash string) (OperatorInvite, error) {
	var inv OperatorInvite
	var created, expires string
	var used sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, name, role, created_at, expires_at, used_at FROM operator_invites WHERE token_hash = ?`, tokenHash).
		Scan(&inv.ID, &inv.Name, &inv.Role, &created, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return OperatorInvite{}, ErrInviteUnknown
	case err != nil:
		return OperatorInvite{}, fmt.Errorf("read operator invite: %w", err)
	}
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = parseTS(created), parseTS(expires), parseNullTS(used)
	if inv.UsedAt != nil || !s.now().Before(inv.ExpiresAt) {
		return inv, ErrInviteSpent
	}
	return inv, nil
}

// RedeemOperatorInvite spends the invite and makes its operator active with
// the certificate serial given, in one transaction: an invite never admits
// two certificates, even when two requests race. A revoked operator of the
// same name is taken over; an active one is ErrConflict.
func (s *Store) RedeemOperatorInvite(ctx context.Context, tokenHash, serial string, notAfter time.Time) (Operator, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Operator{}, err
	}
	defer tx.Rollback()
	now := s.now()
	var id int64
	var name, role string
	err = tx.QueryRowContext(ctx, `UPDATE operator_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING id, name, role`,
		ts(now), tokenHash, ts(now)).Scan(&id, &name, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, ErrInviteSpent
	} else if err != nil {
		return Operator{}, fmt.Errorf("spend operator invite: %w", err)
	}
	var active int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM operators WHERE name = ? AND revoked_at IS NULL`, name).Scan(&active); err != nil {
		return Operator{}, err
	}
	if active > 0 {
		return Operator{}, fmt.Errorf("operator %s: %w", name, ErrConflict)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO operators (name, role, cert_serial, cert_not_after, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET role = excluded.role, cert_serial = excluded.cert_serial,
			cert_not_after = excluded.cert_not_after, created_at = excluded.created_at, revoked_at = NULL`,
		name, role, serial, ts(notAfter), ts(now))
	if err != nil {
		return Operator{}, fmt.Errorf("record operator %s: %w", name, err)
	}
	o, err := scanOperator(tx.QueryRowContext(ctx, `SELECT `+operatorCols+` FROM operators WHERE name = ?`, name))
	if err != nil {
		return Operator{}, err
	}
	return o, tx.Commit()
}

// OperatorByName returns one operator, revoked or not; ErrNotFound when
// there is none of that name.
func (s *Store) OperatorByName(ctx context.Context, name string) (Operator, error) {
	o, err := scanOperator(s.db.QueryRowContext(ctx, `SELECT `+operatorCols+` FROM operators WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, fmt.Errorf("operator %s: %w", name, ErrNotFound)
	}
	return o, err
}

// ListOperators returns every operator, by name.
func (s *Store) ListOperators(ctx context.Context) ([]Operator, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+operatorCols+` FROM operators ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	defer rows.Close()
	out := []Operator{}
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, fmt.Errorf("list operators: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// RevokeOperator marks an active operator revoked; ErrNotFound when no
// active operator has that name.
func (s *Store) RevokeOperator(ctx context.Context, name string) error {
	return s.updateActiveOperator(ctx, name, `UPDATE operators SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, ts(s.now()), name)
}

// SetOperatorRole changes an active operator's role.
func (s *Store) SetOperatorRole(ctx context.Context, name, role string) error {
	return s.updateActiveOperator(ctx, name, `UPDATE operators SET role = ? WHERE name = ? AND revoked_at IS NULL`, role, name)
}

// UpdateOperatorCertificate makes serial the operator's only live
// certificate (a renewal).
func (s *Store) UpdateOperatorCertificate(ctx context.Context, name, serial string, notAfter time.Time) error {
	return s.updateActiveOperator(ctx, name, `UPDATE operators SET cert_serial = ?, cert_not_after = ? WHERE name = ? AND revoked_at IS NULL`, serial, ts(notAfter), name)
}

func (s *Store) updateActiveOperator(ctx context.Context, name, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("update operator %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no active operator is named %s: %w", name, ErrNotFound)
	}
	return nil
}

// AuditEntry is one line of the audit log: who did what to what, and how
// it ended.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at" ts_type:"string"`
	Operator string    `json:"operator"`
	Role     string    `json:"role"`
	Action   string    `json:"action"`
	Target   string    `json:"target"`
	Result   string    `json:"result"`
	Detail   string    `json:"detail,omitempty"`
}

// AppendAudit writes one audit entry (At is set when zero).
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC()
	res, err := s.w.ExecContext(ctx, `INSERT INTO audit (at, operator, role, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ts(e.At), e.Operator, e.Role, e.Action, e.Target, e.Result, e.Detail)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("write audit entry: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return e, nil
}

// ListAudit returns the newest audit entries, newest first, at most limit
// of them, only operator's when it is not empty.
func (s *Store) ListAudit(ctx context.Context, operator string, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, operator, role, action, target, result, detail FROM audit
		WHERE (? = '' OR operator = ?) ORDER BY id DESC LIMIT ?`, operator, operator, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Operator, &e.Role, &e.Action, &e.Target, &e.Result, &e.Detail); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
