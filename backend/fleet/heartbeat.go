package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// Heartbeat records an agent's report. A server coming online is an event
// in the log; the heartbeat itself is only announced live.
func (f *Fleet) Heartbeat(ctx context.Context, agentUUID string, req agentapi.HeartbeatRequest) (agentapi.HeartbeatResponse, error) {
	if err := CheckProtocol(req.ProtocolVersion); err != nil {
		return agentapi.HeartbeatResponse{}, err
	}
	caps, _ := json.Marshal(req.Capabilities)
	metrics, _ := json.Marshal(req.Metrics)
	sv, prev, err := f.st.RecordHeartbeat(ctx, agentUUID, store.Heartbeat{
		AgentVersion: req.AgentVersion, Protocol: req.ProtocolVersion, Hostname: req.Capabilities.Hostname,
		Capabilities: caps, Metrics: metrics,
	})
	if err != nil {
		return agentapi.HeartbeatResponse{}, err
	}
	if prev != store.ServerOnline {
		f.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s is online", sv.Name), map[string]any{"id": sv.ID, "status": sv.Status})
		if f.hooks.Online != nil {
			f.hooks.Online(ctx, sv)
		}
	}
	if f.hooks.Metrics != nil {
		f.hooks.Metrics(ctx, sv.ID, req.Metrics)
	}
	// Tasks the agent no longer runs were lost with a killed or restarted agent.
	// A task started before this agent process, or more than two minutes
	// ago, that the agent does not list is not running (its outcome report
	// was lost, or the agent died with it).
	cutoff := f.now().Add(-2 * time.Minute)
	if req.StartedAt.After(cutoff) {
		cutoff = req.StartedAt
	}
	if lost, err := f.st.LostTasks(ctx, sv.ID, req.RunningTaskIDs, cutoff); err == nil {
		for _, t := range lost {
			f.publishTask(ctx, t, fmt.Sprintf("%s task %d on %s was interrupted: %s", t.Type, t.ID, sv.Name, t.Error))
			f.taskEnded(ctx, t)
		}
	}
	f.events.Announce(events.AgentHeartbeat, sv.UUID, map[string]any{"server_id": sv.ID, "last_seen": sv.LastSeen, "metrics": req.Metrics})
	cancel, _ := f.st.CancelledAmong(ctx, sv.ID, req.RunningTaskIDs)
	f.seen.mark(sv.UUID)
	resp := agentapi.HeartbeatResponse{ServerTime: f.now().UTC(), ProtocolVersion: agentapi.ProtocolVersion, HeartbeatEvery: int(f.heartbeat / time.Second), Cancel: cancel}
	if f.hooks.ScheduleSerial != nil {
		resp.ScheduleSerial = f.hooks.ScheduleSerial(ctx, sv)
	}
	return resp, nil
}

// MarkOffline turns servers silent for longer than the offline threshold
// offline and announces each.
func (f *Fleet) MarkOffline(ctx context.Context) error {
	gone, err := f.st.MarkOffline(ctx, f.now().Add(-f.offlineAfter))
	if err != nil {
		return err
	}
	for _, sv := range gone {
		f.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s is offline (no heartbeat for %s)", sv.Name, f.offlineAfter), map[string]any{"id": sv.ID, "status": sv.Status})
		if f.hooks.Offline != nil {
			f.hooks.Offline(ctx, sv)
		}
	}
	return nil
}

// seenSince remembers which agents have heartbeated since this process
// started: until an agent has, its offline-capable jobs get no catch-up run
// (it may have made them already and be about to deliver them).
type seenSince struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *seenSince) mark(uuid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	s.m[uuid] = true
}

func (s *seenSince) has(uuid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[uuid]
}

// Seen reports whether an agent has heartbeated since this process started.
func (f *Fleet) Seen(uuid string) bool { return f.seen.has(uuid) }
