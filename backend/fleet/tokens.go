package fleet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/rollout"
	"borgdesk/backend/store"
)

// ErrInstallLinkUsed means a one-line install link's script was already fetched.
var ErrInstallLinkUsed = errors.New("this install link was already used")

// Enrollment token states, as listed.
const (
	TokenPending = "pending" // issued, not used, still valid: a server may enroll with it
	TokenExpired = "expired" // never used, and past its time
	TokenUsed    = "used"    // it enrolled a server
)

// EnrollmentToken is an issued token as the window and the CLI list it.
// The token itself is never kept (only its hash), so it is not here.
type EnrollmentToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at" ts_type:"string"`
	ExpiresAt  time.Time  `json:"expires_at" ts_type:"string"`
	UsedAt     *time.Time `json:"used_at" ts_type:"string"`
	ServerUUID string     `json:"server_uuid"`
}

func (f *Fleet) enrollmentToken(t store.IssuedToken) EnrollmentToken {
	state := TokenPending
	switch {
	case t.UsedAt != nil:
		state = TokenUsed
	case !f.now().Before(t.ExpiresAt):
		state = TokenExpired
	}
	return EnrollmentToken{ID: t.ID, Name: t.Name, State: state, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt, ServerUUID: t.ServerUUID}
}

// ListEnrollmentTokens lists every token issued, newest first, each with
// its state: a pending one is a server that may still enroll.
func (f *Fleet) ListEnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error) {
	issued, err := f.st.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]EnrollmentToken, 0, len(issued))
	for _, t := range issued {
		out = append(out, f.enrollmentToken(t))
	}
	return out, nil
}

// RevokeEnrollmentToken withdraws the unused tokens ref names: one by its
// id, or every unused one issued for a server name. A used token has done
// its work; the server it enrolled is revoked with RevokeServer instead.
func (f *Fleet) RevokeEnrollmentToken(ctx context.Context, ref string) ([]EnrollmentToken, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("%w: name the token to revoke by its server name or id (borgdesk token list shows them)", fault.ErrInvalid)
	}
	all, err := f.ListEnrollmentTokens(ctx)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	var picked []EnrollmentToken
	usedOnly := false
	for _, t := range all {
		if t.ID != id && t.Name != ref {
			continue
		}
		if t.State == TokenUsed {
			usedOnly = true
			continue
		}
		picked = append(picked, t)
	}
	switch {
	case len(picked) == 0 && usedOnly:
		return nil, fmt.Errorf("%w: the token for %s was used: the server is enrolled; revoke the server instead (borgdesk server revoke %s)", fault.ErrInvalid, ref, ref)
	case len(picked) == 0:
		return nil, fmt.Errorf("no unused enrollment token is named %s: %w", ref, fault.ErrNotFound)
	}
	for _, t := range picked {
		if err := f.st.DeleteUnusedToken(ctx, t.ID); err != nil {
			if errors.Is(err, store.ErrTokenUsed) {
				return nil, fmt.Errorf("%w: the token for %s was used while it was being revoked: the server is enrolled; revoke the server instead", fault.ErrInvalid, t.Name)
			}
			return nil, fmt.Errorf("revoke token %d: %w", t.ID, err)
		}
		f.events.Publish(ctx, events.ServerChanged, "", fmt.Sprintf("enrollment token %d for %s revoked", t.ID, t.Name), map[string]any{"token_id": t.ID, "name": t.Name, "status": "token_revoked"})
	}
	return picked, nil
}

// TokenInfo is a freshly created enrollment token; the token itself is shown
// once and only its hash is stored.
type TokenInfo struct {
	Token          string    `json:"token"`
	Name           string    `json:"name"`
	ExpiresAt      time.Time `json:"expires_at" ts_type:"string"`
	InstallCommand string    `json:"install_command"`
	// EnrollCommand enrolls a server that already has borgdesk-agent.
	EnrollCommand string `json:"enroll_command"`
	CAFingerprint string `json:"ca_fingerprint"`
	ServerURL     string `json:"server_url"`
}

