package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// ErrWait means a run cannot start yet and stays queued: its repository is
// moving, or the storage node that holds it is offline. Whoever ends the
// wait dispatches the server's runs again.
var ErrWait = errors.New("the run waits for its repository")

// Placement is where a backup run writes: the repository's address as the
// agent reaches it, its host key, and borg's lock wait.
type Placement struct {
	Repo     string
	HostKey  string
	LockWait int
	// Local: the repository is on the coordinator, which confirms the
	// archive itself after the run (VerifyArchive).
	Local bool
}

// RunEnv is what the run queue asks of the rest of the coordinator.
type RunEnv interface {
	// PlaceBackup makes sure the job's repository exists and has room, and
	// says where the run writes. ErrWait keeps the run queued; any other
	// error fails it, and tell says the operator should hear of it.
	PlaceBackup(ctx context.Context, j store.Job, r store.Run) (p Placement, tell bool, err error)
	// Wake tells a server's agent it has a task.
	Wake(serverID int64)
	// VerifyArchive confirms that a run's archive is in the coordinator's
	// own copy of the job's repository (read-only, beside borg's lock).
	VerifyArchive(ctx context.Context, j store.Job, archive string) error
	// AfterBackup runs after a successful backup: retention, replicas,
	// the repository's size, the file catalog.
	AfterBackup(ctx context.Context, j store.Job)
	// AfterFlx runs after a .flx job's run made its snapshot: the job's
	// retention over its kept snapshots.
	AfterFlx(ctx context.Context, j store.Job, r store.Run)
	// AfterFailure runs after a failed backup (a replica that waited for it).
	AfterFailure(ctx context.Context, serverID int64)
	// Notify tells the operator.
	Notify(ctx context.Context, subject, msg string)
	// HoldSchedule says a scheduled run should not be queued now: its agent
	// may have run it alone while the coordinator was closed.
	HoldSchedule(ctx context.Context, j store.Job) bool
	// SchedulesPaused is the operator's pause of every schedule.
	SchedulesPaused(ctx context.Context) bool
}

// Backoff is how failed runs are retried: a failure of a Transient kind
// runs again after Step times the attempt, up to Attempts runs in all.
type Backoff struct {
	Step     time.Duration
	Attempts int
}

// Delay is how long to wait before the run after attempt, and whether
// there is one.
func (b Backoff) Delay(attempt int, kind Failure) (time.Duration, bool) {
	if kind != Transient || attempt >= b.Attempts {
		return 0, false
	}
	return time.Duration(attempt) * b.Step, true
}

// Failure is the kind of a failed run, which decides whether it is retried.
type Failure int

const (
	// Permanent failures wait for the operator (a wrong path, a full disk).
	Permanent Failure = iota
	// Transient failures are worth another try: the network, a lock, a restart.
	Transient
)

// Classify reads a run's error.
func Classify(msg string) Failure {
	m := strings.ToLower(msg)
	for _, w := range []string{"connection", "locked", "timeout", "timed out", "interrupted", "broken pipe", "eof"} {
		if strings.Contains(m, w) {
			return Transient
		}
	}
	return Permanent
}

// RunsConfig is what a run queue needs.
type RunsConfig struct {
	Store        *store.Store
	Events       events.Log
	Now          func() time.Time
	Orchestrator *Orchestrator
	Env          RunEnv
	Backoff      Backoff
}

// Runs is the backup run queue: runs are queued (by hand, by schedule, as a
// catch-up or a retry), started one per repository at a time as backup
// tasks (flx-backup tasks for .flx jobs), finished from their task's outcome and retried by their Backoff.
// It never talks to an agent (the fleet hands out tasks) and never touches
// a repository itself (RunEnv does).
type Runs struct {
	st         *store.Store
	events     events.Log
	now        func() time.Time
	orch       *Orchestrator
	env        RunEnv
	backoff    Backoff
	dispatchMu sync.Mutex
}

// NewRuns returns the run queue.
func NewRuns(cfg RunsConfig) *Runs {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Runs{st: cfg.Store, events: cfg.Events, now: cfg.Now, orch: cfg.Orchestrator, env: cfg.Env, backoff: cfg.Backoff}
}

// Queue queues a run of j and starts it if its repository is free.
// QueueServer queues a run of every enabled job of sv ("back up now" for
// a server) and names the paused jobs it left alone.
func (q *Runs) QueueServer(ctx context.Context, sv store.Server, trigger string) (ServerBackup, error) {
	all, err := q.st.ListJobs(ctx)
	if err != nil {
		return ServerBackup{}, err
	}
	out := ServerBackup{Server: sv.Name, Runs: []store.Run{}, Paused: []string{}}
	for _, j := range all {
		switch {
		case j.ServerID != sv.ID:
		case !j.Enabled:
			out.Paused = append(out.Paused, j.Name)
		default:
			r, err := q.Queue(ctx, j, trigger, 1)
			if err != nil {
				return out, err
			}
			out.Runs = append(out.Runs, r)
		}
	}
	return out, nil
}

