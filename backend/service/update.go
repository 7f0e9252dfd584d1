package service

import (
	"context"
	"errors"
	"fmt"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/agentdist"
)

// KeyUpdatePin names the one agent version the operator allows even when
// it is not newer than an agent's (a deliberate downgrade).
const KeyUpdatePin = "agent.update_pin"

// UpdateCheck tells an agent whether the coordinator carries a build it
// should move to, with the signature the agent must verify: only a release
// newer than the agent's own, or the version the operator pinned.
func (s *Service) UpdateCheck(ctx context.Context, agentUUID string, req agentapi.UpdateCheckRequest) (agentapi.UpdateCheckResponse, error) {
	if _, err := s.agentServer(ctx, agentUUID); err != nil {
		return agentapi.UpdateCheckResponse{}, err
	}
	bin, err := s.AgentBinary(req.OS, req.Arch)
	if errors.Is(err, agentdist.ErrNoBinary) || errors.Is(err, ErrUnavailable) {
		return agentapi.UpdateCheckResponse{Available: false}, nil
	}
	if err != nil {
		return agentapi.UpdateCheckResponse{}, err
	}
	if !s.updateAllowed(ctx, bin.Version, req.Version) {
		return agentapi.UpdateCheckResponse{Available: false, Version: bin.Version}, nil
	}
	bin = s.dist.Sign(bin)
	return agentapi.UpdateCheckResponse{Available: true, Version: bin.Version, SHA256: bin.SHA256, Size: bin.Size, Signature: bin.Signature}, nil
}

// UpdateBinary is the signed build an agent downloads, under the same rule
// as UpdateCheck, judged against the version the agent last reported.
func (s *Service) UpdateBinary(ctx context.Context, agentUUID, goos, arch string) (agentdist.Binary, error) {
	sv, err := s.agentServer(ctx, agentUUID)
	if err != nil {
		return agentdist.Binary{}, err
	}
	bin, err := s.AgentBinary(goos, arch)
	if err != nil {
		return agentdist.Binary{}, err
	}
	if !s.updateAllowed(ctx, bin.Version, sv.Version) {
		return agentdist.Binary{}, fmt.Errorf("%w: the coordinator's agent %s is not newer than this agent's %s (pin it with `borgdesk settings set %s %s` to allow it)",
			ErrNotFound, bin.Version, sv.Version, KeyUpdatePin, bin.Version)
	}
	return s.dist.Sign(bin), nil
}

// updateAllowed: never sideways or down, unless the operator pinned that
// exact version.
func (s *Service) updateAllowed(ctx context.Context, candidate, current string) bool {
	if candidate == current {
		return false
	}
	if pin, _ := s.Setting(ctx, KeyUpdatePin); pin != "" && pin == candidate {
		return true
	}
	return agentdist.Newer(candidate, current)
}

// AgentBinary returns the agent build for a platform (unsigned: rollout
// installs it; only an update is signed).
func (s *Service) AgentBinary(goos, arch string) (agentdist.Binary, error) {
	if s.dist == nil {
		return agentdist.Binary{}, fmt.Errorf("%w: no agent binaries configured", ErrUnavailable)
	}
	bin, err := s.dist.Lookup(goos, arch)
	if errors.Is(err, agentdist.ErrUntrusted) {
		return agentdist.Binary{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err != nil {
		return agentdist.Binary{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return bin, nil
}