// CreateEnrollmentToken creates a single-use token that enrolls one agent
// under name within ttl (1 minute to 7 days; 1 hour when zero).
func (f *Fleet) CreateEnrollmentToken(ctx context.Context, name string, ttl time.Duration) (TokenInfo, error) {
	if err := f.needCA(); err != nil {
		return TokenInfo{}, err
	}
	if err := CheckName("server", name); err != nil {
		return TokenInfo{}, err
	}
	if ttl == 0 {
		ttl = time.Hour
	}
	if ttl < time.Minute || ttl > 7*24*time.Hour {
		return TokenInfo{}, fmt.Errorf("%w: token lifetime %s: choose between 1m and 168h", fault.ErrInvalid, ttl)
	}
	token, err := NewToken()
	if err != nil {
		return TokenInfo{}, err
	}
	tok, err := f.st.CreateToken(ctx, name, HashToken(token), f.now().Add(ttl))
	if err != nil {
		return TokenInfo{}, err
	}
	fp := f.ca.Fingerprint()
	gw := f.gatewayURL
	if gw == "" {
		return TokenInfo{}, fmt.Errorf("%w: the agent gateway is not listening yet", fault.ErrUnavailable)
	}
	// The Servers list shows the name as pending until the agent enrolls.
	f.events.Publish(ctx, events.ServerChanged, "", fmt.Sprintf("enrollment token %d issued for %s", tok.ID, name), map[string]any{"token_id": tok.ID, "name": name, "status": TokenPending})
	return TokenInfo{
		Token:          token,
		Name:           name,
		ExpiresAt:      tok.ExpiresAt,
		CAFingerprint:  fp,
		ServerURL:      gw,
		InstallCommand: f.installCommand(gw, token),
		EnrollCommand:  enrollCommand(gw, name, fp),
	}, nil
}

// enrollCommand enrolls a server that already has the agent. The token is
// not in it: the agent asks for it on stdin, so it stays out of argv and
// shell history.
func enrollCommand(gw, name, fp string) string {
	return fmt.Sprintf("sudo borgdesk-agent enroll --server %s --name %s --ca-fingerprint %s --token-file -", gw, name, fp)
}

func (f *Fleet) installCommand(gw, token string) string {
	pin := f.gatewayPin
	if pin == "" {
		return ""
	}
	// -k only because the pinned key replaces the CA check for this first
	// request; the script then verifies everything against the CA. No -f:
	// a refused token's answer (404) is a script that says why.
	return fmt.Sprintf("curl -sS --proto =https -k --pinnedpubkey 'sha256//%s' %s/api/install/%s | sudo sh", pin, gw, token)
}

// InstallScript is the one-line install's script. Fetching it spends the
// link's token: the script carries a new one-time enrollment secret
// instead, which reaches the agent on stdin, so the token readable in
// curl's argv and the shell's history is worthless once the script is
// served. ErrInstallLinkUsed on a second fetch, fault.ErrNotFound for an unknown
// or expired link.
func (f *Fleet) InstallScript(ctx context.Context, token string) (string, error) {
	if err := f.needCA(); err != nil {
		return "", err
	}
	secret, err := NewToken()
	if err != nil {
		return "", err
	}
	tok, err := f.st.ExchangeToken(ctx, HashToken(token), HashToken(secret))
	if errors.Is(err, store.ErrTokenUsed) {
		return "", ErrInstallLinkUsed
	} else if err != nil {
		return "", err
	}
	p := rollout.ScriptParams{Name: tok.Name, Secret: secret, GatewayURL: f.gatewayURL, CAFingerprint: f.ca.Fingerprint(),
		CAPEM: string(f.ca.CertPEM()), SHA256: map[string]string{}, ExpiresAt: tok.ExpiresAt}
	if f.dist != nil {
		for _, arch := range []string{"amd64", "arm64"} {
			if b, err := f.dist.Lookup("linux", arch); err == nil {
				p.SHA256[arch] = b.SHA256
			}
		}
	}
	return rollout.InstallScript(p), nil
}

// InstallBinary is the agent build a one-line install downloads with the
// enrollment secret its script carries.
func (f *Fleet) InstallBinary(ctx context.Context, secret, arch string) (string, error) {
	if _, err := f.st.UsableToken(ctx, HashToken(secret)); err != nil {
		return "", err
	}
	if f.dist == nil {
		return "", fmt.Errorf("%w: no agent builds on this coordinator", fault.ErrUnavailable)
	}
	b, err := f.dist.Lookup("linux", arch)
	if err != nil {
		return "", fmt.Errorf("%w: %v", fault.ErrNotFound, err)
	}
	return b.Path, nil
}
