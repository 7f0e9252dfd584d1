package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// JobInput defines a backup job.
type JobInput struct {
	Server   string              `json:"server"`
	Name     string              `json:"name"`
	Spec     agentapi.BackupSpec `json:"spec"`
	Schedule string              `json:"schedule"`
	Keep     borg.Keep           `json:"keep"`
}

func validateSpec(s agentapi.BackupSpec) error {
	switch s.Kind {
	case agentapi.KindFiles:
		if len(s.Paths) == 0 {
			return errors.New("a files job needs at least one path (--paths)")
		}
		for _, p := range s.Paths {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("path %q must be absolute", p)
			}
		}
	case agentapi.KindMySQL, agentapi.KindPostgres, agentapi.KindMongo:
	case agentapi.KindDocker:
		if s.Docker == nil || len(s.Docker.Containers) == 0 {
			return errors.New("a docker job names at least one container")
		}
	case agentapi.KindLVM:
		if s.LVM == nil || s.LVM.VolumeGroup == "" || s.LVM.Volume == "" {
			return errors.New("an LVM job names a volume group and a volume")
		}
	default:
		return fmt.Errorf("unknown job kind %q (files, mysql, postgres, mongo, docker or lvm)", s.Kind)
	}
	for _, h := range append(slices.Clone(s.Pre), s.Post...) {
		if len(h) == 0 || !strings.HasPrefix(h[0], "/") {
			return errors.New("hook commands start with an absolute program path")
		}
	}
	return nil
}

