package service

import (
	"context"

	"borgdesk/backend/rollout"
)

// ProbeHosts connects to each host without authenticating and returns its
// host key for the operator to confirm (nothing is sent but the SSH hello).
func (s *Service) ProbeHosts(ctx context.Context, targets []rollout.Target) ([]rollout.HostKey, error) {
	return nil, ErrUnavailable
}

// StartRollout starts installing the agent on the request's hosts and
// returns at once; progress arrives as rollout:progress events.
func (s *Service) StartRollout(ctx context.Context, req rollout.Request) (rollout.Rollout, error) {
	return rollout.Rollout{}, ErrUnavailable
}

// Rollout returns a rollout's state.
func (s *Service) Rollout(ctx context.Context, id string) (rollout.Rollout, error) {
	return rollout.Rollout{}, ErrNotFound
}

// ListRollouts returns this session's rollouts, newest first.
func (s *Service) ListRollouts(ctx context.Context) ([]rollout.Rollout, error) {
	return nil, nil
}

// UninstallServer removes the agent from a server over SSH, then revokes it.
func (s *Service) UninstallServer(ctx context.Context, req rollout.UninstallRequest) (rollout.HostState, error) {
	return rollout.HostState{}, ErrUnavailable
}
