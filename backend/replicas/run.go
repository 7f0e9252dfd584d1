package replicas

import (
	"context"
	"fmt"
	"sync"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// runs tracks the replications in progress: one per repository at a time;
// a request while one runs makes it run once more at its end, so an
// archive made meanwhile is not left behind.
type runs struct {
	mu      sync.Mutex
	running map[string]bool // server uuid → running
	again   map[string]bool
	// waiting are scheduled replications held until the server's running
	// backup ends (its lock would make them fail).
	waiting map[string]bool
}

func (r *runs) wait(uuid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting == nil {
		r.waiting = map[string]bool{}
	}
	r.waiting[uuid] = true
}

// takeWaiting reports (and forgets) a replication held for a backup.
func (r *runs) takeWaiting(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.waiting[uuid]
	delete(r.waiting, uuid)
	return w
}

func (r *runs) start(uuid string) bool {
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
func (r *runs) end(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.again[uuid] {
		delete(r.again, uuid)
		return true
	}
	delete(r.running, uuid)
	return false
}

func (r *runs) isRunning(uuid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[uuid]
}

// Run starts replicating a server's repository now; it returns at once
// with the replica running (see Wait).
func (rs *Replicas) Run(ctx context.Context, ref string) (Status, error) {
	st, err := rs.Get(ctx, ref)
	if err != nil {
		return Status{}, err
	}
	if rs.repos == nil {
		return Status{}, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	rs.start(ctx, st.Replica, "by hand")
	return rs.Get(ctx, ref)
}

// Wait waits until no replication of the server runs and returns its state.
func (rs *Replicas) Wait(ctx context.Context, ref string) (Status, error) {
	var st Status
	err := rs.env.WaitUntil(ctx, func() (bool, error) {
		var err error
		st, err = rs.Get(ctx, ref)
		return err == nil && !st.Running, err
	})
	return st, err
}

// start runs the replication in the background unless one runs.
func (rs *Replicas) start(ctx context.Context, r store.Replica, trigger string) {
	if !rs.runs.start(r.ServerUUID) {
		return
	}
	rs.announce(ctx, r, fmt.Sprintf("replication of %s started (%s)", r.ServerName, trigger))
	rs.orch.Go("replication", func(bg context.Context) {
		for {
			rs.replicateOnce(bg, r.ServerID)
			if !rs.runs.end(r.ServerUUID) {
				break
			}
		}
		rs.announce(bg, r, "")
	})
}

func (rs *Replicas) announce(ctx context.Context, r store.Replica, msg string) {
	data := map[string]any{"server_id": r.ServerID, "running": rs.runs.isRunning(r.ServerUUID)}
	if msg == "" {
		rs.events.Announce(events.ReplicaChanged, r.ServerUUID, data)
		return
	}
	rs.events.Publish(ctx, events.ReplicaChanged, r.ServerUUID, msg, data)
}

// replicateOnce copies the repository while holding the coordinator's
// maintenance lock of it (no prune or compact meanwhile; borg's own lock
// keeps backups out), then records and announces the outcome.
func (rs *Replicas) replicateOnce(ctx context.Context, serverID int64) {
	r, err := rs.st.Replica(ctx, serverID)
	if err != nil {
		return // removed meanwhile
	}
	if err := rs.st.StartReplica(ctx, serverID); err != nil {
		return
	}
	rs.events.Announce(events.ReplicaChanged, r.ServerUUID, map[string]any{"server_id": serverID, "running": true})
	var res replicate.Result
	err = rs.repos.Locked(r.ServerUUID, func() error {
		t, err := rs.target(r)
		if err != nil {
			return err
		}
		if tg, onTarget, _ := rs.st.RepoTarget(ctx, serverID); onTarget {
			if tg.Kind != store.TargetNode {
				return &replicate.Error{Kind: replicate.ErrSourceMissing, Msg: fmt.Sprintf("the repository of %s now lives on hosted service %s, whose files rclone cannot read", r.ServerName, tg.Name)}
			}
			res, err = rs.env.NodeReplicate(ctx, tg, r.ServerUUID, t)
			return err
		}
		repo, err := rs.repos.Repo(r.ServerUUID)
		if err != nil {
			return &replicate.Error{Kind: replicate.ErrSourceMissing, Msg: fmt.Sprintf("%s has no repository yet (no backup made): nothing to replicate", r.ServerName)}
		}
		res, err = rs.rep.Replicate(ctx, repo, r.ServerUUID, t)
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
	done, ferr := rs.st.FinishReplica(ctx, serverID, o)
	if ferr != nil {
		rs.log.Error("replication: record the outcome", "server", r.ServerName, "err", ferr)
		return
	}
	st := rs.status(ctx, done)
	if err != nil {
		msg := fmt.Sprintf("replication of %s failed: %v", r.ServerName, err)
		rs.events.Publish(ctx, events.ReplicaChanged, r.ServerUUID, msg, map[string]any{"server_id": serverID, "running": true, "state": st.State})
		rs.env.Alert(ctx, Alert{Key: "replica_failed:" + r.ServerUUID, Server: r.ServerName,
			Title: fmt.Sprintf("Replication of %s failed: %s", r.ServerName, o.Reason), Body: err.Error(), Route: "#/servers/" + r.ServerUUID})
		return
	}
	rs.events.Publish(ctx, events.ReplicaChanged, r.ServerUUID,
		fmt.Sprintf("replication of %s %s: %d archives, %d files (%d bytes copied) in %s to %s; verified %s",
			r.ServerName, st.Summary, len(res.Archives), res.Files, res.Transferred, durationOf(res.Duration.Milliseconds()), st.Display, res.Verified),
		map[string]any{"server_id": serverID, "running": true, "state": st.State})
}

// AfterBackup replicates a server's repository after a backup ended: after
// a successful one when its replica asks for it, and after any one when a
// scheduled replication waited for it.
func (rs *Replicas) AfterBackup(ctx context.Context, serverID int64, succeeded bool) {
	r, err := rs.st.Replica(ctx, serverID)
	if err != nil {
		return
	}
	switch {
	case rs.runs.takeWaiting(r.ServerUUID):
		rs.start(ctx, r, "schedule, after the backup it waited for")
	case succeeded && r.AfterBackup:
		rs.start(ctx, r, "after a backup")
	}
}

// RunDue starts the replications whose schedule is due; one whose server
// is backing up waits for the backup to end (see AfterBackup).
func (rs *Replicas) RunDue(ctx context.Context) {
	if rs.repos == nil {
		return
	}
	reps, err := rs.st.ListReplicas(ctx)
	if err != nil {
		return
	}
	now := rs.now()
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
		if !sched.Due(last, now) || rs.st.SetReplicaScheduled(ctx, r.ServerID, now) != nil || rs.env.SchedulesPaused(ctx) {
			continue
		}
		if busy, err := rs.st.BackupRunning(ctx, r.ServerID); err == nil && busy {
			rs.runs.wait(r.ServerUUID)
			rs.events.Publish(ctx, events.ReplicaChanged, r.ServerUUID, fmt.Sprintf("replication of %s waits for the backup that is running", r.ServerName), map[string]any{"server_id": r.ServerID})
			continue
		}
		rs.start(ctx, r, "schedule")
	}
}
