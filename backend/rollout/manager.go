package rollout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
)

// ManagerConfig is what a Manager needs.
type ManagerConfig struct {
	// KnownHosts is the file of pinned host keys.
	KnownHosts string
	Coord      Coordinator
	// HeartbeatWait bounds a rollout's wait for the new agent's first
	// heartbeat (90 s when zero).
	HeartbeatWait time.Duration
	Events        events.Log
	Orchestrator  *jobs.Orchestrator
	Now           func() time.Time
}

// Manager runs rollouts in the background and keeps their state for this
// session: they hold no secret, and their outcomes are in the event log.
// The credentials of a rollout live in memory until its last host is done,
// then are wiped; a Manager never writes them anywhere.
type Manager struct {
	cfg  ManagerConfig
	mu   sync.Mutex
	byID map[string]*Rollout
	ids  []string
}

// NewManager returns a manager of rollouts.
func NewManager(cfg ManagerConfig) *Manager {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Manager{cfg: cfg, byID: map[string]*Rollout{}}
}

// KnownHostsFile is the pinned host keys.
func (m *Manager) KnownHostsFile() *KnownHosts { return NewKnownHosts(m.cfg.KnownHosts) }

func (m *Manager) runner() *Runner {
	return &Runner{Known: m.KnownHostsFile(), Coord: m.cfg.Coord, HeartbeatWait: m.cfg.HeartbeatWait}
}

// Probe connects to each host without authenticating and returns its host
// key for the operator to confirm (nothing is sent but the SSH hello).
func (m *Manager) Probe(ctx context.Context, targets []Target) ([]HostKey, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("%w: no hosts given", fault.ErrInvalid)
	}
	kh := m.KnownHostsFile()
	out := make([]HostKey, len(targets))
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

// Forget removes the pinned key of host:port, after the operator confirmed
// that the server was reinstalled.
func (m *Manager) Forget(host string, port int) error { return m.KnownHostsFile().Forget(host, port) }

func secret(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// Start starts installing the agent on the request's hosts and returns at
// once; progress arrives as rollout:progress events. ready says whether the
// coordinator can enroll at all (a CA, agent builds); check judges each
// host's name.
func (m *Manager) Start(ctx context.Context, req Request, ready func() error, check func(name string) error) (Rollout, error) {
	if len(req.Targets) == 0 {
		return Rollout{}, fmt.Errorf("%w: no hosts given", fault.ErrInvalid)
	}
	if len(req.Targets) > 500 {
		return Rollout{}, fmt.Errorf("%w: %d hosts in one rollout; split the list (at most 500)", fault.ErrInvalid, len(req.Targets))
	}
	if req.Password == "" && req.Key == "" {
		return Rollout{}, fmt.Errorf("%w: give a password or a private key", fault.ErrInvalid)
	}
	if err := ready(); err != nil {
		return Rollout{}, err
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
			return Rollout{}, fmt.Errorf("%w: every host needs an address and a user", fault.ErrInvalid)
		}
		if err := check(t.Name); err != nil {
			return Rollout{}, fmt.Errorf("%w: host %s: %v (give it a name)", fault.ErrInvalid, t.Host, err)
		}
		if seen[t.Name] {
			return Rollout{}, fmt.Errorf("%w: two hosts would be called %s", fault.ErrInvalid, t.Name)
		}
		seen[t.Name] = true
	}
	conc := req.Concurrency
	if conc <= 0 {
		conc = 5
	}
	conc = min(conc, 20)
	cred := &Credentials{Password: secret(req.Password), Key: secret(req.Key), KeyPassphrase: secret(req.KeyPassphrase), SudoPassword: secret(req.SudoPassword)}

	idRaw := make([]byte, 6)
	rand.Read(idRaw)
	ro := &Rollout{ID: hex.EncodeToString(idRaw), StartedAt: m.cfg.Now().UTC()}
	for _, t := range req.Targets {
		ro.Hosts = append(ro.Hosts, HostState{Host: t.Host, Port: t.Port, User: t.User, Name: t.Name, Step: StepConnect, Status: StatusPending})
	}
	m.mu.Lock()
	m.byID[ro.ID] = ro
	m.ids = append(m.ids, ro.ID)
	snapshot := cloneRollout(ro)
	m.mu.Unlock()

	runner := m.runner()
	accept := req.AcceptHostKeys
	targets := slices.Clone(req.Targets)
	m.cfg.Orchestrator.Go("rollout", func(bg context.Context) {
		defer cred.Wipe()
		sem := make(chan struct{}, conc)
		var wg sync.WaitGroup
		for i, t := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				report := func(h HostState) { m.progress(ro, i, h) }
				st := runner.Install(bg, t, cred, accept[net.JoinHostPort(t.Host, strconv.Itoa(t.Port))], report)
				if st.Status == StatusDone {
					m.cfg.Events.Publish(bg, events.ServerChanged, st.ServerUUID, fmt.Sprintf("rolled out to %s: %s", t.Host, st.Message), map[string]any{"rollout_id": ro.ID, "host": t.Host})
				} else {
					m.cfg.Events.Publish(bg, events.Notification, ro.ID, fmt.Sprintf("rollout to %s failed: %s", t.Host, st.Message), map[string]any{"rollout_id": ro.ID, "host": t.Host})
				}
			}()
		}
		wg.Wait()
		m.mu.Lock()
		ro.Done = true
		m.mu.Unlock()
	})
	return snapshot, nil
}

func (m *Manager) progress(ro *Rollout, i int, h HostState) {
	m.mu.Lock()
	ro.Hosts[i] = h
	m.mu.Unlock()
	m.cfg.Events.Announce(events.RolloutProgress, ro.ID, map[string]any{"rollout_id": ro.ID, "host": h})
}

func cloneRollout(r *Rollout) Rollout {
	c := *r
	c.Hosts = slices.Clone(r.Hosts)
	return c
}

// Get returns a rollout's state.
func (m *Manager) Get(id string) (Rollout, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.byID[id]
	if !ok {
		return Rollout{}, fmt.Errorf("%w: rollout %q (rollouts are kept until the coordinator restarts)", fault.ErrNotFound, id)
	}
	return cloneRollout(r), nil
}

// List returns this session's rollouts, newest first.
func (m *Manager) List() []Rollout {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Rollout{}
	for i := len(m.ids) - 1; i >= 0; i-- {
		out = append(out, cloneRollout(m.byID[m.ids[i]]))
	}
	return out
}

// Uninstall removes the agent (uuid) from a server over SSH. The caller
// found the server and revokes it afterwards.
func (m *Manager) Uninstall(ctx context.Context, req UninstallRequest, host, uuid string) (HostState, error) {
	if host == "" || req.User == "" {
		return HostState{}, fmt.Errorf("%w: give the server's SSH address and a user", fault.ErrInvalid)
	}
	if req.Password == "" && req.Key == "" {
		return HostState{}, fmt.Errorf("%w: give a password or a private key", fault.ErrInvalid)
	}
	cred := &Credentials{Password: secret(req.Password), Key: secret(req.Key), KeyPassphrase: secret(req.KeyPassphrase), SudoPassword: secret(req.SudoPassword)}
	defer cred.Wipe()
	return m.runner().Uninstall(ctx, Target{Host: host, Port: req.Port, User: req.User}, uuid, cred, req.AcceptHostKey), nil
}
