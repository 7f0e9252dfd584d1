package service

import (
	"context"

	"borgdesk/backend/metrics"
	"borgdesk/backend/store"
)

type (
	// Storage is the coordinator's disk and its repositories' growth.
	Storage = metrics.Storage
	// RepoStorage is one server's repository size over time.
	RepoStorage = metrics.RepoStorage
)

func (s *Service) recordRepoSize(ctx context.Context, serverID int64, uuid string) {
	s.metrics.RecordRepoSize(ctx, serverID, uuid)
}

// GetStorage reports the disk holding the repositories, each repository's
// size over the last 90 days, and when the disk fills at the recent growth.
func (s *Service) GetStorage(ctx context.Context) (Storage, error) { return s.metrics.Storage(ctx) }

// GetMetrics returns a server's samples of the last hours (1 to 720).
func (s *Service) GetMetrics(ctx context.Context, ref string, hours int) ([]store.MetricPoint, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.metrics.Server(ctx, sv.ID, hours)
}