// CreateJob validates and stores a job.
func (s *Service) CreateJob(ctx context.Context, in JobInput) (store.Job, error) {
	sv, err := s.Server(ctx, in.Server)
	if err != nil {
		return store.Job{}, err
	}
	if err := validNameOf("job", in.Name); err != nil {
		return store.Job{}, err
	}
	if err := validateSpec(in.Spec); err != nil {
		return store.Job{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if in.Schedule != "" {
		if _, err := jobs.ParseSchedule(in.Schedule); err != nil {
			return store.Job{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	if !jobs.ValidWithin(in.Keep.Within) || in.Keep.Daily < 0 || in.Keep.Weekly < 0 || in.Keep.Monthly < 0 || in.Keep.Yearly < 0 {
		return store.Job{}, fmt.Errorf("%w: retention: keep counts are whole numbers and --keep-within looks like 7d", ErrInvalid)
	}
	spec, _ := json.Marshal(in.Spec)
	keep, _ := json.Marshal(in.Keep)
	j, err := s.st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: in.Name, Kind: in.Spec.Kind, Spec: string(spec), Schedule: in.Schedule, Enabled: true, Keep: string(keep)})
	if err != nil {
		return store.Job{}, err
	}
	s.publish(ctx, events.JobChanged, sv.UUID, fmt.Sprintf("job %s created for %s", j.Name, sv.Name), map[string]any{"job_id": j.ID})
	return j, nil
}

// Job returns a job by id, name or SERVER/NAME.
func (s *Service) Job(ctx context.Context, ref string) (store.Job, error) {
	return s.st.FindJob(ctx, ref)
}

// Run returns one run with its log.
func (s *Service) Run(ctx context.Context, id int64) (store.Run, error) {
	r, err := s.st.Run(ctx, id)
	if err != nil {
		return r, err
	}
	return s.withPruned(ctx, []store.Run{r})[0], nil
}

// RunJob queues a run of a job and starts it as soon as its repository is free.
func (s *Service) RunJob(ctx context.Context, ref, trigger string) (store.Run, error) {
	j, err := s.st.FindJob(ctx, ref)
	if err != nil {
		return store.Run{}, err
	}
	return s.queueRun(ctx, j, trigger, 1)
}

func (s *Service) queueRun(ctx context.Context, j store.Job, trigger string, attempt int) (store.Run, error) {
	r, err := s.st.QueueRun(ctx, j.ID, trigger, attempt)
	if err != nil {
		return store.Run{}, err
	}
	s.publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s queued (%s)", r.ID, j.ServerName, j.Name, trigger), map[string]any{"run_id": r.ID, "status": r.Status})
	s.dispatchNext(ctx, j.ServerID)
	return s.st.Run(ctx, r.ID)
}

// dispatchNext hands the oldest queued run of a server to its agent, if
// none is running: one run per repository at a time.
func (s *Service) dispatchNext(ctx context.Context, serverID int64) {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	for s.dispatchOne(ctx, serverID) {
	}
}

// dispatchOne starts the oldest queued run of a server; it reports true
// when that run failed before it reached the agent, so the next may go.
func (s *Service) dispatchOne(ctx context.Context, serverID int64) (failed bool) {
	r, ok, err := s.st.NextQueuedRun(ctx, serverID)
	if err != nil || !ok {
		return false
	}
	fail := func(err error) {
		_, ferr := s.st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunFailed, Error: err.Error()})
		failed = ferr == nil
		s.publish(ctx, events.RunProgress, "", fmt.Sprintf("run %d of %s/%s failed: %v", r.ID, r.ServerName, r.JobName, err), map[string]any{"run_id": r.ID, "status": store.RunFailed})
	}
	j, err := s.st.Job(ctx, r.JobID)
	if err != nil {
		fail(err)
		return failed
	}
	if s.repos == nil || s.BorgSSH().Port == 0 {
		fail(fmt.Errorf("%w: this coordinator holds no repositories (no Borg SSH server)", ErrUnavailable))
		return failed
	}
	if s.repoBusy(ctx, r, j) {
		return false // stays queued; dispatched when the move ends or the node is back
	}
	if err := s.ensureRepo(ctx, j.ServerUUID); err != nil {
		fail(err)
		s.notify(ctx, j.ServerUUID, fmt.Sprintf("run %d of %s/%s did not start: %v", r.ID, r.ServerName, r.JobName, err))
		return failed
	}
	loc, err := s.location(ctx, j.ServerUUID)
	if err != nil {
		fail(err)
		return failed
	}
	if loc.local() {
		running, err := s.st.CountRunning(ctx)
		if err != nil {
			fail(err)
			return failed
		}
		if _, err := s.repos.LimitToFreeSpace(ctx, j.ServerUUID, running+1); err != nil {
			fail(err)
			s.notify(ctx, j.ServerUUID, fmt.Sprintf("run %d of %s/%s did not start: %v", r.ID, r.ServerName, r.JobName, err))
			return failed
		}
	}
	var spec agentapi.BackupSpec
	if err := json.Unmarshal([]byte(j.Spec), &spec); err != nil {
		fail(fmt.Errorf("job spec: %w", err))
		return failed
	}
	archive := jobs.ArchiveName(j.Name, s.now())
	payload := agentapi.BackupPayload{JobID: j.ID, RunID: r.ID, Archive: archive, Repo: loc.agentURL, HostKey: loc.hostKey, Spec: spec, LockWait: s.repos.Borg.LockWait}
	raw, _ := json.Marshal(payload)
	t, err := s.st.CreateTask(ctx, serverID, agentapi.TaskBackup, raw)
	if err != nil {
		fail(err)
		return failed
	}
	if _, err := s.st.MarkRunRunning(ctx, r.ID, t.ID, archive); err != nil {
		fail(err)
		return failed
	}
	s.publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s started: archive %s", r.ID, j.ServerName, j.Name, archive), map[string]any{"run_id": r.ID, "status": store.RunRunning})
	s.Wake(serverID)
	return false
}

// repoURL is the agent's address of its repository on the Borg SSH server.
func (s *Service) repoURL(agent string) string {
	b := s.BorgSSH()
	return fmt.Sprintf("ssh://borgdesk@%s:%d%s/%s", b.Host, b.Port, s.repos.Dir(), agent)
}

// withPassphrase adds the repository passphrase to a backup or restore
// task as it is handed to its agent; the stored task never holds it.
func (s *Service) withPassphrase(agent string, t agentapi.Task) (agentapi.Task, error) {
	repoOf := agent
	if src, ok := restoreSource(t); ok {
		repoOf = src
	} else if owner, ok := storageRepoOwner(t); ok {
		repoOf = owner
	} else if t.Type != agentapi.TaskBackup {
		return t, nil
	}
	pass, err := s.repos.Passphrase(repoOf)
	if err != nil {
		return t, err
	}
	repo := borg.Repo{Passphrase: pass}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return t, err
	}
	p["passphrase"], _ = json.Marshal(repo.Passphrase)
	if t.Type == agentapi.TaskStorageReplicate {
		// The replica's secrets too, for this run only.
		f := s.replicaFiles(repoOf)
		for key, file := range map[string]string{"key": f.key, "known_hosts": f.knownHosts, "secret": f.secret} {
			if b, err := os.ReadFile(file); err == nil {
				p[key], _ = json.Marshal(string(b))
			}
		}
	}
	t.Payload, err = json.Marshal(p)
	return t, err
}

