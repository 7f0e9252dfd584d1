package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// JobInput defines a backup job.
type JobInput = jobs.Input

// CreateJob validates and stores a job.
func (s *Service) CreateJob(ctx context.Context, in JobInput) (store.Job, error) {
	return s.jobs.Create(ctx, in)
}

// Job returns a job by id, name or SERVER/NAME.
func (s *Service) Job(ctx context.Context, ref string) (store.Job, error) {
	return s.jobs.Find(ctx, ref)
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
	return s.runs.Queue(ctx, j, trigger, 1)
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
	} else if owner, ok := targets.StorageRepoOwner(t); ok {
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
		for key, file := range map[string]string{"key": f.Key, "known_hosts": f.KnownHosts, "secret": f.Secret} {
			if b, err := os.ReadFile(file); err == nil {
				p[key], _ = json.Marshal(string(b))
			}
		}
	}
	t.Payload, err = json.Marshal(p)
	return t, err
}

// Notify tells the operator something (a notification event).
func (s *Service) Notify(ctx context.Context, msg string) { s.notify(ctx, "", msg) }

func (s *Service) notify(ctx context.Context, subject, msg string) {
	s.publish(ctx, events.Notification, subject, msg, nil)
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

// waitUntil calls done after every announced change until it reports
// true, fails, or ctx ends (events.Log.WaitUntil).
func (s *Service) waitUntil(ctx context.Context, done func() (bool, error)) error {
	return s.events.WaitUntil(ctx, done)
}

func (s *Service) runDue(ctx context.Context) {
	s.runDueChecks(ctx)
	s.runDueDrills(ctx)
	s.runDueReplicas(ctx)
	s.runs.QueueDue(ctx)
}

// runDueChecks starts the scheduled repository checks in the background
// when their schedules are due (archives.DueChecks).
func (s *Service) runDueChecks(ctx context.Context) {
	if check, verify := s.dueChecks.Due(ctx, s.Setting, s.now()); check && s.repos != nil {
		s.orch.Go("repository checks", func(ctx context.Context) { s.archives.CheckAll(ctx, verify) })
	}
}

// Requeue queues again runs a crash left running (already marked failed
// by the store at start-up).
func (s *Service) Requeue(ctx context.Context, runs []store.Run) error {
	return s.runs.Requeue(ctx, runs)
}

// CancelRun cancels a queued or running run; its agent stops the backup at
// its next progress report or heartbeat.
func (s *Service) CancelRun(ctx context.Context, id int64) (store.Run, error) {
	return s.runs.Cancel(ctx, id)
}

// dispatchNext starts a server's next queued run (see jobs.Runs.Dispatch).
func (s *Service) dispatchNext(ctx context.Context, serverID int64) { s.runs.Dispatch(ctx, serverID) }

// runEnv is what the run queue asks of the service.
type runEnv struct{ s *Service }

func (e runEnv) PlaceBackup(ctx context.Context, j store.Job, r store.Run) (jobs.Placement, bool, error) {
	s := e.s
	if s.repos == nil || s.BorgSSH().Port == 0 {
		return jobs.Placement{}, false, fmt.Errorf("%w: this coordinator holds no repositories (no Borg SSH server)", ErrUnavailable)
	}
	if s.repoBusy(ctx, r, j) {
		return jobs.Placement{}, false, jobs.ErrWait
	}
	if err := s.ensureRepo(ctx, j.ServerUUID); err != nil {
		return jobs.Placement{}, true, err
	}
	loc, err := s.location(ctx, j.ServerUUID)
	if err != nil {
		return jobs.Placement{}, false, err
	}
	if loc.Local() {
		running, err := s.st.CountRunning(ctx)
		if err != nil {
			return jobs.Placement{}, false, err
		}
		if _, err := s.repos.LimitToFreeSpace(ctx, j.ServerUUID, running+1); err != nil {
			return jobs.Placement{}, true, err
		}
	}
	return jobs.Placement{Repo: loc.AgentURL, HostKey: loc.HostKey, LockWait: s.repos.Borg.LockWait, Local: loc.Local()}, false, nil
}

// VerifyArchive lists the coordinator's own copy of the job's repository
// (read-only, beside the lock a backup may still hold) and finds archive.
func (e runEnv) VerifyArchive(ctx context.Context, j store.Job, archive string) error {
	s := e.s
	if archive == "" {
		return errors.New("the agent reported no archive name")
	}
	loc, err := s.location(ctx, j.ServerUUID)
	if err != nil {
		return err
	}
	list, err := s.reader().List(ctx, loc.Read)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(a borg.Archive) bool { return a.Name == archive }) {
		return fmt.Errorf("%s is not in the repository after borg create", archive)
	}
	return nil
}

func (e runEnv) Wake(serverID int64) { e.s.Wake(serverID) }

func (e runEnv) AfterBackup(ctx context.Context, j store.Job) {
	s := e.s
	s.applyRetention(ctx, j)
	s.replicateAfterBackup(ctx, j.ServerID, true)
	s.recordRepoSize(ctx, j.ServerID, j.ServerUUID)
	if s.cat != nil {
		if _, err := s.IndexServer(ctx, j.ServerUUID); err != nil {
			s.log().Warn("catalog: indexing after a backup failed", "server", j.ServerName, "err", err)
		}
	}
}

func (e runEnv) AfterFailure(ctx context.Context, serverID int64) {
	e.s.replicateAfterBackup(ctx, serverID, false)
}

func (e runEnv) Notify(ctx context.Context, subject, msg string) { e.s.notify(ctx, subject, msg) }

func (e runEnv) HoldSchedule(ctx context.Context, j store.Job) bool {
	return e.s.offline.Hold(ctx, j)
}

func (e runEnv) SchedulesPaused(ctx context.Context) bool { return e.s.SchedulesPaused(ctx) }
