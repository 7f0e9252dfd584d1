package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fleet"
	"borgdesk/backend/rollout"
	"borgdesk/backend/store"
)

// rollouts are kept in memory for this session: they hold no secret, and
// their outcomes are in the event log.
type rollouts struct {
	mu   sync.Mutex
	byID map[string]*rollout.Rollout
	ids  []string
}

func (s *Service) knownHosts() *rollout.KnownHosts {
	return rollout.NewKnownHosts(s.layout.KnownHosts())
}

func (s *Service) runner() *rollout.Runner {
	return &rollout.Runner{Known: s.knownHosts(), Coord: coordAdapter{s}, HeartbeatWait: s.rolloutHeartbeatWait}
}

// ProbeHosts connects to each host without authenticating and returns its
// host key for the operator to confirm (nothing is sent but the SSH hello).
func (s *Service) ProbeHosts(ctx context.Context, targets []rollout.Target) ([]rollout.HostKey, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("%w: no hosts given", ErrInvalid)
	}
	kh := s.knownHosts()
	out := make([]rollout.HostKey, len(targets))
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = kh.Probe(ctx, t.Host, t.Port)
		}()
	}
	wg.Wait()
	return out, nil
}

// ForgetHostKey removes the pinned key of host:port, after the operator
// confirmed that the server was reinstalled.
func (s *Service) ForgetHostKey(ctx context.Context, host string, port int) error {
	return s.knownHosts().Forget(host, port)
}

func secret(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// StartRollout starts installing the agent on the request's hosts and
// returns at once; progress arrives as rollout:progress events. The
// credentials live in memory until the last host is done, then are wiped.
func (s *Service) StartRollout(ctx context.Context, req rollout.Request) (rollout.Rollout, error) {
	if len(req.Targets) == 0 {
		return rollout.Rollout{}, fmt.Errorf("%w: no hosts given", ErrInvalid)
	}
	if len(req.Targets) > 500 {
		return rollout.Rollout{}, fmt.Errorf("%w: %d hosts in one rollout; split the list (at most 500)", ErrInvalid, len(req.Targets))
	}
	if req.Password == "" && req.Key == "" {
		return rollout.Rollout{}, fmt.Errorf("%w: give a password or a private key", ErrInvalid)
	}
	if err := s.needCA(); err != nil {
		return rollout.Rollout{}, err
	}
	if s.dist == nil {
		return rollout.Rollout{}, fmt.Errorf("%w: no agent builds on this coordinator", ErrUnavailable)
	}
	seen := map[string]bool{}
	for i := range req.Targets {
		t := &req.Targets[i]
		if t.Port == 0 {
			t.Port = 22
		}
		if t.Name == "" {
			t.Name = t.Host
		}
		if t.Host == "" || t.User == "" {
			return rollout.Rollout{}, fmt.Errorf("%w: every host needs an address and a user", ErrInvalid)
		}
		if err := validName(t.Name); err != nil {
			return rollout.Rollout{}, fmt.Errorf("%w: host %s: %v (give it a name)", ErrInvalid, t.Host, err)
		}
		if seen[t.Name] {
			return rollout.Rollout{}, fmt.Errorf("%w: two hosts would be called %s", ErrInvalid, t.Name)
		}
		seen[t.Name] = true
	}
	conc := req.Concurrency
	if conc <= 0 {
		conc = 5
	}
	conc = min(conc, 20)
	cred := &rollout.Credentials{Password: secret(req.Password), Key: secret(req.Key), KeyPassphrase: secret(req.KeyPassphrase), SudoPassword: secret(req.SudoPassword)}

	idRaw := make([]byte, 6)
	rand.Read(idRaw)
	ro := &rollout.Rollout{ID: hex.EncodeToString(idRaw), StartedAt: s.now().UTC()}
	for _, t := range req.Targets {
		ro.Hosts = append(ro.Hosts, rollout.HostState{Host: t.Host, Port: t.Port, User: t.User, Name: t.Name, Step: rollout.StepConnect, Status: rollout.StatusPending})
	}
	s.rollouts.mu.Lock()
	if s.rollouts.byID == nil {
		s.rollouts.byID = map[string]*rollout.Rollout{}
	}
	s.rollouts.byID[ro.ID] = ro
	s.rollouts.ids = append(s.rollouts.ids, ro.ID)
	snapshot := cloneRollout(ro)
	s.rollouts.mu.Unlock()

	runner := s.runner()
	accept := req.AcceptHostKeys
	targets := slices.Clone(req.Targets)
	s.orch.Go("rollout", func(bg context.Context) {
		defer cred.Wipe()
		sem := make(chan struct{}, conc)
		var wg sync.WaitGroup
		for i, t := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				report := func(h rollout.HostState) { s.rolloutProgress(ro, i, h) }
				st := runner.Install(bg, t, cred, accept[net.JoinHostPort(t.Host, strconv.Itoa(t.Port))], report)
				if st.Status == rollout.StatusDone {
					s.publish(bg, events.ServerChanged, st.ServerUUID, fmt.Sprintf("rolled out to %s: %s", t.Host, st.Message), map[string]any{"rollout_id": ro.ID, "host": t.Host})
				} else {
					s.publish(bg, events.Notification, ro.ID, fmt.Sprintf("rollout to %s failed: %s", t.Host, st.Message), map[string]any{"rollout_id": ro.ID, "host": t.Host})
				}
			}()
		}
		wg.Wait()
		s.rollouts.mu.Lock()
		ro.Done = true
		s.rollouts.mu.Unlock()
	})
	return snapshot, nil
}

