package service

import (
	"context"
	"fmt"
	"sync"

	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// replicaRuns tracks the replications in progress: one per repository at
// a time; a request while one runs makes it run once more at its end, so
// an archive made meanwhile is not left behind.
type replicaRuns struct {
	mu      sync.Mutex
	running map[string]bool // server uuid → running
	again   map[string]bool
	// waiting are scheduled replications held until the server's running
	// backup ends (its lock would make them fail).
	waiting map[string]bool
}

func (r *replicaRuns) wait(uuid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting == nil {
		r.waiting = map[string]bool{}
	}
	r.waiting[uuid] = true
}

// takeWaiting reports (and forgets) a replication held for a backup.
func (r *replicaRuns) takeWaiting(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.waiting[uuid]
	delete(r.waiting, uuid)
	return w
}

func (r *replicaRuns) start(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running, r.again = map[string]bool{}, map[string]bool{}
	}
	if r.running[uuid] {
		r.again[uuid] = true
		return false
	}
	r.running[uuid] = true
	return true
}

// end reports whether the run must go once more.
func (r *replicaRuns) end(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.again[uuid] {
		delete(r.again, uuid)
		return true
	}
	delete(r.running, uuid)
	return false
}

func (r *replicaRuns) isRunning(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[uuid]
}

// replicator is the service's rclone wrapper over the repositories' borg.
func (s *Service) replicator() *replicate.Replicator {
	if s.replicatorOverride != nil {
		return s.replicatorOverride
	}
	return &replicate.Replicator{Borg: s.repos.Borg, Rclone: &replicate.Rclone{}, Now: s.now}
}

// RunReplica starts replicating a server's repository now; it returns at
// once with the replica running (see WaitReplica).
func (s *Service) RunReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	st, err := s.GetReplica(ctx, ref)
	if err != nil {
		return ReplicaStatus{}, err
	}
	if s.repos == nil {
		return ReplicaStatus{}, fmt.Errorf("%w: this coordinator holds no repositories", ErrUnavailable)
	}
	s.startReplica(ctx, st.Replica, "by hand")
	return s.GetReplica(ctx, ref)
}

// WaitReplica waits until no replication of the server runs and returns
// its state.
func (s *Service) WaitReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	var st ReplicaStatus
	err := s.waitUntil(ctx, func() (bool, error) {
		var err error
		st, err = s.GetReplica(ctx, ref)
		return err == nil && !st.Running, err
	})
	return st, err
}

// startReplica runs the replication in the background unless one runs.
func (s *Service) startReplica(ctx context.Context, r store.Replica, trigger string) {
	if !s.replicas.start(r.ServerUUID) {
		return
	}
	s.announceReplica(ctx, r, fmt.Sprintf("replication of %s started (%s)", r.ServerName, trigger))
	s.orch.Go("replication", func(bg context.Context) {
		for {
			s.replicateOnce(bg, r.ServerID)
			if !s.replicas.end(r.ServerUUID) {
				break
			}
		}
		s.announceReplica(bg, r, "")
	})
}

func (s *Service) announceReplica(ctx context.Context, r store.Replica, msg string) {
	data := map[string]any{"server_id": r.ServerID, "running": s.replicas.isRunning(r.ServerUUID)}
	if msg == "" {
		s.announce(events.ReplicaChanged, r.ServerUUID, data)
		return
	}
	s.publish(ctx, events.ReplicaChanged, r.ServerUUID, msg, data)
}

