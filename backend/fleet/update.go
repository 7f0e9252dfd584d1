package fleet

import (
	"context"
	"errors"
	"fmt"

	"borgdesk/backend/agentdist"
	"borgdesk/backend/fault"
	"borgdesk/backend/settings"
	"borgdesk/backend/shared/agentapi"
)

// KeyUpdatePin names the one agent version the operator allows even when
// it is not newer than an agent's (a deliberate downgrade).
const KeyUpdatePin = settings.KeyUpdatePin

// UpdateCheck tells an agent whether the coordinator carries a build it
// should move to, with the signature the agent must verify: only a release
// newer than the agent's own, or the version the operator pinned.
func (f *Fleet) UpdateCheck(ctx context.Context, agentUUID string, req agentapi.UpdateCheckRequest) (agentapi.UpdateCheckResponse, error) {
	if _, err := f.AgentServer(ctx, agentUUID); err != nil {
		return agentapi.UpdateCheckResponse{}, err
	}
	bin, err := f.AgentBinary(req.OS, req.Arch)
	if errors.Is(err, agentdist.ErrNoBinary) || errors.Is(err, fault.ErrUnavailable) {
		return agentapi.UpdateCheckResponse{Available: false}, nil
	}
	if err != nil {
		return agentapi.UpdateCheckResponse{}, err
	}
	if !f.updateAllowed(ctx, bin.Version, req.Version) {
		return agentapi.UpdateCheckResponse{Available: false, Version: bin.Version}, nil
	}
	bin = f.dist.Sign(bin)
	return agentapi.UpdateCheckResponse{Available: true, Version: bin.Version, SHA256: bin.SHA256, Size: bin.Size, Signature: bin.Signature}, nil
}

// UpdateBinary is the signed build an agent downloads, under the same rule
// as UpdateCheck, judged against the version the agent last reported.
func (f *Fleet) UpdateBinary(ctx context.Context, agentUUID, goos, arch string) (agentdist.Binary, error) {
	sv, err := f.AgentServer(ctx, agentUUID)
	if err != nil {
		return agentdist.Binary{}, err
	}
	bin, err := f.AgentBinary(goos, arch)
	if err != nil {
		return agentdist.Binary{}, err
	}
	if !f.updateAllowed(ctx, bin.Version, sv.Version) {
		return agentdist.Binary{}, fmt.Errorf("%w: the coordinator's agent %s is not newer than this agent's %s (pin it with `borgdesk settings set %s %s` to allow it)",
			fault.ErrNotFound, bin.Version, sv.Version, KeyUpdatePin, bin.Version)
	}
	return f.dist.Sign(bin), nil
}

// updateAllowed: never sideways or down, unless the operator pinned that
// exact version.
func (f *Fleet) updateAllowed(ctx context.Context, candidate, current string) bool {
	if candidate == current {
		return false
	}
	if pin := f.setting(ctx, KeyUpdatePin); pin != "" && pin == candidate {
		return true
	}
	return agentdist.Newer(candidate, current)
}

// AgentBinary returns the agent build for a platform (unsigned: rollout
// installs it; only an update is signed).
func (f *Fleet) AgentBinary(goos, arch string) (agentdist.Binary, error) {
	if f.dist == nil {
		return agentdist.Binary{}, fmt.Errorf("%w: no agent binaries configured", fault.ErrUnavailable)
	}
	bin, err := f.dist.Lookup(goos, arch)
	if errors.Is(err, agentdist.ErrUntrusted) {
		return agentdist.Binary{}, fmt.Errorf("%w: %w", fault.ErrInvalid, err)
	}
	if err != nil {
		return agentdist.Binary{}, fmt.Errorf("%w: %w", fault.ErrNotFound, err)
	}
	return bin, nil
}

// setting reads a setting through the Setting hook ("" without one).
func (f *Fleet) setting(ctx context.Context, key string) string {
	if f.hooks.Setting == nil {
		return ""
	}
	v, _ := f.hooks.Setting(ctx, key)
	return v
}
