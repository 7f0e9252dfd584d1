// Package operators is the people who reach the admin API over the network:
// their one-time invites, the certificates the fleet CA issues them from
// CSRs made on their own machines, their roles, revocation, and the audit
// log of what they did.
//
// It never sees an operator's private key, never keeps an invite token
// (only its hash), and never decides a call by anything but the live
// certificate: a name, a serial or a role in a request is not a credential.
// It does not serve anything itself; adminapi's operator listener asks it.
package operators

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// ErrForbidden is a certificate that names no live operator: revoked,
// replaced by a renewal, or not an operator's at all.
var ErrForbidden = errors.New("not a live operator certificate")

// Config is what Operators needs.
type Config struct {
	Store  *store.Store
	CA     *ca.CA
	Events events.Log
	Now    func() time.Time
	// URL is where operators reach the operator listener, "" when it is
	// off (then no invite can be made).
	URL func() string
	// OnRevoke runs when an operator is revoked (the listener cuts its
	// open connections and event streams).
	OnRevoke func(name string)
}

// Operators manages the operators of one coordinator.
type Operators struct{ cfg Config }

// New returns the operators room.
func New(cfg Config) *Operators {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.URL == nil {
		cfg.URL = func() string { return "" }
	}
	return &Operators{cfg: cfg}
}

// Invite is a freshly made invite. Code is the one string to hand the
// person: the coordinator's address, the CA's fingerprint and the one-time
// token. The token is shown once; only its hash is kept.
type Invite struct {
	Name          string    `json:"name"`
	Role          Role      `json:"role"`
	ExpiresAt     time.Time `json:"expires_at" ts_type:"string"`
	URL           string    `json:"url"`
	CAFingerprint string    `json:"ca_fingerprint"`
	Code          string    `json:"code"`
}

// invitePrefix starts every invite code, so a pasted string that is not
// one is told apart at once.
const invitePrefix = "bdinvite1."

// InviteCode is what an invite code carries.
type InviteCode struct {
	URL           string `json:"u"`
	CAFingerprint string `json:"f"`
	Token         string `json:"t"`
}

