package service

import (
	"context"
	"errors"
	"fmt"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/agentdist"
)

// UpdateCheck tells an agent whether the coordinator carries a different
// build for its platform, with the signature the agent must verify.
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
	if bin.Version == req.Version {
		return agentapi.UpdateCheckResponse{Available: false, Version: bin.Version}, nil
	}
	return agentapi.UpdateCheckResponse{Available: true, Version: bin.Version, SHA256: bin.SHA256, Size: bin.Size, Signature: bin.Signature}, nil
}

// AgentBinary returns the signed agent build for a platform.
func (s *Service) AgentBinary(goos, arch string) (agentdist.Binary, error) {
	if s.dist == nil {
		return agentdist.Binary{}, fmt.Errorf("%w: no agent binaries configured", ErrUnavailable)
	}
	bin, err := s.dist.Lookup(goos, arch)
	if err != nil {
		return agentdist.Binary{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return bin, nil
}
