package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

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

func (s *Service) enrollmentToken(t store.IssuedToken) EnrollmentToken {
	state := TokenPending
	switch {
	case t.UsedAt != nil:
		state = TokenUsed
	case !s.now().Before(t.ExpiresAt):
		state = TokenExpired
	}
	return EnrollmentToken{ID: t.ID, Name: t.Name, State: state, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt, ServerUUID: t.ServerUUID}
}

// ListEnrollmentTokens lists every token issued, newest first, each with
// its state: a pending one is a server that may still enroll.
func (s *Service) ListEnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error) {
	issued, err := s.st.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]EnrollmentToken, 0, len(issued))
	for _, t := range issued {
		out = append(out, s.enrollmentToken(t))
	}
	return out, nil
}

// RevokeEnrollmentToken withdraws the unused tokens ref names: one by its
// id, or every unused one issued for a server name. A used token has done
// its work; the server it enrolled is revoked with RevokeServer instead.
func (s *Service) RevokeEnrollmentToken(ctx context.Context, ref string) ([]EnrollmentToken, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("%w: name the token to revoke by its server name or id (borgdesk token list shows them)", ErrInvalid)
	}
	all, err := s.ListEnrollmentTokens(ctx)
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
		return nil, fmt.Errorf("%w: the token for %s was used: the server is enrolled; revoke the server instead (borgdesk server revoke %s)", ErrInvalid, ref, ref)
	case len(picked) == 0:
		return nil, fmt.Errorf("no unused enrollment token is named %s: %w", ref, ErrNotFound)
	}
	for _, t := range picked {
		if err := s.st.DeleteUnusedToken(ctx, t.ID); err != nil {
			if errors.Is(err, store.ErrTokenUsed) {
				return nil, fmt.Errorf("%w: the token for %s was used while it was being revoked: the server is enrolled; revoke the server instead", ErrInvalid, t.Name)
			}
			return nil, fmt.Errorf("revoke token %d: %w", t.ID, err)
		}
		s.publish(ctx, events.ServerChanged, "", fmt.Sprintf("enrollment token %d for %s revoked", t.ID, t.Name), map[string]any{"token_id": t.ID, "name": t.Name, "status": "token_revoked"})
	}
	return picked, nil
}
