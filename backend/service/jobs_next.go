package service

import (
	"context"
	"time"

	"borgdesk/backend/jobs"
	"borgdesk/backend/store"
)

type (
	// JobView is a job as the window lists it, with its next run.
	JobView = jobs.JobView
	// ScheduleDescription answers the job wizard while a schedule is typed.
	ScheduleDescription = jobs.ScheduleDescription
)

// ListJobViews returns every job with its next and last scheduled run.
func (s *Service) ListJobViews(ctx context.Context) ([]JobView, error) { return s.jobs.Views(ctx) }

// DescribeSchedule describes a schedule for the job wizard, checked
// against the RPO of server (a name, uuid or id; "" for rpo.default).
func (s *Service) DescribeSchedule(ctx context.Context, expr, server string) (ScheduleDescription, error) {
	return s.jobs.DescribeSchedule(ctx, expr, server)
}

// jobsEnv is what the job definitions ask of the service.
type jobsEnv struct{ s *Service }

func (e jobsEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}
func (e jobsEnv) SchedulesPaused(ctx context.Context) bool { return e.s.SchedulesPaused(ctx) }
func (e jobsEnv) RPO(ctx context.Context, server string) time.Duration {
	return e.s.rpo(ctx, server)
}
