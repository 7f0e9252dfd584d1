package service

import (
	"context"
	"time"

	"borgdesk/backend/store"
)

// withPruned marks the runs whose archive the catalog knows is gone from
// the repository (pruned by Borgdesk, by a client or by another prune)
// when the run's own record does not say so already.
func (s *Service) withPruned(ctx context.Context, runs []store.Run) []store.Run {
	if s.cat == nil || len(runs) == 0 {
		return runs
	}
	servers, err := s.st.ListServers(ctx)
	if err != nil {
		return runs
	}
	uuids := map[int64]string{}
	for _, sv := range servers {
		uuids[sv.ID] = sv.UUID
	}
	gone := map[int64]map[string]time.Time{}
	for i, r := range runs {
		if r.Archive == "" || r.PrunedAt != nil {
			continue
		}
		known, ok := gone[r.ServerID]
		if !ok {
			known = map[string]time.Time{}
			if list, err := s.cat.Archives(ctx, uuids[r.ServerID]); err == nil {
				for name, a := range list {
					if !a.Pruned.IsZero() {
						known[name] = a.Pruned
					}
				}
			}
			gone[r.ServerID] = known
		}
		if at, ok := known[r.Archive]; ok {
			runs[i].PrunedAt = &at
		}
	}
	return runs
}
