// Package fleet is the coordinator's side facing the agents: who may
// connect (the allow list the gateway and the Borg SSH server ask on every
// handshake), enrollment and certificate renewal, heartbeats, the task long
// poll and its outcomes, and signed agent updates.
//
// It never decides what to run (the service and the orchestrator queue
// tasks), never talks to the operator, and never blocks a handshake on the
// database: the allow list is in memory and a revoke takes effect at once.
// What the rest of the coordinator does when an agent reports (finish a
// backup's run, index its archive, create its repository) comes in as
// Hooks at construction.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"borgdesk/backend/agentdist"
	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

var (
	// ErrProtocol means the agent speaks a newer protocol than the coordinator.
	ErrProtocol = errors.New("protocol version mismatch")
	// ErrToken means an enrollment token was refused (used, expired, unknown, or for another name).
	ErrToken = errors.New("enrollment token refused")
	// ErrForbidden means the agent is not (or no longer) allowed.
	ErrForbidden = errors.New("agent is not allowed")
	// ErrSuperseded means a client certificate was replaced by a renewal:
	// only the newest certificate of an agent is live.
	ErrSuperseded = errors.New("certificate superseded")
)

// Hooks are what the rest of the coordinator does when the fleet reports.
// Every hook may be nil.
type Hooks struct {
	// PrepareTask adds what a task needs at hand-out and must never be
	// stored (a repository passphrase).
	PrepareTask func(agent string, t agentapi.Task) (agentapi.Task, error)
	// TaskEnded follows a task's end: completed, failed or lost.
	TaskEnded func(ctx context.Context, t store.Task)
	// Enrolled follows an enrollment (create the repository, tell storage nodes).
	Enrolled func(ctx context.Context, agent string)
	// Online and Offline follow a server's change of state.
	Online  func(ctx context.Context, sv store.Server)
	Offline func(ctx context.Context, sv store.Server)
	// Metrics receives each heartbeat's figures.
	Metrics func(ctx context.Context, serverID int64, m agentapi.Metrics)
	// ScheduleSerial names the version of the agent's offline schedule.
	ScheduleSerial func(ctx context.Context, sv store.Server) string
	// Setting reads a setting (agent.update_pin).
	Setting func(ctx context.Context, key string) (string, error)
}

// Config is what a Fleet needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	// CA signs agent certificates; enrollment is unavailable without it.
	CA *ca.CA
	// Dist serves agent binaries; updates are unavailable without it.
	Dist *agentdist.Dist
	// Heartbeat is how often agents report; a server is offline after
	// three missed heartbeats.
	Heartbeat time.Duration
	// TaskLease is how long a dispatched task may wait for its agent to
	// start it before it is handed out again.
	TaskLease time.Duration
	Hooks     Hooks
	Logger    *slog.Logger
	// BorgSSH is where agents reach their repositories (zero: the
	// coordinator serves none).
	BorgSSH BorgSSH
	// GatewayURL is the agents' address of the gateway, for install
	// commands; GatewayPin is the pin of its serving certificate that
	// one-line install commands carry (no one-line install without it).
	GatewayURL, GatewayPin string
}

// BorgSSH is where agents reach their repositories.
type BorgSSH struct {
	Host    string
	Port    int
	HostKey string // authorized_keys format
}

// Fleet is the agent-facing side of the coordinator.
type Fleet struct {
	st           *store.Store
	events       events.Log
	now          func() time.Time
	ca           *ca.CA
	dist         *agentdist.Dist
	heartbeat    time.Duration
	offlineAfter time.Duration
	taskLease    time.Duration
	hooks        Hooks
	log          *slog.Logger

	allowed allowList
	wake    wakeups
	seen    seenSince
	ssh     BorgSSH

	gatewayURL, gatewayPin string
}

// New returns the fleet side over cfg's store.
func New(cfg Config) *Fleet {
	f := &Fleet{st: cfg.Store, events: cfg.Events, now: cfg.Now, ca: cfg.CA, dist: cfg.Dist, heartbeat: cfg.Heartbeat,
		offlineAfter: 3 * cfg.Heartbeat, taskLease: cfg.TaskLease, hooks: cfg.Hooks, log: cfg.Logger, ssh: cfg.BorgSSH,
		gatewayURL: cfg.GatewayURL, gatewayPin: cfg.GatewayPin}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	f.allowed.set(nil)
	return f
}

// BorgSSH is where agents reach their repositories.
func (f *Fleet) BorgSSH() BorgSSH { return f.ssh }

// OfflineAfter is how long a silent agent stays online.
func (f *Fleet) OfflineAfter() time.Duration { return f.offlineAfter }

func (f *Fleet) needCA() error {
	if f.ca == nil {
		return fmt.Errorf("%w: no certificate authority configured", fault.ErrUnavailable)
	}
	return nil
}
