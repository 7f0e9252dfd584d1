package service

import (
	"context"

	"borgdesk/backend/diagnostics"
	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

// The event history and the diagnostics report live in their rooms
// (backend/events, backend/diagnostics); the service only hands them over.

// QueryEvents returns one page of the event history; see events.Query.
func (s *Service) QueryEvents(ctx context.Context, q events.Query) (events.Page, error) {
	return events.History{Store: s.st}.Query(ctx, q)
}

// AllEvents returns every event q selects, for an export.
func (s *Service) AllEvents(ctx context.Context, q events.Query) ([]store.Event, error) {
	return events.History{Store: s.st}.All(ctx, q)
}

// Diagnostics writes the report "Copy diagnostics" copies; p is what only
// the shell knows.
func (s *Service) Diagnostics(ctx context.Context, p diagnostics.Paths) string {
	src := diagnostics.Sources{Version: s.version, DataDir: s.dataDir, Settings: s.Settings, History: events.History{Store: s.st}, Now: s.now, Paths: p}
	if s.repos != nil && s.repos.Borg != nil {
		src.Borg = s.repos.Borg.Version
	}
	return diagnostics.Gather(ctx, src)
}
