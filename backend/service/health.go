package service

import (
	"context"
	"time"

	"borgdesk/backend/health"
	"borgdesk/backend/store"
)

// The fleet's health is rated by backend/health; these names keep the
// service's API (the Desk, the admin API, the tray) as it was.
type (
	// FleetHealth is the fleet at a glance.
	FleetHealth = health.Fleet
	// ServerHealth is one server at a glance.
	ServerHealth = health.Server
	// JobHealth is one job's state.
	JobHealth = health.Job
	// HealthIssue is one reason a server is not green.
	HealthIssue = health.Issue
)

// Health states, worst last (see backend/health).
const (
	HealthGreen  = health.Green
	HealthAmber  = health.Amber
	HealthRed    = health.Red
	HealthPaused = health.Paused
)

// Health rates every job, then every server as the worst of its jobs, its
// agent, its certificate and its drills (see health.Rate).
func (s *Service) Health(ctx context.Context) (FleetHealth, error) {
	return health.Check(ctx, healthSource{s}, s.now)
}

// healthSource is what health.Check reads: the servers as the service
// lists them (online, drills), the jobs and run facts from the store, the
// RPO settings.
type healthSource struct{ s *Service }

func (h healthSource) ListServers(ctx context.Context) ([]store.Server, error) {
	return h.s.ListServers(ctx)
}

func (h healthSource) ListJobs(ctx context.Context) ([]store.Job, error) {
	return h.s.st.ListJobs(ctx)
}

func (h healthSource) JobRunFacts(ctx context.Context) (map[int64]store.JobRunFacts, error) {
	return h.s.st.JobRunFacts(ctx)
}

func (h healthSource) Setting(ctx context.Context, key string) (string, error) {
	return h.s.Setting(ctx, key)
}

// rpo is the backup-age target of a server (rpo.<name>), or the default
// (rpo.default) when name is empty; 0 when a server has none of its own.
func (s *Service) rpo(ctx context.Context, name string) time.Duration {
	return health.RPO(ctx, s.Setting, name)
}