func (q *Runs) Queue(ctx context.Context, j store.Job, trigger string, attempt int) (store.Run, error) {
	r, err := q.st.QueueRun(ctx, j.ID, trigger, attempt)
	if err != nil {
		return store.Run{}, err
	}
	q.events.Publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s queued (%s)", r.ID, j.ServerName, j.Name, trigger), map[string]any{"run_id": r.ID, "status": r.Status})
	q.Dispatch(ctx, j.ServerID)
	return q.st.Run(ctx, r.ID)
}

// Dispatch hands the oldest queued run of a server to its agent, if none is
// running: one run per repository at a time.
func (q *Runs) Dispatch(ctx context.Context, serverID int64) {
	q.dispatchMu.Lock()
	defer q.dispatchMu.Unlock()
	for q.dispatchOne(ctx, serverID) {
	}
}

// dispatchOne starts the oldest queued run of a server; it reports true
// when that run failed before it reached the agent, so the next may go.
func (q *Runs) dispatchOne(ctx context.Context, serverID int64) (failed bool) {
	r, ok, err := q.st.NextQueuedRun(ctx, serverID)
	if err != nil || !ok {
		return false
	}
	fail := func(err error) {
		_, ferr := q.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunFailed, Error: err.Error()})
		failed = ferr == nil
		q.events.Publish(ctx, events.RunProgress, "", fmt.Sprintf("run %d of %s/%s failed: %v", r.ID, r.ServerName, r.JobName, err), map[string]any{"run_id": r.ID, "status": store.RunFailed})
	}
	j, err := q.st.Job(ctx, r.JobID)
	if err != nil {
		fail(err)
		return failed
	}
	var spec agentapi.BackupSpec
	if err := json.Unmarshal([]byte(j.Spec), &spec); err != nil {
		fail(fmt.Errorf("job spec: %w", err))
		return failed
	}
	if spec.Kind == agentapi.KindFlx {
		if err := q.dispatchFlx(ctx, j, r, spec); err != nil {
			fail(err)
			return failed
		}
		return false
	}
	place, tell, err := q.env.PlaceBackup(ctx, j, r)
	switch {
	case errors.Is(err, ErrWait):
		return false // stays queued; dispatched when the move ends or the node is back
	case err != nil:
		fail(err)
		if tell {
			q.env.Notify(ctx, j.ServerUUID, fmt.Sprintf("run %d of %s/%s did not start: %v", r.ID, r.ServerName, r.JobName, err))
		}
		return failed
	}
	archive := ArchiveName(j.Name, q.now())
	payload := agentapi.BackupPayload{JobID: j.ID, RunID: r.ID, Archive: archive, Repo: place.Repo, HostKey: place.HostKey, Spec: spec, LockWait: place.LockWait, CoordinatorVerifies: place.Local}
	raw, _ := json.Marshal(payload)
	t, err := q.st.CreateTask(ctx, serverID, agentapi.TaskBackup, raw)
	if err != nil {
		fail(err)
		return failed
	}
	if _, err := q.st.MarkRunRunning(ctx, r.ID, t.ID, archive); err != nil {
		fail(err)
		return failed
	}
	q.events.Publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s started: archive %s", r.ID, j.ServerName, j.Name, archive), map[string]any{"run_id": r.ID, "status": store.RunRunning})
	q.env.Wake(serverID)
	return false
}

// Finish records a backup task's outcome on its run, retries a transient
// failure after its backoff, runs what follows a backup, and starts the
// server's next queued run.
func (q *Runs) Finish(ctx context.Context, t store.Task) {
	r, err := q.st.RunByTask(ctx, t.ID)
	if err != nil {
		return
	}
	defer q.orch.Go("dispatch", func(ctx context.Context) { q.Dispatch(ctx, r.ServerID) })
	o := q.backupOutcome(ctx, r, t)
	if t.Type == agentapi.TaskFlxBackup {
		o = flxOutcome(t)
	}
	done, err := q.st.FinishRun(ctx, r.ID, o)
	if err != nil {
		return
	}
	msg := fmt.Sprintf("run %d of %s/%s %s", done.ID, done.ServerName, done.JobName, done.Status)
	if done.Error != "" {
		msg += ": " + done.Error
	}
	q.events.Publish(ctx, events.RunProgress, t.ServerUUID, msg, map[string]any{"run_id": done.ID, "status": done.Status})
	if done.Status == store.RunFailed {
		q.env.Notify(ctx, t.ServerUUID, msg)
		q.env.AfterFailure(ctx, done.ServerID)
		if delay, again := q.backoff.Delay(done.Attempt, Classify(done.Error)); again {
			if j, err := q.st.Job(ctx, done.JobID); err == nil {
				q.orch.After("retry "+j.Name, delay, func(ctx context.Context) { q.Queue(ctx, j, "retry", done.Attempt+1) })
			}
		}
		return
	}
	j, err := q.st.Job(ctx, done.JobID)
	switch {
	case err != nil:
	case t.Type == agentapi.TaskFlxBackup:
		q.orch.Go("after a snapshot", func(ctx context.Context) { q.env.AfterFlx(ctx, j, done) })
	default:
		q.orch.Go("after a backup", func(ctx context.Context) { q.env.AfterBackup(ctx, j) })
	}
}

