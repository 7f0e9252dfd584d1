// Package targets is where repositories live: the coordinator's own data
// dir, a storage node (a server whose agent runs a Borg SSH server) or a
// hosted Borg service. It says how an agent and the coordinator reach a
// server's repository (Locate), creates repositories where they live,
// configures storage nodes, and moves a repository between targets.
//
// It never hands a task to an agent itself (Env queues them through the
// fleet), never decides when a run starts (the run queue asks RepoBusy), and
// never deletes a repository that holds archives: a move copies and
// verifies before anything is forgotten.
package targets

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/store"
)

// Env is what the targets ask of the rest of the coordinator.
type Env interface {
	// Server finds a server by name, id or UUID.
	Server(ctx context.Context, ref string) (store.Server, error)
	// QueueTask queues a task for a server's agent.
	QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error)
	// WaitTask waits for a task to be started and finished; WaitTaskDone
	// for it to finish, however long it waited to start.
	WaitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error)
	WaitTaskDone(ctx context.Context, id int64, timeout time.Duration) (store.Task, error)
	// Dispatch starts a server's next queued run.
	Dispatch(ctx context.Context, serverID int64)
	// RepoURL is an agent's address of its repository on the coordinator.
	RepoURL(uuid string) string
	// Notify tells the operator.
	Notify(ctx context.Context, subject, msg string)
}

// Config is what Targets needs.
type Config struct {
	Store        *store.Store
	Events       events.Log
	Repos        *repos.Repos
	Layout       datadir.Layout
	Orchestrator *jobs.Orchestrator
	// Self is this program, run as BORG_RSH to reach targets
	// (os.Executable when empty).
	Self   string
	Env    Env
	Logger *slog.Logger
}

// Targets are the places repositories live.
type Targets struct {
	st       *store.Store
	events   events.Log
	repos    *repos.Repos
	layout   datadir.Layout
	orch     *jobs.Orchestrator
	self     string
	env      Env
	log      *slog.Logger
	moving   moves
	waitTold sync.Map // run IDs whose wait for a node was announced
}

// New returns the targets of cfg's coordinator.
func New(cfg Config) *Targets {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Targets{st: cfg.Store, events: cfg.Events, repos: cfg.Repos, layout: cfg.Layout, orch: cfg.Orchestrator, self: cfg.Self, env: cfg.Env, log: cfg.Logger}
}
