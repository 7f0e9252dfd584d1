package service

import (
	"context"
	"fmt"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

// ListServers returns every server, by name.
func (s *Service) ListServers(ctx context.Context) ([]store.Server, error) {
	servers, err := s.st.ListServers(ctx)
	if err == nil {
		s.drills.MarkStale(ctx, servers)
	}
	return servers, err
}

// Server returns the server whose id, UUID or name is ref, with its
// "verify stale" mark.
func (s *Service) Server(ctx context.Context, ref string) (store.Server, error) {
	sv, err := s.Fleet.Server(ctx, ref)
	if err == nil {
		one := []store.Server{sv}
		s.drills.MarkStale(ctx, one)
		sv = one[0]
	}
	return sv, err
}

// RemoveServer forgets a server with its jobs and runs. Its repository on
// disk is left alone: deleting backups is never a side effect.
func (s *Service) RemoveServer(ctx context.Context, ref string) (store.Server, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return store.Server{}, err
	}
	s.Forget(sv.UUID, sv.ID)
	defer s.orch.Go("push keys to storage nodes", s.pushNodeKeys)
	if s.onRevoke != nil {
		s.onRevoke(sv.UUID)
	}
	if err := s.st.DeleteServer(ctx, sv.ID); err != nil {
		return store.Server{}, err
	}
	s.Wake(sv.ID)
	msg := fmt.Sprintf("server %s removed", sv.Name)
	if err := s.publish(ctx, events.ServerChanged, sv.UUID, msg, map[string]any{"id": sv.ID, "removed": true}); err != nil {
		return sv, err
	}
	return sv, nil
}

// ListJobs returns every job.
func (s *Service) ListJobs(ctx context.Context) ([]store.Job, error) {
	return s.st.ListJobs(ctx)
}

// ListRuns returns the newest runs first; limit is clamped to 1..1000.
func (s *Service) ListRuns(ctx context.Context, limit int) ([]store.Run, error) {
	runs, err := s.st.ListRuns(ctx, clampLimit(limit))
	return s.withPruned(ctx, runs), err
}

// ListJobRuns returns a job's newest runs first.
func (s *Service) ListJobRuns(ctx context.Context, ref string, limit int) ([]store.Run, error) {
	j, err := s.st.FindJob(ctx, ref)
	if err != nil {
		return nil, err
	}
	runs, err := s.st.ListJobRuns(ctx, j.ID, clampLimit(limit))
	return s.withPruned(ctx, runs), err
}
