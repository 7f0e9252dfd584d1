// Package restores puts files and databases of an archive back onto a
// server: it checks a restore request and queues its task on the target's
// agent (StartRestore, RestoreDatabase), says beforehand what a restore
// would do (PlanRestore), cancels a task, and — for a restore onto another
// server than the archive's — streams the files from the coordinator's copy
// of the repository to the target's agent (OpenTaskStream), so that agent
// never sees another server's repository or passphrase.
//
// It asks the rest of the coordinator, through Env, which server a name
// means, which agents are enrolled, where a repository lives and for the
// catalog to index an archive. It never reads a repository but to stream a
// running restore task's data, never puts a passphrase in a task (the
// service adds it as the fleet hands the task out, see Source), never
// streams to an agent other than the task's own, never writes the catalog,
// and never touches a backup run itself (cancelling a backup's task goes
// through Env.CancelRun).
package restores

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// Env is what the restores ask of the rest of the coordinator.
type Env interface {
	// Server is the server whose id, UUID or name is ref.
	Server(ctx context.Context, ref string) (store.Server, error)
	// AgentServer is the server of the agent whose UUID its client
	// certificate names.
	AgentServer(ctx context.Context, agent string) (store.Server, error)
	// AgentAllowed reports whether a server has an enrolled, unrevoked agent.
	AgentAllowed(uuid string) bool
	// Wake wakes the long poll of a server's agent (a task was queued).
	Wake(serverID int64)
	// BorgSSHRunning reports whether the Borg SSH server agents reach their
	// repositories through is listening.
	BorgSSHRunning() bool
	// Locate is where a server's repository lives.
	Locate(ctx context.Context, uuid string) (targets.Location, error)
	// EnsureIndexed indexes a server's archive now if the catalog lacks it.
	EnsureIndexed(ctx context.Context, sv store.Server, archive string) error
	// CancelRun cancels a queued or running backup run (and its task).
	CancelRun(ctx context.Context, id int64) error
}

// Config is what Restores needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	// Catalog counts what a restore restores; restores are unavailable
	// without it.
	Catalog *catalog.Catalog
	// Repos holds the repositories (borg's lock wait, and the reader that
	// streams); restores are unavailable without it.
	Repos *repos.Repos
	Env   Env
}

// Restores queues restores and streams the cross-server ones.
type Restores struct {
	st      *store.Store
	events  events.Log
	now     func() time.Time
	cat     *catalog.Catalog
	repos   *repos.Repos
	env     Env
	streams streams
}

// New returns the restores of cfg's coordinator.
func New(cfg Config) *Restores {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Restores{st: cfg.Store, events: cfg.Events, now: cfg.Now, cat: cfg.Catalog, repos: cfg.Repos, env: cfg.Env}
}

func (r *Restores) needCatalog() error {
	if r.cat == nil || r.repos == nil {
		return fmt.Errorf("%w: this coordinator keeps no file catalog", fault.ErrUnavailable)
	}
	return nil
}

// reader is borg for reading the coordinator's repositories without their
// lock, so a stream goes on while an agent writes a backup.
func (r *Restores) reader() *borg.Borg { return r.repos.Borg.Reader() }

func (r *Restores) publishTask(ctx context.Context, t store.Task, msg string) {
	r.events.Publish(ctx, events.TaskChanged, t.ServerUUID, msg, map[string]any{"task_id": t.ID, "status": t.Status})
}

// Source is the repository a restore task reads with borg (for its
// passphrase). A streamed restore reads none: the coordinator does.
func Source(t agentapi.Task) (string, bool) {
	if t.Type != agentapi.TaskRestore && t.Type != agentapi.TaskDBRestore {
		return "", false
	}
	var p struct {
		Source string `json:"source"`
		Stream bool   `json:"stream"`
	}
	json.Unmarshal(t.Payload, &p)
	return p.Source, p.Source != "" && !p.Stream
}

// CancelTask cancels an unfinished task; its agent stops it at the next
// progress report (a backup's run is cancelled with it).
func (r *Restores) CancelTask(ctx context.Context, id int64) (store.Task, error) {
	t, err := r.st.Task(ctx, id)
	if err != nil {
		return t, err
	}
	if t.Type == agentapi.TaskBackup || t.Type == agentapi.TaskFlxBackup { // a .flx job's run too
		if run, err := r.st.RunByTask(ctx, id); err == nil {
			if err := r.env.CancelRun(ctx, run.ID); err != nil {
				return t, err
			}
			return r.st.Task(ctx, id)
		}
	}
	if err := r.st.CancelTask(ctx, id); err != nil {
		return t, err
	}
	t, err = r.st.Task(ctx, id)
	if err != nil {
		return t, err
	}
	r.publishTask(ctx, t, fmt.Sprintf("%s task %d cancelled by the operator", t.Type, t.ID))
	r.streams.end(id)
	return t, nil
}

// TaskEnded releases what a finished task held (its stream) and tells the
// window a restore ended.
func (r *Restores) TaskEnded(t store.Task) {
	r.streams.end(t.ID)
	if t.Type == agentapi.TaskRestore || t.Type == agentapi.TaskDBRestore {
		r.events.Announce(events.TaskChanged, t.ServerUUID, map[string]any{"task_id": t.ID, "status": t.Status, "result": json.RawMessage(nonNull(t.Result))})
	}
}

func nonNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

func humanBytes(n int64) string { return units.Bytes(n) }
