package app

import (
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// GetJobInput is a job's definition as the edit form starts from it.
func (d *Desk) GetJobInput(job string) (service.JobInput, error) {
	return d.svc.JobInputOf(d.context(), job)
}

// EditJob replaces a job's definition; preview only says what would change.
func (d *Desk) EditJob(job string, in service.JobInput, preview bool) (service.JobEdit, error) {
	return d.svc.EditJob(d.context(), job, in, preview)
}

// SetJobEnabled pauses (false) or resumes a job's schedule.
func (d *Desk) SetJobEnabled(job string, enabled bool) (store.Job, error) {
	return d.svc.SetJobEnabled(d.context(), job, enabled)
}

// DuplicateJob copies a job under a new name (on server when not empty).
func (d *Desk) DuplicateJob(job, name, server string) (store.Job, error) {
	return d.svc.DuplicateJob(d.context(), job, name, server)
}

// DeleteJob deletes a job; with its archives only when confirm is the
// job's name as the operator typed it.
func (d *Desk) DeleteJob(job string, withArchives bool, confirm string) (service.JobDeleted, error) {
	return d.svc.DeleteJob(d.context(), job, service.JobDeleteRequest{WithArchives: withArchives, Confirm: confirm})
}

// BackupServer queues a run of every enabled job of a server now.
func (d *Desk) BackupServer(server string) (service.ServerBackup, error) {
	return d.svc.RunServerJobs(d.context(), server, "manual")
}
