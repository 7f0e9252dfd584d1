package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// A job's life after it was created (borgdesk job show|edit|enable|
// disable|duplicate|delete) and "back up now" for a whole server: each
// route, then the client's call of it.

var showJob = newRoute(http.MethodGet, "/v1/jobs/{ref}", func(ctx context.Context, s *service.Service, in jobRef) (service.JobView, error) {
	return s.ShowJob(ctx, in.Ref)
})

// ShowJob returns one job with its next run.
func (c *Client) ShowJob(ctx context.Context, ref string) (service.JobView, error) {
	return showJob.Call(ctx, c, jobRef{ref})
}

var jobInput = newRoute(http.MethodGet, "/v1/jobs/{ref}/input", func(ctx context.Context, s *service.Service, in jobRef) (service.JobInput, error) {
	return s.JobInputOf(ctx, in.Ref)
})

// JobInput returns a job's definition as CreateJob and EditJob take it.
func (c *Client) JobInput(ctx context.Context, ref string) (service.JobInput, error) {
	return jobInput.Call(ctx, c, jobRef{ref})
}

type editJobRequest struct {
	Ref     string `path:"ref" json:"-"`
	Preview bool   `query:"preview" json:"-"`
	service.JobInput
}

var editJob = newRoute(http.MethodPut, "/v1/jobs/{ref}", func(ctx context.Context, s *service.Service, in editJobRequest) (service.JobEdit, error) {
	return s.EditJob(ctx, in.Ref, in.JobInput, in.Preview)
})

// EditJob replaces a job's definition (preview: only says what changes).
func (c *Client) EditJob(ctx context.Context, ref string, in service.JobInput, preview bool) (service.JobEdit, error) {
	return editJob.Call(ctx, c, editJobRequest{Ref: ref, Preview: preview, JobInput: in})
}

type jobEnabledRequest struct {
	Ref     string `path:"ref" json:"-"`
	Enabled bool   `json:"enabled"`
}

var setJobEnabled = newRoute(http.MethodPut, "/v1/jobs/{ref}/enabled", func(ctx context.Context, s *service.Service, in jobEnabledRequest) (store.Job, error) {
	return s.SetJobEnabled(ctx, in.Ref, in.Enabled)
})

// SetJobEnabled pauses (false) or resumes a job's schedule.
func (c *Client) SetJobEnabled(ctx context.Context, ref string, enabled bool) (store.Job, error) {
	return setJobEnabled.Call(ctx, c, jobEnabledRequest{Ref: ref, Enabled: enabled})
}

type duplicateJobRequest struct {
	Ref    string `path:"ref" json:"-"`
	Name   string `json:"name"`
	Server string `json:"server,omitempty"`
}

var duplicateJob = newRoute(http.MethodPost, "/v1/jobs/{ref}/duplicate", func(ctx context.Context, s *service.Service, in duplicateJobRequest) (store.Job, error) {
	return s.DuplicateJob(ctx, in.Ref, in.Name, in.Server)
})

// DuplicateJob copies a job under a new name (on server when not empty).
func (c *Client) DuplicateJob(ctx context.Context, ref, name, server string) (store.Job, error) {
	return duplicateJob.Call(ctx, c, duplicateJobRequest{Ref: ref, Name: name, Server: server})
}

type deleteJobRequest struct {
	Ref          string `path:"ref" json:"-"`
	WithArchives bool   `query:"with_archives" json:"-"`
	Confirm      string `query:"confirm" json:"-"`
}

var deleteJob = newRoute(http.MethodDelete, "/v1/jobs/{ref}", func(ctx context.Context, s *service.Service, in deleteJobRequest) (service.JobDeleted, error) {
	return s.DeleteJob(ctx, in.Ref, service.JobDeleteRequest{WithArchives: in.WithArchives, Confirm: in.Confirm})
})

// DeleteJob deletes a job; its archives too when withArchives is set and
// confirm is the job's name.
func (c *Client) DeleteJob(ctx context.Context, ref string, withArchives bool, confirm string) (service.JobDeleted, error) {
	return deleteJob.Call(ctx, c, deleteJobRequest{Ref: ref, WithArchives: withArchives, Confirm: confirm})
}

var backupServer = newRoute(http.MethodPost, "/v1/servers/{ref}/backup", func(ctx context.Context, s *service.Service, in serverRef) (service.ServerBackup, error) {
	return s.RunServerJobs(ctx, in.Ref, "manual")
})

// BackupServer queues a run of every enabled job of a server.
func (c *Client) BackupServer(ctx context.Context, ref string) (service.ServerBackup, error) {
	return backupServer.Call(ctx, c, serverRef{ref})
}