// replicateOnce copies the repository while holding the coordinator's
// maintenance lock of it (no prune or compact meanwhile; borg's own lock
// keeps backups out), then records and announces the outcome.
func (s *Service) replicateOnce(ctx context.Context, serverID int64) {
	r, err := s.st.Replica(ctx, serverID)
	if err != nil {
		return // removed meanwhile
	}
	if err := s.st.StartReplica(ctx, serverID); err != nil {
		return
	}
	s.announce(events.ReplicaChanged, r.ServerUUID, map[string]any{"server_id": serverID, "running": true})
	var res replicate.Result
	err = s.repos.Locked(r.ServerUUID, func() error {
		t, err := s.replicaTarget(r)
		if err != nil {
			return err
		}
		if tg, onTarget, _ := s.st.RepoTarget(ctx, serverID); onTarget {
			if tg.Kind != store.TargetNode {
				return &replicate.Error{Kind: replicate.ErrSourceMissing, Msg: fmt.Sprintf("the repository of %s now lives on hosted service %s, whose files rclone cannot read", r.ServerName, tg.Name)}
			}
			res, err = s.nodeReplicate(ctx, tg, r.ServerUUID, t)
			return err
		}
		repo, err := s.repos.Repo(r.ServerUUID)
		if err != nil {
			return &replicate.Error{Kind: replicate.ErrSourceMissing, Msg: fmt.Sprintf("%s has no repository yet (no backup made): nothing to replicate", r.ServerName)}
		}
		res, err = s.replicator().Replicate(ctx, repo, r.ServerUUID, t)
		return err
	})
	o := store.ReplicaOutcome{OK: err == nil, Archives: res.Archives, Bytes: res.Bytes, Files: int64(res.Files),
		Transferred: res.Transferred, Duration: res.Duration, Verified: res.Verified}
	if err != nil {
		o.Error, o.Reason = err.Error(), replicate.Reason(err)
		if o.Reason == "error" {
			o.Reason = "replication failed"
		}
	}
	done, ferr := s.st.FinishReplica(ctx, serverID, o)
	if ferr != nil {
		s.log().Error("replication: record the outcome", "server", r.ServerName, "err", ferr)
		return
	}
	st := s.replicaStatus(ctx, done)
	if err != nil {
		msg := fmt.Sprintf("replication of %s failed: %v", r.ServerName, err)
		s.publish(ctx, events.ReplicaChanged, r.ServerUUID, msg, map[string]any{"server_id": serverID, "running": true, "state": st.State})
		s.Raise(ctx, Alert{Kind: AlertReplicaFailed, Key: "replica_failed:" + r.ServerUUID, Server: r.ServerName,
			Title: fmt.Sprintf("Replication of %s failed: %s", r.ServerName, o.Reason), Body: err.Error(), Route: "#/servers/" + r.ServerUUID})
		return
	}
	s.publish(ctx, events.ReplicaChanged, r.ServerUUID,
		fmt.Sprintf("replication of %s %s: %d archives, %d files (%d bytes copied) in %s to %s; verified %s",
			r.ServerName, st.Summary, len(res.Archives), res.Files, res.Transferred, durationOf(res.Duration.Milliseconds()), st.Display, res.Verified),
		map[string]any{"server_id": serverID, "running": true, "state": st.State})
}

// replicateAfterBackup replicates a server's repository after a backup
// ended: after a successful one when its replica asks for it, and after any
// one when a scheduled replication waited for it.
func (s *Service) replicateAfterBackup(ctx context.Context, serverID int64, succeeded bool) {
	r, err := s.st.Replica(ctx, serverID)
	if err != nil {
		return
	}
	switch {
	case s.replicas.takeWaiting(r.ServerUUID):
		s.startReplica(ctx, r, "schedule, after the backup it waited for")
	case succeeded && r.AfterBackup:
		s.startReplica(ctx, r, "after a backup")
	}
}

// runDueReplicas starts the replications whose schedule is due.
func (s *Service) runDueReplicas(ctx context.Context) {
	if s.repos == nil {
		return
	}
	reps, err := s.st.ListReplicas(ctx)
	if err != nil {
		return
	}
	now := s.now()
	for _, r := range reps {
		if r.Schedule == "" {
			continue
		}
		sched, err := jobs.ParseSchedule(r.Schedule)
		if err != nil {
			continue
		}
		last := r.CreatedAt
		if r.LastScheduledAt != nil {
			last = *r.LastScheduledAt
		}
		if !sched.Due(last, now) || s.st.SetReplicaScheduled(ctx, r.ServerID, now) != nil || s.SchedulesPaused(ctx) {
			continue
		}
		if busy, err := s.st.BackupRunning(ctx, r.ServerID); err == nil && busy {
			s.replicas.wait(r.ServerUUID)
			s.publish(ctx, events.ReplicaChanged, r.ServerUUID, fmt.Sprintf("replication of %s waits for the backup that is running", r.ServerName), map[string]any{"server_id": r.ServerID})
			continue
		}
		s.startReplica(ctx, r, "schedule")
	}
}
