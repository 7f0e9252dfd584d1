// Package offline is the coordinator's side of backups without the
// desktop: each agent holds a copy of its own jobs whose repository is not
// on the coordinator, signed by the coordinator's CA key, and runs them
// itself while the coordinator is unreachable. The runs it made arrive
// (oldest first) before its first heartbeat after the coordinator is back,
// and are recorded here.
//
// It never hands an agent a job whose repository the coordinator holds
// (those wait for the coordinator), never signs with anything but the CA's
// schedule key, and never runs a backup itself.
package offline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// Env is what offline runs ask of the rest of the coordinator.
type Env interface {
	// AgentServer is the server an enrolled agent belongs to.
	AgentServer(ctx context.Context, agentUUID string) (store.Server, error)
	// Seen reports whether the agent has been heard since start-up.
	Seen(agentUUID string) bool
	// Location is where a server's repository lives.
	Location(ctx context.Context, uuid string) (targets.Location, error)
	// Setting reads a setting.
	Setting(ctx context.Context, key string) (string, error)
	// AfterRuns settles what delivered runs made: retention of the jobs
	// that made archives, the repository's size, the file catalog.
	AfterRuns(ctx context.Context, sv store.Server, made []store.Job)
}

// Config is what Offline needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	Now    func() time.Time
	// CA signs the bundles (no offline schedules without it).
	CA *ca.CA
	// Repos holds the repositories (no offline schedules without it).
	Repos        *repos.Repos
	Orchestrator *jobs.Orchestrator
	Logger       *slog.Logger
	Env          Env
}

// Offline hands agents their offline schedules and records what they ran.
type Offline struct {
	st     *store.Store
	events events.Log
	now    func() time.Time
	ca     *ca.CA
	repos  *repos.Repos
	orch   *jobs.Orchestrator
	logger *slog.Logger
	env    Env
}

// New returns Offline over cfg.
func New(cfg Config) *Offline {
	return &Offline{st: cfg.Store, events: cfg.Events, now: cfg.Now, ca: cfg.CA, repos: cfg.Repos, orch: cfg.Orchestrator, logger: cfg.Logger, env: cfg.Env}
}

// offlineAfter is how long agents wait for an unreachable coordinator
// before they run their schedules themselves (setting offline.after).
func (o *Offline) afterSetting(ctx context.Context) int {
	v, err := o.env.Setting(ctx, "offline.after")
	if err != nil || v == "" {
		return 120
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 120
	}
	return int(d / time.Second)
}

// scheduleBundle is an agent's offline schedule and its jobs' passphrases
// (nil bundle: the agent has no job it could run alone).
func (o *Offline) bundle(ctx context.Context, sv store.Server) (*agentapi.ScheduleBundle, map[int64]string, error) {
	if o.repos == nil {
		return nil, nil, nil
	}
	t, onTarget, err := o.st.RepoTarget(ctx, sv.ID)
	if err != nil || !onTarget {
		return nil, nil, err
	}
	loc, err := o.env.Location(ctx, sv.UUID)
	if err != nil {
		return nil, nil, err
	}
	all, err := o.st.ListJobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := &agentapi.ScheduleBundle{Agent: sv.UUID, Settings: agentapi.OfflineConfig{After: o.afterSetting(ctx)}}
	pass := map[int64]string{}
	for _, j := range all {
		if j.ServerID != sv.ID || !j.Enabled || j.Schedule == "" {
			continue
		}
		var spec agentapi.BackupSpec
		if err := json.Unmarshal([]byte(j.Spec), &spec); err != nil {
			continue
		}
		var keep borg.Keep
		json.Unmarshal([]byte(j.Keep), &keep)
		b.Jobs = append(b.Jobs, agentapi.OfflineJob{ID: j.ID, Name: j.Name, Schedule: j.Schedule, Spec: spec, Repo: loc.AgentURL, Keep: agentapi.Keep(keep),
			HostKey: loc.HostKey, LockWait: o.repos.Borg.LockWait, LastScheduledAt: j.LastScheduledAt})
		pass[j.ID] = loc.Read.Passphrase
	}
	if len(b.Jobs) == 0 {
		return nil, nil, nil
	}
	raw, _ := json.Marshal(struct {
		Jobs     []agentapi.OfflineJob
		Settings agentapi.OfflineConfig
		Target   int64
	}{b.Jobs, b.Settings, t.ID})
	sum := sha256.Sum256(raw)
	b.Serial = hex.EncodeToString(sum[:12])
	b.IssuedAt = o.now().UTC()
	return b, pass, nil
}

// Serial names an agent's current bundle ("" none), for heartbeats.
func (o *Offline) Serial(ctx context.Context, sv store.Server) string {
	b, _, err := o.bundle(ctx, sv)
	if err != nil || b == nil {
		return ""
	}
	return b.Serial
}