// backupOutcome reads a finished backup task as its run's outcome,
// confirming the archive in the coordinator's copy when the agent left
// that to it.
func (q *Runs) backupOutcome(ctx context.Context, r store.Run, t store.Task) store.RunOutcome {
	var res agentapi.BackupResult
	json.Unmarshal(t.Result, &res)
	var verifyErr error
	var verified *time.Time
	if t.Status == store.TaskSucceeded && !res.Verified {
		// The agent left the confirmation to the coordinator (its copy).
		if j, err := q.st.Job(ctx, r.JobID); err != nil {
			verifyErr = err
		} else if verifyErr = q.env.VerifyArchive(ctx, j, res.Archive); verifyErr == nil {
			res.Verified = true
			now := q.now()
			verified = &now
		}
	}
	o := store.RunOutcome{Status: store.RunSucceeded, Bytes: res.Bytes, Files: res.Files, Deduplicated: res.Deduplicated, Archive: res.Archive, Log: res.Log}
	switch {
	case t.Status != store.TaskSucceeded:
		o.Status, o.Error = store.RunFailed, t.Error
		if o.Error == "" {
			o.Error = "the task " + t.Status
		}
	case verifyErr != nil:
		o.Status, o.Error = store.RunFailed, fmt.Sprintf("verify archive: %v", verifyErr)
	case res.Warnings != "":
		o.Status, o.Error = store.RunWarning, res.Warnings
	}
	o.Log = RunLog(res, o.Status, res.Warnings, o.Error) + Timeline(r, t, res, verified)
	return o
}

// Requeue queues again runs a crash left running (already marked failed
// by the store at start-up).
func (q *Runs) Requeue(ctx context.Context, runs []store.Run) error {
	for _, r := range runs {
		j, err := q.st.Job(ctx, r.JobID)
		if err != nil {
			continue
		}
		q.events.Publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s was interrupted by a restart; queued again", r.ID, r.ServerName, r.JobName), map[string]any{"run_id": r.ID})
		if _, err := q.Queue(ctx, j, "retry", r.Attempt+1); err != nil {
			return err
		}
	}
	return nil
}

// Cancel cancels a queued or running run; its agent stops the backup at
// its next progress report or heartbeat.
func (q *Runs) Cancel(ctx context.Context, id int64) (store.Run, error) {
	r, err := q.st.Run(ctx, id)
	if err != nil {
		return store.Run{}, err
	}
	if r.Status != store.RunQueued && r.Status != store.RunRunning {
		return store.Run{}, fmt.Errorf("%w: run %d already %s", fault.ErrInvalid, id, r.Status)
	}
	if r.TaskID != 0 {
		if err := q.st.CancelTask(ctx, r.TaskID); err != nil {
			return store.Run{}, err
		}
	}
	done, err := q.st.FinishRun(ctx, id, store.RunOutcome{Status: store.RunCancelled, Error: "cancelled by the operator"})
	if err != nil {
		return store.Run{}, err
	}
	q.events.Publish(ctx, events.RunProgress, "", fmt.Sprintf("run %d of %s/%s cancelled", id, done.ServerName, done.JobName), map[string]any{"run_id": id, "status": done.Status})
	q.Dispatch(ctx, done.ServerID)
	return done, nil
}

// QueueDue queues the scheduled runs that are due: one per job whose slot
// passed since its last scheduled run, marked "catch-up" when slots were
// missed while the coordinator was closed. A paused schedule lets the slot
// pass unrun (no flood of catch-ups on resume).
func (q *Runs) QueueDue(ctx context.Context) {
	all, err := q.st.ListJobs(ctx)
	if err != nil {
		return
	}
	now := q.now()
	for _, j := range all {
		if !j.Enabled || j.Schedule == "" {
			continue
		}
		sched, err := ParseSchedule(j.Schedule)
		if err != nil {
			continue
		}
		last := j.CreatedAt
		if j.LastScheduledAt != nil {
			last = *j.LastScheduledAt
		}
		if !sched.Due(last, now) {
			continue
		}
		if q.env.HoldSchedule(ctx, j) {
			continue // its agent may have run it alone; it reports first
		}
		if err := q.st.SetJobScheduled(ctx, j.ID, now); err != nil {
			continue
		}
		if q.env.SchedulesPaused(ctx) {
			continue // the slot passes unrun: no catch-up flood on resume
		}
		trigger := "schedule"
		if sched.Next(sched.Next(last)).Before(now) {
			trigger = "catch-up" // slots were missed while the coordinator was closed
		}
		q.Queue(ctx, j, trigger, 1)
	}
}
