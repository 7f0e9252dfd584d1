package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fleet"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

var (
	// ErrInstallLinkUsed means a one-line install link's script was already fetched.
	ErrInstallLinkUsed = errors.New("this install link was already used")
)

func validName(name string) error { return fleet.CheckName("server", name) }

// validNameOf checks a server or job name.
func validNameOf(what, name string) error { return fleet.CheckName(what, name) }

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
func (s *Service) CreateEnrollmentToken(ctx context.Context, name string, ttl time.Duration) (TokenInfo, error) {
	if err := s.needCA(); err != nil {
		return TokenInfo{}, err
	}
	if err := validName(name); err != nil {
		return TokenInfo{}, err
	}
	if ttl == 0 {
		ttl = time.Hour
	}
	if ttl < time.Minute || ttl > 7*24*time.Hour {
		return TokenInfo{}, fmt.Errorf("%w: token lifetime %s: choose between 1m and 168h", ErrInvalid, ttl)
	}
	token, err := fleet.NewToken()
	if err != nil {
		return TokenInfo{}, err
	}
	tok, err := s.st.CreateToken(ctx, name, fleet.HashToken(token), s.now().Add(ttl))
	if err != nil {
		return TokenInfo{}, err
	}
	fp := s.ca.Fingerprint()
	gw := s.GatewayURL()
	if gw == "" {
		return TokenInfo{}, fmt.Errorf("%w: the agent gateway is not listening yet", ErrUnavailable)
	}
	// The Servers list shows the name as pending until the agent enrolls.
	s.publish(ctx, events.ServerChanged, "", fmt.Sprintf("enrollment token %d issued for %s", tok.ID, name), map[string]any{"token_id": tok.ID, "name": name, "status": TokenPending})
	return TokenInfo{
		Token:          token,
		Name:           name,
		ExpiresAt:      tok.ExpiresAt,
		CAFingerprint:  fp,
		ServerURL:      gw,
		InstallCommand: s.installCommand(gw, token),
		EnrollCommand:  enrollCommand(gw, name, fp),
	}, nil
}

// enrollCommand enrolls a server that already has the agent. The token is
// not in it: the agent asks for it on stdin, so it stays out of argv and
// shell history.
func enrollCommand(gw, name, fp string) string {
	return fmt.Sprintf("sudo borgdesk-agent enroll --server %s --name %s --ca-fingerprint %s --token-file -", gw, name, fp)
}

// warnRestoresOffline tells the operator about restores whose agent went
// silent: they may go on (a network cut) or be failed as interrupted when
// the agent comes back, and until then what they wrote is unknown.
func (s *Service) warnRestoresOffline(ctx context.Context, sv store.Server) {
	tasks, err := s.st.ListTasks(ctx, sv.ID, 50)
	if err != nil {
		return
	}
	for _, t := range tasks {
		if (t.Type == agentapi.TaskRestore || t.Type == agentapi.TaskDBRestore) && (t.Status == store.TaskRunning || t.Status == store.TaskDispatched) {
			s.notify(ctx, sv.UUID, fmt.Sprintf("%s went offline during %s task %d: it is reported as interrupted when the agent comes back; until then check what reached the destination on %s", sv.Name, t.Type, t.ID, sv.Name))
		}
	}
}

// RevokeServer revokes a server's agent: from this moment the gateway
// refuses its certificate, and its pending tasks are cancelled.
func (s *Service) RevokeServer(ctx context.Context, ref string) (store.Server, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return store.Server{}, err
	}
	s.Forget(sv.UUID, sv.ID) // before the write: refuse at once, even if the write is slow
	defer s.orch.Go("push keys to storage nodes", s.pushNodeKeys)
	if s.onRevoke != nil {
		s.onRevoke(sv.UUID)
	}
	sv, err = s.st.RevokeServer(ctx, sv.ID)
	if err != nil {
		return store.Server{}, err
	}
	s.Wake(sv.ID)
	s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s revoked", sv.Name), map[string]any{"id": sv.ID, "status": sv.Status})
	return sv, nil
}

// RunRepoInit creates the repositories of newly enrolled agents, one at a
// time, until ctx ends.
func (s *Service) RunRepoInit(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-s.initQ:
			if _, err := s.repos.Ensure(ctx, id); err != nil && ctx.Err() == nil {
				s.notify(ctx, id, fmt.Sprintf("could not create the repository of agent %s (it will be retried before its first backup): %v", id, err))
			}
		}
	}
}

func (s *Service) needCA() error {
	if s.ca == nil {
		return fmt.Errorf("%w: no certificate authority configured", ErrUnavailable)
	}
	return nil
}

// Errors of the agents' side, as the fleet raises them.
var (
	ErrProtocol   = fleet.ErrProtocol
	ErrToken      = fleet.ErrToken
	ErrForbidden  = fleet.ErrForbidden
	ErrSuperseded = fleet.ErrSuperseded
)

// CheckProtocol refuses agents newer than this coordinator.
func CheckProtocol(v int) error { return fleet.CheckProtocol(v) }

// KeyUpdatePin names the one agent version the operator allows even when
// it is not newer than an agent's (a deliberate downgrade).
const KeyUpdatePin = fleet.KeyUpdatePin