// Schedule is an agent's signed offline schedule and its passphrases
// (GET /api/agent/schedule, mTLS).
func (o *Offline) Schedule(ctx context.Context, agentUUID string) (agentapi.ScheduleResponse, error) {
	var resp agentapi.ScheduleResponse
	if o.ca == nil {
		return resp, fmt.Errorf("%w: this coordinator has no CA to sign schedules", fault.ErrUnavailable)
	}
	sv, err := o.env.AgentServer(ctx, agentUUID)
	if err != nil {
		return resp, err
	}
	b, pass, err := o.bundle(ctx, sv)
	if err != nil || b == nil {
		return resp, err
	}
	raw, _ := json.Marshal(b)
	sig, err := o.ca.SignSchedule(raw)
	if err != nil {
		return resp, fmt.Errorf("sign schedule: %w", err)
	}
	resp.Signed = agentapi.SignedSchedule{Bundle: raw, Signature: sig}
	resp.Passphrases = pass
	return resp, nil
}

// DeliverOfflineRuns records runs an agent made while the coordinator was
// unreachable, in the order they ran. Every run it processed is accepted
// (a run of a job since deleted is dropped with a log line), so the agent
// can empty its queue.
func (o *Offline) DeliverRuns(ctx context.Context, agentUUID string, req agentapi.OfflineRunsRequest) (agentapi.OfflineRunsResponse, error) {
	var resp agentapi.OfflineRunsResponse
	sv, err := o.env.AgentServer(ctx, agentUUID)
	if err != nil {
		return resp, err
	}
	var added []store.Run
	for _, r := range req.Runs {
		if r.ID == "" || len(r.ID) > 64 {
			continue
		}
		j, err := o.st.Job(ctx, r.JobID)
		if err != nil || j.ServerID != sv.ID {
			o.logger.Warn("offline run of an unknown job or another server's dropped", "server", sv.Name, "job", r.JobID)
			resp.Accepted = append(resp.Accepted, r.ID)
			continue
		}
		out := store.RunOutcome{Status: store.RunSucceeded, Error: r.Error}
		switch r.Status {
		case "failed":
			out.Status = store.RunFailed
		case "warning":
			out.Status = store.RunWarning
		}
		if res := r.Result; res != nil {
			out.Bytes, out.Files, out.Deduplicated, out.Archive, out.Log = res.Bytes, res.Files, res.Deduplicated, res.Archive, res.Log
		}
		run, isNew, err := o.st.RecordOfflineRun(ctx, store.OfflineRun{OfflineID: r.ID, JobID: j.ID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, ScheduledAt: r.ScheduledAt, Outcome: out})
		if err != nil {
			return resp, err // the agent keeps it and delivers it again
		}
		resp.Accepted = append(resp.Accepted, r.ID)
		if !isNew {
			continue
		}
		added = append(added, run)
		msg := fmt.Sprintf("run %d of %s/%s %s while the coordinator was closed (%s)", run.ID, sv.Name, j.Name, run.Status, r.StartedAt.Local().Format("2006-01-02 15:04"))
		if run.Error != "" {
			msg += ": " + run.Error
		}
		o.events.Publish(ctx, events.RunProgress, sv.UUID, msg, map[string]any{"run_id": run.ID, "status": run.Status, "offline": true})
		if run.Status == store.RunFailed {
			o.events.Publish(ctx, events.Notification, sv.UUID, msg, nil)
		}
	}
	if len(added) == 0 {
		return resp, nil
	}
	o.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("%s delivered %d run(s) made while the coordinator was closed, from %s to %s", sv.Name, len(added),
		added[0].StartedAt.Local().Format("2006-01-02 15:04"), added[len(added)-1].StartedAt.Local().Format("2006-01-02 15:04")),
		map[string]any{"id": sv.ID, "offline_runs": len(added)})
	o.orch.Go("after offline runs", func(bg context.Context) {
		// Retention of the jobs that made archives while the coordinator
		// was closed (the agent could not prune through append-only), the
		// repository's size and the file catalog.
		seen := map[int64]bool{}
		var made []store.Job
		for _, r := range added {
			if r.Status != store.RunFailed && !seen[r.JobID] {
				seen[r.JobID] = true
				if j, err := o.st.Job(bg, r.JobID); err == nil {
					made = append(made, j)
				}
			}
		}
		o.env.AfterRuns(bg, sv, made)
	})
	return resp, nil
}

// Hold says whether a scheduled run of j waits: its agent may have run it
// alone (its repository is not on the coordinator and the agent has not
// been heard since this coordinator started), and those runs arrive first.
func (o *Offline) Hold(ctx context.Context, j store.Job) bool {
	if o.env.Seen(j.ServerUUID) {
		return false
	}
	_, onTarget, err := o.st.RepoTarget(ctx, j.ServerID)
	return err == nil && onTarget
}