// Encode makes the one string printed for the operator.
func (c InviteCode) Encode() string {
	raw, _ := json.Marshal(c)
	return invitePrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// ParseInviteCode reads an invite code back.
func ParseInviteCode(s string) (InviteCode, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%w: this is not a Borgdesk operator invite (it starts with %s); ask the coordinator's admin for `borgdesk operator invite NAME --role ROLE`", fault.ErrInvalid, invitePrefix)
	if !strings.HasPrefix(s, invitePrefix) {
		return InviteCode{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, invitePrefix))
	if err != nil {
		return InviteCode{}, bad
	}
	var c InviteCode
	if err := json.Unmarshal(raw, &c); err != nil || c.Token == "" || !strings.HasPrefix(c.CAFingerprint, "SHA256:") {
		return InviteCode{}, bad
	}
	return c, nil
}

// newToken is 256 random bits, URL-safe, as fleet's enrollment tokens
// (fleet is not imported: this package builds for every OS the window
// runs on, and the fleet needs Linux).
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// hashToken is what the store keeps of an invite's token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// MaxInviteTTL bounds an invite's life.
const MaxInviteTTL = 7 * 24 * time.Hour

// Invite makes a one-time invite for name with role, valid for ttl (24
// hours when zero).
func (o *Operators) Invite(ctx context.Context, name string, role Role, ttl time.Duration) (Invite, error) {
	if err := fault.CheckName("operator", name); err != nil {
		return Invite{}, err
	}
	if err := role.Check(); err != nil {
		return Invite{}, err
	}
	if ttl == 0 {
		ttl = 24 * time.Hour
	}
	if ttl < time.Minute || ttl > MaxInviteTTL {
		return Invite{}, fmt.Errorf("%w: invite lifetime %s: choose between 1m and 168h", fault.ErrInvalid, ttl)
	}
	url := o.cfg.URL()
	if url == "" {
		return Invite{}, fmt.Errorf("%w: the operator listener is off, so nobody could use an invite: start the coordinator with --operators-listen :8444 (or `borgdesk settings set operators.listen :8444` and restart)", fault.ErrUnavailable)
	}
	token, err := newToken()
	if err != nil {
		return Invite{}, err
	}
	inv, err := o.cfg.Store.CreateOperatorInvite(ctx, name, string(role), hashToken(token), o.cfg.Now().Add(ttl))
	if errors.Is(err, store.ErrConflict) {
		return Invite{}, fmt.Errorf("%w: operator %s is active; revoke it first (borgdesk operator revoke %s) or choose another name", fault.ErrConflict, name, name)
	} else if err != nil {
		return Invite{}, err
	}
	fp := o.cfg.CA.Fingerprint()
	return Invite{Name: name, Role: role, ExpiresAt: inv.ExpiresAt, URL: url, CAFingerprint: fp,
		Code: InviteCode{URL: url, CAFingerprint: fp, Token: token}.Encode()}, nil
}

// EnrollRequest is what `borgdesk connect` sends: the invite's token and a
// CSR made on the operator's machine.
type EnrollRequest struct {
	Token string `json:"token"`
	CSR   string `json:"csr"`
}

// EnrollResponse is the operator's certificate and the CA.
type EnrollResponse struct {
	Name          string `json:"name"`
	Role          Role   `json:"role"`
	Certificate   string `json:"certificate"`
	CACertificate string `json:"ca_certificate"`
}

// Enroll spends an invite and signs the operator's CSR: all or nothing.
func (o *Operators) Enroll(ctx context.Context, req EnrollRequest) (EnrollResponse, error) {
	if _, err := ca.ParseCSR([]byte(req.CSR)); err != nil {
		return EnrollResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	hash := hashToken(req.Token)
	inv, err := o.cfg.Store.UsableOperatorInvite(ctx, hash)
	if err != nil {
		return EnrollResponse{}, inviteError(err)
	}
	certPEM, cert, err := o.cfg.CA.SignOperator([]byte(req.CSR), inv.Name)
	if err != nil {
		return EnrollResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	op, err := o.cfg.Store.RedeemOperatorInvite(ctx, hash, ca.SerialHex(cert), cert.NotAfter)
	if err != nil {
		return EnrollResponse{}, inviteError(err)
	}
	o.Record(ctx, store.AuditEntry{Operator: op.Name, Role: op.Role, Action: "connect", Target: "serial " + op.CertSerial, Result: ResultOK})
	return EnrollResponse{Name: op.Name, Role: Role(op.Role), Certificate: string(certPEM), CACertificate: string(o.cfg.CA.CertPEM())}, nil
}

func inviteError(err error) error {
	switch {
	case errors.Is(err, store.ErrInviteSpent), errors.Is(err, store.ErrInviteUnknown):
		return fmt.Errorf("%w: %v; ask the coordinator's admin for a new one (borgdesk operator invite NAME --role ROLE)", fault.ErrInvalid, err)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %v is active already: revoke it first", fault.ErrConflict, err)
	}
	return err
}

// Caller is who makes an admin API call, as the coordinator established
// it: the OS user of the unix socket (always admin), or an operator by
// their live certificate.
type Caller struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Remote is true for an operator over the network.
	Remote bool `json:"remote"`
}

// Identify returns the operator a client certificate belongs to, with the
// role they have now. A revoked operator's certificate, one a renewal
// replaced, an agent's, or any other is ErrForbidden with a sentence.
func (o *Operators) Identify(ctx context.Context, cert *x509.Certificate) (Caller, error) {
	name, ok := ca.OperatorName(cert)
	if !ok {
		return Caller{}, fmt.Errorf("%w: this certificate is not an operator's (an agent's certificate cannot be used as an operator's); connect with `borgdesk connect URL --invite CODE`", ErrForbidden)
	}
	op, err := o.cfg.Store.OperatorByName(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Caller{}, fmt.Errorf("%w: operator %s is unknown to this coordinator; ask its admin for an invite", ErrForbidden, name)
	case err != nil:
		return Caller{}, err
	case op.RevokedAt != nil:
		return Caller{}, fmt.Errorf("%w: operator %s was revoked; ask the coordinator's admin for a new invite", ErrForbidden, name)
	case op.CertSerial != ca.SerialHex(cert):
		return Caller{}, fmt.Errorf("%w: operator %s presented a certificate that a renewal replaced: use the renewed one", ErrForbidden, name)
	}
	return Caller{Name: op.Name, Role: Role(op.Role), Remote: true}, nil
}

// List returns every operator, revoked ones included.
func (o *Operators) List(ctx context.Context) ([]store.Operator, error) {
	return o.cfg.Store.ListOperators(ctx)
}

// Revoke refuses an operator from now on: their next handshake fails and
// their open connections (event streams included) are cut at once.
func (o *Operators) Revoke(ctx context.Context, name string) (store.Operator, error) {
	if err := o.cfg.Store.RevokeOperator(ctx, name); err != nil {
		return store.Operator{}, notActive(err, name)
	}
	if o.cfg.OnRevoke != nil {
		o.cfg.OnRevoke(name)
	}
	return o.cfg.Store.OperatorByName(ctx, name)
}

// SetRole changes an active operator's role; it applies to their next call.
func (o *Operators) SetRole(ctx context.Context, name string, role Role) (store.Operator, error) {
	if err := role.Check(); err != nil {
		return store.Operator{}, err
	}
	if err := o.cfg.Store.SetOperatorRole(ctx, name, string(role)); err != nil {
		return store.Operator{}, notActive(err, name)
	}
	return o.cfg.Store.OperatorByName(ctx, name)
}

func notActive(err error, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no active operator is named %s (borgdesk operator list shows them): %w", name, fault.ErrNotFound)
	}
	return err
}

// RenewRequest carries a new CSR made on the operator's machine.
type RenewRequest struct {
	CSR string `json:"csr"`
}

// Renew signs a new certificate for the operator whose live certificate
// current is, in the last ca.RenewBefore of its life (a day's slack for
// clocks that disagree): a stolen key must not mint certificates forever.
func (o *Operators) Renew(ctx context.Context, current *x509.Certificate, req RenewRequest) (EnrollResponse, error) {
	caller, err := o.Identify(ctx, current)
	if err != nil {
		return EnrollResponse{}, err
	}
	if opens := current.NotAfter.Add(-ca.RenewBefore - 24*time.Hour); o.cfg.Now().Before(opens) {
		return EnrollResponse{}, fmt.Errorf("%w: renewal opens on %s, %d days before the certificate expires (%s); nothing to do until then",
			fault.ErrConflict, opens.UTC().Format("2006-01-02"), int(ca.RenewBefore/(24*time.Hour)), current.NotAfter.UTC().Format("2006-01-02"))
	}
	certPEM, cert, err := o.cfg.CA.SignOperator([]byte(req.CSR), caller.Name)
	if err != nil {
		return EnrollResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	if err := o.cfg.Store.UpdateOperatorCertificate(ctx, caller.Name, ca.SerialHex(cert), cert.NotAfter); err != nil {
		return EnrollResponse{}, err
	}
	return EnrollResponse{Name: caller.Name, Role: caller.Role, Certificate: string(certPEM), CACertificate: string(o.cfg.CA.CertPEM())}, nil
}