func (s *Service) rolloutProgress(ro *rollout.Rollout, i int, h rollout.HostState) {
	s.rollouts.mu.Lock()
	ro.Hosts[i] = h
	s.rollouts.mu.Unlock()
	s.announce(events.RolloutProgress, ro.ID, map[string]any{"rollout_id": ro.ID, "host": h})
}

func cloneRollout(r *rollout.Rollout) rollout.Rollout {
	c := *r
	c.Hosts = slices.Clone(r.Hosts)
	return c
}

// Rollout returns a rollout's state.
func (s *Service) Rollout(ctx context.Context, id string) (rollout.Rollout, error) {
	s.rollouts.mu.Lock()
	defer s.rollouts.mu.Unlock()
	r, ok := s.rollouts.byID[id]
	if !ok {
		return rollout.Rollout{}, fmt.Errorf("%w: rollout %q (rollouts are kept until the coordinator restarts)", ErrNotFound, id)
	}
	return cloneRollout(r), nil
}

// WaitRollout waits until every host of a rollout is done or ctx ends.
func (s *Service) WaitRollout(ctx context.Context, id string) (rollout.Rollout, error) {
	var r rollout.Rollout
	err := s.waitUntil(ctx, func() (bool, error) {
		var err error
		r, err = s.Rollout(ctx, id)
		return err == nil && r.Done, err
	})
	return r, err
}

// ListRollouts returns this session's rollouts, newest first.
func (s *Service) ListRollouts(ctx context.Context) ([]rollout.Rollout, error) {
	s.rollouts.mu.Lock()
	defer s.rollouts.mu.Unlock()
	out := []rollout.Rollout{}
	for i := len(s.rollouts.ids) - 1; i >= 0; i-- {
		out = append(out, cloneRollout(s.rollouts.byID[s.rollouts.ids[i]]))
	}
	return out, nil
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
	if host == "" || req.User == "" {
		return rollout.HostState{}, fmt.Errorf("%w: give the server's SSH address and a user", ErrInvalid)
	}
	if req.Password == "" && req.Key == "" {
		return rollout.HostState{}, fmt.Errorf("%w: give a password or a private key", ErrInvalid)
	}
	cred := &rollout.Credentials{Password: secret(req.Password), Key: secret(req.Key), KeyPassphrase: secret(req.KeyPassphrase), SudoPassword: secret(req.SudoPassword)}
	defer cred.Wipe()
	st := s.runner().Uninstall(ctx, rollout.Target{Host: host, Port: req.Port, User: req.User}, sv.UUID, cred, req.AcceptHostKey)
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

// SetGatewayPin records the SHA-256 of the gateway's public key (base64),
// which the one-line install command pins.
func (s *Service) SetGatewayPin(pin string) {
	s.gatewayMu.Lock()
	s.gatewayPin = pin
	s.gatewayMu.Unlock()
}

func (s *Service) installCommand(gw, token string) string {
	s.gatewayMu.RLock()
	pin := s.gatewayPin
	s.gatewayMu.RUnlock()
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
// served. ErrInstallLinkUsed on a second fetch, ErrNotFound for an unknown
// or expired link.
func (s *Service) InstallScript(ctx context.Context, token string) (string, error) {
	if err := s.needCA(); err != nil {
		return "", err
	}
	secret, err := fleet.NewToken()
	if err != nil {
		return "", err
	}
	tok, err := s.st.ExchangeToken(ctx, fleet.HashToken(token), fleet.HashToken(secret))
	if errors.Is(err, store.ErrTokenUsed) {
		return "", ErrInstallLinkUsed
	} else if err != nil {
		return "", err
	}
	p := rollout.ScriptParams{Name: tok.Name, Secret: secret, GatewayURL: s.GatewayURL(), CAFingerprint: s.ca.Fingerprint(),
		CAPEM: string(s.ca.CertPEM()), SHA256: map[string]string{}, ExpiresAt: tok.ExpiresAt}
	if s.dist != nil {
		for _, arch := range []string{"amd64", "arm64"} {
			if b, err := s.dist.Lookup("linux", arch); err == nil {
				p.SHA256[arch] = b.SHA256
			}
		}
	}
	return rollout.InstallScript(p), nil
}

// InstallBinary is the agent build a one-line install downloads with the
// enrollment secret its script carries.
func (s *Service) InstallBinary(ctx context.Context, secret, arch string) (string, error) {
	if _, err := s.st.UsableToken(ctx, fleet.HashToken(secret)); err != nil {
		return "", err
	}
	if s.dist == nil {
		return "", fmt.Errorf("%w: no agent builds on this coordinator", ErrUnavailable)
	}
	b, err := s.dist.Lookup("linux", arch)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return b.Path, nil
}
