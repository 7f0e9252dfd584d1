package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// Backups without the desktop: each agent holds a copy of its own jobs
// whose repository is not on the coordinator, signed by the coordinator's
// CA key, and runs them itself while the coordinator is unreachable. The
// runs it made arrive (oldest first) before its first heartbeat after the
// coordinator is back.

// offlineAfter is how long agents wait for an unreachable coordinator
// before they run their schedules themselves (setting offline.after).
func (s *Service) offlineAfterSetting(ctx context.Context) int {
	v, err := s.Setting(ctx, "offline.after")
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
func (s *Service) scheduleBundle(ctx context.Context, sv store.Server) (*agentapi.ScheduleBundle, map[int64]string, error) {
	if s.repos == nil {
		return nil, nil, nil
	}
	t, onTarget, err := s.st.RepoTarget(ctx, sv.ID)
	if err != nil || !onTarget {
		return nil, nil, err
	}
	loc, err := s.location(ctx, sv.UUID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.st.ListJobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := &agentapi.ScheduleBundle{Agent: sv.UUID, Settings: agentapi.OfflineConfig{After: s.offlineAfterSetting(ctx)}}
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
		b.Jobs = append(b.Jobs, agentapi.OfflineJob{ID: j.ID, Name: j.Name, Schedule: j.Schedule, Spec: spec, Repo: loc.AgentURL, Keep: wireKeep(keep),
			HostKey: loc.HostKey, LockWait: s.repos.Borg.LockWait, LastScheduledAt: j.LastScheduledAt})
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
	b.IssuedAt = s.now().UTC()
	return b, pass, nil
}

// ScheduleSerial names an agent's current bundle ("" none), for heartbeats.
func (s *Service) scheduleSerial(ctx context.Context, sv store.Server) string {
	b, _, err := s.scheduleBundle(ctx, sv)
	if err != nil || b == nil {
		return ""
	}
	return b.Serial
}

// Schedule is an agent's signed offline schedule and its passphrases
// (GET /api/agent/schedule, mTLS).
func (s *Service) Schedule(ctx context.Context, agentUUID string) (agentapi.ScheduleResponse, error) {
	var resp agentapi.ScheduleResponse
	if err := s.needCA(); err != nil {
		return resp, err
	}
	sv, err := s.AgentServer(ctx, agentUUID)
	if err != nil {
		return resp, err
	}
	b, pass, err := s.scheduleBundle(ctx, sv)
	if err != nil || b == nil {
		return resp, err
	}
	raw, _ := json.Marshal(b)
	sig, err := s.ca.SignSchedule(raw)
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
func (s *Service) DeliverOfflineRuns(ctx context.Context, agentUUID string, req agentapi.OfflineRunsRequest) (agentapi.OfflineRunsResponse, error) {
	var resp agentapi.OfflineRunsResponse
	sv, err := s.AgentServer(ctx, agentUUID)
	if err != nil {
		return resp, err
	}
	var added []store.Run
	for _, r := range req.Runs {
		if r.ID == "" || len(r.ID) > 64 {
			continue
		}
		j, err := s.st.Job(ctx, r.JobID)
		if err != nil || j.ServerID != sv.ID {
			s.log().Warn("offline run of an unknown job or another server's dropped", "server", sv.Name, "job", r.JobID)
			resp.Accepted = append(resp.Accepted, r.ID)
			continue
		}
		o := store.RunOutcome{Status: store.RunSucceeded, Error: r.Error}
		switch r.Status {
		case "failed":
			o.Status = store.RunFailed
		case "warning":
			o.Status = store.RunWarning
		}
		if res := r.Result; res != nil {
			o.Bytes, o.Files, o.Deduplicated, o.Archive, o.Log = res.Bytes, res.Files, res.Deduplicated, res.Archive, res.Log
		}
		run, isNew, err := s.st.RecordOfflineRun(ctx, store.OfflineRun{OfflineID: r.ID, JobID: j.ID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, ScheduledAt: r.ScheduledAt, Outcome: o})
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
		s.publish(ctx, events.RunProgress, sv.UUID, msg, map[string]any{"run_id": run.ID, "status": run.Status, "offline": true})
		if run.Status == store.RunFailed {
			s.notify(ctx, sv.UUID, msg)
		}
	}
	if len(added) == 0 {
		return resp, nil
	}
	s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("%s delivered %d run(s) made while the coordinator was closed, from %s to %s", sv.Name, len(added),
		added[0].StartedAt.Local().Format("2006-01-02 15:04"), added[len(added)-1].StartedAt.Local().Format("2006-01-02 15:04")),
		map[string]any{"id": sv.ID, "offline_runs": len(added)})
	s.orch.Go("after offline runs", func(bg context.Context) {
		// Retention of the jobs that made archives while the coordinator
		// was closed (the agent could not prune through append-only).
		pruned := map[int64]bool{}
		for _, r := range added {
			if r.Status != store.RunFailed && !pruned[r.JobID] {
				pruned[r.JobID] = true
				if j, err := s.st.Job(bg, r.JobID); err == nil {
					s.applyRetention(bg, j)
				}
			}
		}
		s.recordRepoSize(bg, sv.ID, sv.UUID)
		if s.cat != nil {
			if _, err := s.IndexServer(bg, sv.UUID); err != nil {
				s.log().Warn("catalog: indexing offline runs failed", "server", sv.Name, "err", err)
			}
		}
	})
	return resp, nil
}

// offlineCapable says whether a job's agent may have run it alone: its
// repository is not on the coordinator and the agent has not been heard
// since this coordinator started.
func (s *Service) waitForOfflineRuns(ctx context.Context, j store.Job) bool {
	if s.Seen(j.ServerUUID) {
		return false
	}
	_, onTarget, err := s.st.RepoTarget(ctx, j.ServerID)
	return err == nil && onTarget
}
