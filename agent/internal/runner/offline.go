package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"borgdesk/agent/internal/backup"
	"borgdesk/agent/internal/offline"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/schedule"
)

// offlineAfter is how long the coordinator must be unreachable before the
// agent runs its signed schedule itself, when the bundle does not say.
const offlineAfter = 2 * time.Minute

// offlineTick is how often the agent looks at its offline schedule.
var offlineTick = 5 * time.Second

// passphrases are the repositories' passphrases of the schedule bundle's
// jobs: in memory only, never written on the agent.
type passphrases struct {
	mu     sync.Mutex
	serial string
	byJob  map[int64]string
}

func (p *passphrases) set(serial string, m map[int64]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serial, p.byJob = serial, m
}

func (p *passphrases) get(job int64) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.byJob[job]
	return v, ok
}

func (p *passphrases) held() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.serial
}

// contact records a successful exchange with the coordinator.
func (a *Agent) contact() { a.lastContact.Store(time.Now().UnixNano()) }

// syncSchedule fetches the signed bundle when the coordinator names another
// one than the agent holds (or the agent lost the passphrases by restarting).
func (a *Agent) syncSchedule(ctx context.Context, serial string) {
	if a.off == nil || (serial == a.off.Serial() && serial == a.passes.held()) {
		return
	}
	var resp agentapi.ScheduleResponse
	if err := a.client.Do(ctx, "GET", agentapi.PathSchedule, nil, &resp, 30*time.Second); err != nil {
		a.log.Warn("could not fetch the offline schedule", "err", err)
		return
	}
	if err := a.off.Replace(resp.Signed); err != nil {
		a.log.Error("offline schedule refused", "err", err)
		return
	}
	a.passes.set(a.off.Serial(), resp.Passphrases)
	if b := a.off.Bundle(); b != nil {
		a.log.Info("offline schedule updated", "jobs", len(b.Jobs), "serial", b.Serial)
	}
}

// deliverOffline sends the runs made while the coordinator was away, oldest
// first, and drops those it recorded.
func (a *Agent) deliverOffline(ctx context.Context) error {
	if a.off == nil {
		return nil
	}
	runs, err := a.off.Queued()
	if err != nil || len(runs) == 0 {
		return err
	}
	if len(runs) > 10 { // the gateway takes 1 MiB a request; the rest follow
		runs = runs[:10]
	}
	var resp agentapi.OfflineRunsResponse
	if err := a.client.Do(ctx, "POST", agentapi.PathOfflineRuns, agentapi.OfflineRunsRequest{Runs: runs}, &resp, time.Minute); err != nil {
		return err
	}
	a.log.Info("delivered runs made while the coordinator was unreachable", "runs", len(resp.Accepted))
	return a.off.Delivered(resp.Accepted)
}

// offlineLoop runs the signed schedule while the coordinator is unreachable.
func (a *Agent) offlineLoop(ctx context.Context) {
	if a.off == nil {
		return
	}
	t := time.NewTicker(offlineTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b := a.off.Bundle()
		if b == nil {
			continue
		}
		after := time.Duration(b.Settings.After) * time.Second
		if after <= 0 {
			after = offlineAfter
		}
		last := time.Unix(0, a.lastContact.Load())
		if time.Since(last) < after {
			continue
		}
		for _, d := range a.off.DueJobs(time.Now()) {
			if ctx.Err() != nil {
				return
			}
			a.runOffline(ctx, d.Job, d.Slot)
		}
	}
}

// runOffline backs up one job on its own and queues the outcome.
func (a *Agent) runOffline(ctx context.Context, j agentapi.OfflineJob, slot time.Time) {
	if err := a.off.MarkSlot(j.ID, slot); err != nil {
		a.log.Error("offline run not started: cannot record its slot", "job", j.Name, "err", err)
		return
	}
	run := agentapi.OfflineRun{ID: newRunID(), JobID: j.ID, ScheduledAt: slot, StartedAt: time.Now()}
	var log strings.Builder
	logf := func(format string, args ...any) { fmt.Fprintf(&log, format+"\n", args...) }
	logf("coordinator unreachable since %s: running job %s from the signed schedule", time.Unix(0, a.lastContact.Load()).Format(time.RFC3339), j.Name)
	pass, ok := a.passes.get(j.ID)
	var err error
	var res agentapi.BackupResult
	if !ok {
		err = fmt.Errorf("the agent restarted while the coordinator was unreachable and holds no passphrase for this repository (passphrases are kept in memory only); the job runs again once the coordinator is back")
	} else {
		a.running.Add(1)
		b, rsh := a.borgFor(j.LockWait, j.HostKey)
		p := agentapi.BackupPayload{JobID: j.ID, Archive: schedule.ArchiveName(j.Name, slot), Repo: j.Repo, HostKey: j.HostKey, Spec: j.Spec, LockWait: j.LockWait, Passphrase: pass}
		a.log.Info("coordinator unreachable: running a scheduled backup on its own", "job", j.Name, "archive", p.Archive)
		res, err = backup.Run(ctx, backup.Env{Borg: b, RSH: rsh, Log: logf}, p)
		a.running.Add(-1)
	}
	run.FinishedAt = time.Now()
	switch {
	case err != nil:
		run.Status, run.Error = "failed", err.Error()
		if ctx.Err() != nil {
			run.Error = "interrupted: the agent stopped during the backup (" + err.Error() + ")"
		}
	case res.Warnings != "":
		run.Status, run.Error = "warning", res.Warnings
	default:
		run.Status = "succeeded"
	}
	res.Log = log.String()
	if len(res.Log) > 64<<10 {
		res.Log = res.Log[:32<<10] + "\n…\n" + res.Log[len(res.Log)-32<<10:]
	}
	run.Result = &res
	if qerr := a.off.Enqueue(run); qerr != nil {
		a.log.Error("offline run finished but could not be queued for the coordinator", "job", j.Name, "err", qerr)
	}
	a.log.Info("offline run finished", "job", j.Name, "status", run.Status, "err", run.Error)
}

func newRunID() string { return offline.NewRunID() }
