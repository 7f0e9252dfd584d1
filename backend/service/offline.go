package service

import (
	"context"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// Schedule is an agent's signed offline schedule and its passphrases
// (GET /api/agent/schedule, mTLS); see backend/offline.
func (s *Service) Schedule(ctx context.Context, agentUUID string) (agentapi.ScheduleResponse, error) {
	return s.offline.Schedule(ctx, agentUUID)
}

// DeliverOfflineRuns records runs an agent made while the coordinator was
// unreachable, in the order they ran.
func (s *Service) DeliverOfflineRuns(ctx context.Context, agentUUID string, req agentapi.OfflineRunsRequest) (agentapi.OfflineRunsResponse, error) {
	return s.offline.DeliverRuns(ctx, agentUUID, req)
}

// offlineEnv is what offline runs ask of the service.
type offlineEnv struct{ s *Service }

func (e offlineEnv) AgentServer(ctx context.Context, uuid string) (store.Server, error) {
	return e.s.AgentServer(ctx, uuid)
}
func (e offlineEnv) Seen(uuid string) bool { return e.s.Seen(uuid) }
func (e offlineEnv) Location(ctx context.Context, uuid string) (targets.Location, error) {
	return e.s.location(ctx, uuid)
}
func (e offlineEnv) Setting(ctx context.Context, key string) (string, error) {
	return e.s.Setting(ctx, key)
}

func (e offlineEnv) AfterRuns(ctx context.Context, sv store.Server, made []store.Job) {
	s := e.s
	for _, j := range made {
		s.applyRetention(ctx, j)
	}
	s.recordRepoSize(ctx, sv.ID, sv.UUID)
	if s.cat != nil {
		if _, err := s.IndexServer(ctx, sv.UUID); err != nil {
			s.log().Warn("catalog: indexing offline runs failed", "server", sv.Name, "err", err)
		}
	}
}
