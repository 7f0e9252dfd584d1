package service

import (
	"context"
	"fmt"

	"borgdesk/backend/events"
	"borgdesk/backend/fleet"
	"borgdesk/backend/store"
)

func validName(name string) error { return fleet.CheckName("server", name) }

// validNameOf checks a server or job name.
func validNameOf(what, name string) error { return fleet.CheckName(what, name) }

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