// finishBackup records a backup task's outcome on its run, applies
// retention, retries transient failures, and starts the next queued run.
func (s *Service) finishBackup(ctx context.Context, t store.Task) {
	r, err := s.st.RunByTask(ctx, t.ID)
	if err != nil {
		return
	}
	defer s.orch.Go("dispatch", func(ctx context.Context) { s.dispatchNext(ctx, r.ServerID) })
	var res agentapi.BackupResult
	json.Unmarshal(t.Result, &res)
	o := store.RunOutcome{Status: store.RunSucceeded, Bytes: res.Bytes, Files: res.Files, Deduplicated: res.Deduplicated, Archive: res.Archive, Log: res.Log}
	switch {
	case t.Status != store.TaskSucceeded:
		o.Status, o.Error = store.RunFailed, t.Error
		if o.Error == "" {
			o.Error = "the task " + t.Status
		}
	case res.Warnings != "":
		o.Status, o.Error = store.RunWarning, res.Warnings
	}
	o.Log = backupLog(res, o.Status, res.Warnings, o.Error)
	done, err := s.st.FinishRun(ctx, r.ID, o)
	if err != nil {
		return
	}
	msg := fmt.Sprintf("run %d of %s/%s %s", done.ID, done.ServerName, done.JobName, done.Status)
	if done.Error != "" {
		msg += ": " + done.Error
	}
	s.publish(ctx, events.RunProgress, t.ServerUUID, msg, map[string]any{"run_id": done.ID, "status": done.Status})
	if done.Status == store.RunFailed {
		s.notify(ctx, t.ServerUUID, msg)
		s.replicateAfterBackup(ctx, done.ServerID, false)
		if transient(done.Error) && done.Attempt < 3 {
			j, err := s.st.Job(ctx, done.JobID)
			if err == nil {
				delay := time.Duration(done.Attempt) * s.retryDelay
				s.orch.After("retry "+j.Name, delay, func(ctx context.Context) { s.queueRun(ctx, j, "retry", done.Attempt+1) })
			}
		}
		return
	}
	if j, err := s.st.Job(ctx, done.JobID); err == nil {
		s.orch.Go("after a backup", func(bg context.Context) {
			s.applyRetention(bg, j)
			s.replicateAfterBackup(bg, j.ServerID, true)
			s.recordRepoSize(bg, j.ServerID, j.ServerUUID)
			if s.cat != nil {
				if _, err := s.IndexServer(bg, j.ServerUUID); err != nil {
					s.log().Warn("catalog: indexing after a backup failed", "server", j.ServerName, "err", err)
				}
			}
		})
	}
}

