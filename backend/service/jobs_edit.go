package service

import (
	"context"

	"borgdesk/backend/jobs"
	"borgdesk/backend/store"
)

type (
	// JobEdit is an edit of a job: what changes, and the job after.
	JobEdit = jobs.EditResult
	// JobDeleteRequest deletes a job, with its archives or not.
	JobDeleteRequest = jobs.DeleteRequest
	// JobDeleted is what a delete did.
	JobDeleted = jobs.DeleteReport
)

// EditJob checks in as CreateJob does and replaces the job's definition
// (preview: only says what would change); see jobs.Definitions.Edit.
func (s *Service) EditJob(ctx context.Context, ref string, in JobInput, preview bool) (JobEdit, error) {
	return s.jobs.Edit(ctx, ref, in, preview)
}

// JobInputOf is a job's definition as CreateJob and EditJob take it.
func (s *Service) JobInputOf(ctx context.Context, ref string) (JobInput, error) {
	j, err := s.jobs.Find(ctx, ref)
	if err != nil {
		return JobInput{}, err
	}
	return jobs.InputOf(j)
}

// ShowJob is one job with its next run.
func (s *Service) ShowJob(ctx context.Context, ref string) (JobView, error) {
	return s.jobs.View(ctx, ref)
}

// SetJobEnabled pauses or resumes a job's schedule.
func (s *Service) SetJobEnabled(ctx context.Context, ref string, enabled bool) (store.Job, error) {
	return s.jobs.SetEnabled(ctx, ref, enabled)
}

// DuplicateJob copies a job under a new name (on server when given).
func (s *Service) DuplicateJob(ctx context.Context, ref, name, server string) (store.Job, error) {
	return s.jobs.Duplicate(ctx, ref, name, server)
}

// DeleteJob forgets a job; its archives are kept unless req asks.
func (s *Service) DeleteJob(ctx context.Context, ref string, req JobDeleteRequest) (JobDeleted, error) {
	return s.jobs.Delete(ctx, ref, req)
}

// ServerBackup is "back up now" for a whole server: the runs it queued
// and the paused jobs it left alone.
type ServerBackup = jobs.ServerBackup

// RunServerJobs queues a run of every enabled job of a server.
func (s *Service) RunServerJobs(ctx context.Context, ref, trigger string) (ServerBackup, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return ServerBackup{}, err
	}
	return s.runs.QueueServer(ctx, sv, trigger)
}

func (e jobsEnv) DeleteArchives(ctx context.Context, j store.Job) ([]string, error) {
	return e.s.archives.DeleteJobArchives(ctx, j)
}
