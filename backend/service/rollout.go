package service

import (
	"context"
	"fmt"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/rollout"
	"borgdesk/backend/store"
)

func (s *Service) knownHosts() *rollout.KnownHosts { return s.rollouts.KnownHostsFile() }

// ProbeHosts connects to each host without authenticating and returns its
// host key for the operator to confirm (nothing is sent but the SSH hello).
func (s *Service) ProbeHosts(ctx context.Context, targets []rollout.Target) ([]rollout.HostKey, error) {
	return s.rollouts.Probe(ctx, targets)
}

// ForgetHostKey removes the pinned key of host:port, after the operator
// confirmed that the server was reinstalled.
func (s *Service) ForgetHostKey(ctx context.Context, host string, port int) error {
	return s.rollouts.Forget(host, port)
}

// StartRollout starts installing the agent on the request's hosts and
// returns at once; progress arrives as rollout:progress events. The
// credentials live in memory until the last host is done, then are wiped.
func (s *Service) StartRollout(ctx context.Context, req rollout.Request) (rollout.Rollout, error) {
	return s.rollouts.Start(ctx, req, func() error {
		if err := s.needCA(); err != nil {
			return err
		}
		if s.dist == nil {
			return fmt.Errorf("%w: no agent builds on this coordinator", ErrUnavailable)
		}
		return nil
	}, validName)
}

// Rollout returns a rollout's state.
func (s *Service) Rollout(ctx context.Context, id string) (rollout.Rollout, error) {
	return s.rollouts.Get(id)
}

// WaitRollout waits until every host of a rollout is done or ctx ends.
func (s *Service) WaitRollout(ctx context.Context, id string) (rollout.Rollout, error) {
	var r rollout.Rollout
	err := s.waitUntil(ctx, func() (bool, error) {
		var err error
		r, err = s.rollouts.Get(id)
		return err == nil && r.Done, err
	})
	return r, err
}

// ListRollouts returns this session's rollouts, newest first.
func (s *Service) ListRollouts(ctx context.Context) ([]rollout.Rollout, error) {
	return s.rollouts.List(), nil
}

// UninstallServer removes the agent from a server over SSH, then revokes it.
func (s *Service) UninstallServer(ctx context.Context, req rollout.UninstallRequest) (rollout.HostState, error) {
	sv, err := s.Server(ctx, req.Server)
	if err != nil {
		return rollout.HostState{}, err
	}
	host := req.Host
	if host == "" {
		host = sv.Hostname
	}
	st, err := s.rollouts.Uninstall(ctx, req, host, sv.UUID)
	if err != nil {
		return st, err
	}
	st.Name = sv.Name
	if st.Status == rollout.StatusDone {
		s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("agent uninstalled from %s (%s)", sv.Name, host), map[string]any{"id": sv.ID})
	}
	return st, nil
}

// coordAdapter gives a rollout what it needs from the coordinator.
type coordAdapter struct{ s *Service }

func (c coordAdapter) Token(ctx context.Context, name string) (string, string, string, error) {
	t, err := c.s.CreateEnrollmentToken(ctx, name, 15*time.Minute)
	return t.Token, t.ServerURL, t.CAFingerprint, err
}

func (c coordAdapter) Binary(arch string) (string, string, error) {
	b, err := c.s.dist.Lookup("linux", arch)
	return b.Path, b.SHA256, err
}

func (c coordAdapter) Agent(ctx context.Context, uuid string) (string, bool) {
	if uuid == "" {
		return "", false
	}
	sv, err := c.s.st.FindServer(ctx, uuid)
	if err != nil || sv.UUID != uuid || sv.Status == store.ServerRevoked {
		return "", false
	}
	return sv.Name, true
}

func (c coordAdapter) WaitHeartbeat(ctx context.Context, name string, since time.Time) (string, error) {
	var uuid string
	err := c.s.waitUntil(ctx, func() (bool, error) {
		sv, err := c.s.st.FindServer(ctx, name)
		if err != nil {
			return false, nil
		}
		uuid = sv.UUID
		return sv.LastSeen != nil && sv.LastSeen.After(since.Add(-time.Second)), nil
	})
	return uuid, err
}

func (c coordAdapter) Discard(ctx context.Context, name string) error {
	_, err := c.s.RemoveServer(ctx, name)
	return err
}

func (c coordAdapter) Revoke(ctx context.Context, ref string) error {
	_, err := c.s.RevokeServer(ctx, ref)
	return err
}