// transient reports failures worth retrying: the network, a lock, a restart.
func transient(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"connection", "locked", "timeout", "timed out", "interrupted", "broken pipe", "eof"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// Notify tells the operator something (a notification event).
func (s *Service) Notify(ctx context.Context, msg string) { s.notify(ctx, "", msg) }

func (s *Service) notify(ctx context.Context, subject, msg string) {
	s.publish(ctx, events.Notification, subject, msg, nil)
}

// Requeue queues again runs a crash left running (already marked failed
// by the store at start-up).
func (s *Service) Requeue(ctx context.Context, runs []store.Run) error {
	for _, r := range runs {
		j, err := s.st.Job(ctx, r.JobID)
		if err != nil {
			continue
		}
		s.publish(ctx, events.RunProgress, j.ServerUUID, fmt.Sprintf("run %d of %s/%s was interrupted by a restart; queued again", r.ID, r.ServerName, r.JobName), map[string]any{"run_id": r.ID})
		if _, err := s.queueRun(ctx, j, "retry", r.Attempt+1); err != nil {
			return err
		}
	}
	return nil
}

// WaitRun waits until a run finishes (or ctx ends) and returns it.
func (s *Service) WaitRun(ctx context.Context, id int64) (store.Run, error) {
	var r store.Run
	err := s.waitUntil(ctx, func() (bool, error) {
		var err error
		r, err = s.st.Run(ctx, id)
		return err == nil && r.Status != store.RunQueued && r.Status != store.RunRunning, err
	})
	return r, err
}

// waitUntil calls done after every announced change (and every few seconds,
// in case an announcement was missed) until it reports true, fails, or ctx
// ends. A lagging subscription is replaced, never read after it closed.
func (s *Service) waitUntil(ctx context.Context, done func() (bool, error)) error {
	sub := s.Subscribe(256)
	defer func() { sub.Close() }()
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		select {
		case _, open := <-sub.C:
			if !open {
				sub = s.Subscribe(256)
			}
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Service) runDue(ctx context.Context) {
	s.runDueChecks(ctx)
	s.runDueDrills(ctx)
	s.runDueReplicas(ctx)
	all, err := s.st.ListJobs(ctx)
	if err != nil {
		return
	}
	now := s.now()
	for _, j := range all {
		if !j.Enabled || j.Schedule == "" {
			continue
		}
		sched, err := jobs.ParseSchedule(j.Schedule)
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
		if s.waitForOfflineRuns(ctx, j) {
			continue // its agent may have run it alone; it reports first
		}
		if err := s.st.SetJobScheduled(ctx, j.ID, now); err != nil {
			continue
		}
		if s.SchedulesPaused(ctx) {
			continue // the slot passes unrun: no catch-up flood on resume
		}
		trigger := "schedule"
		if sched.Next(sched.Next(last)).Before(now) {
			trigger = "catch-up" // slots were missed while the coordinator was closed
		}
		s.queueRun(ctx, j, trigger, 1)
	}
}

// runDueChecks runs the scheduled repository checks: `borg check` and,
// on a slower schedule, `--verify-data`, one repository after another in
// the background.
func (s *Service) runDueChecks(ctx context.Context) {
	now := s.now()
	s.checkMu.Lock()
	if s.lastCheck.IsZero() {
		s.lastCheck, s.lastVerify = now, now // count from start-up
	}
	due := func(key string, last time.Time) bool {
		expr, err := s.Setting(ctx, key)
		if err != nil || expr == "" {
			return false
		}
		sched, err := jobs.ParseSchedule(expr)
		return err == nil && sched.Due(last, now)
	}
	verify := due("check.verify_data_schedule", s.lastVerify)
	check := verify || due("check.schedule", s.lastCheck)
	if verify {
		s.lastVerify = now
	}
	if check {
		s.lastCheck = now
	}
	s.checkMu.Unlock()
	if !check || s.repos == nil {
		return
	}
	s.orch.Go("repository checks", func(ctx context.Context) {
		servers, err := s.st.ListServers(ctx)
		if err != nil {
			return
		}
		for _, sv := range servers {
			if sv.Status == store.ServerRevoked || ctx.Err() != nil {
				continue
			}
			if _, err := s.repos.Repo(sv.UUID); err != nil {
				continue // no repository yet
			}
			s.Check(ctx, sv.UUID, verify)
		}
	})
}

// CancelRun cancels a queued or running run; its agent stops the backup at
// its next progress report or heartbeat.
func (s *Service) CancelRun(ctx context.Context, id int64) (store.Run, error) {
	r, err := s.st.Run(ctx, id)
	if err != nil {
		return store.Run{}, err
	}
	if r.Status != store.RunQueued && r.Status != store.RunRunning {
		return store.Run{}, fmt.Errorf("%w: run %d already %s", ErrInvalid, id, r.Status)
	}
	if r.TaskID != 0 {
		if err := s.st.CancelTask(ctx, r.TaskID); err != nil {
			return store.Run{}, err
		}
	}
	done, err := s.st.FinishRun(ctx, id, store.RunOutcome{Status: store.RunCancelled, Error: "cancelled by the operator"})
	if err != nil {
		return store.Run{}, err
	}
	s.publish(ctx, events.RunProgress, "", fmt.Sprintf("run %d of %s/%s cancelled", id, done.ServerName, done.JobName), map[string]any{"run_id": id, "status": done.Status})
	s.dispatchNext(ctx, done.ServerID)
	return done, nil
}
