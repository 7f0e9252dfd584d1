package service

import (
	"context"

	"borgdesk/backend/restores"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// Restores (files and database dumps put back onto a server, the plan
// shown before, the stream a cross-server restore reads, cancelling a
// task) are the restores room (backend/restores); these are its use cases
// as the service's.

// The requests and the plan the window binds keep their names in the
// service (the Wails models are service.RestoreRequest,
// service.DBRestoreRequest, service.RestorePlan, service.RestoreLanding):
// they are the restores room's types under the service's name, converted as
// they pass, not aliases, which would move them to another namespace.

// RestoreRequest asks for files of an archive to be restored (restores.Request).
type RestoreRequest = restores.Request

// DBRestoreRequest asks for a database dump of an archive to be restored
// (restores.DBRequest).
type DBRestoreRequest = restores.DBRequest

// RestoreLanding is where one restored item ends up on the target
// (restores.Landing).
type RestoreLanding = restores.Landing

// RestorePlan is what a restore would do, for the window to show before
// it starts: how much, and where each item lands.
type RestorePlan = restores.Plan

// TaskStream is the data of one running streamed restore task (the
// gateway sends it; not bound to the window).
type TaskStream = restores.TaskStream

// StartRestore queues a restore task on the target server's agent; see
// restores.Restores.StartRestore.
func (s *Service) StartRestore(ctx context.Context, req RestoreRequest) (store.Task, error) {
	return s.restores.StartRestore(ctx, req)
}

// RestoreDatabase queues the restore of a database dump: into a new
// database by default, or over the original after a confirmation that
// names it.
func (s *Service) RestoreDatabase(ctx context.Context, req DBRestoreRequest) (store.Task, error) {
	return s.restores.RestoreDatabase(ctx, req)
}

// PlanRestore answers what StartRestore would restore for req, changing
// nothing; see restores.Restores.PlanRestore.
func (s *Service) PlanRestore(ctx context.Context, req RestoreRequest) (RestorePlan, error) {
	return s.restores.PlanRestore(ctx, req)
}

// CancelTask cancels an unfinished task; its agent stops it at the next
// progress report (a backup's run is cancelled with it).
func (s *Service) CancelTask(ctx context.Context, id int64) (store.Task, error) {
	return s.restores.CancelTask(ctx, id)
}

// OpenTaskStream checks that task id is a streamed restore of this agent's
// server that is running now, and returns its data to send.
func (s *Service) OpenTaskStream(ctx context.Context, agentUUID string, id int64) (*TaskStream, error) {
	return s.restores.OpenTaskStream(ctx, agentUUID, id)
}

// taskEnded releases what a finished task held.
func (s *Service) taskEnded(t store.Task) { s.restores.TaskEnded(t) }

// restoreSource is the repository a restore task reads with borg (for its
// passphrase); see restores.Source.
func restoreSource(t agentapi.Task) (string, bool) { return restores.Source(t) }

// restoresEnv is what the restores ask of the service.
type restoresEnv struct{ s *Service }

func (e restoresEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}

func (e restoresEnv) AgentServer(ctx context.Context, agent string) (store.Server, error) {
	return e.s.AgentServer(ctx, agent)
}

func (e restoresEnv) AgentAllowed(uuid string) bool { return e.s.AgentAllowed(uuid) }

func (e restoresEnv) Wake(serverID int64) { e.s.Wake(serverID) }

func (e restoresEnv) BorgSSHRunning() bool { return e.s.BorgSSH().Port != 0 }

func (e restoresEnv) Locate(ctx context.Context, uuid string) (targets.Location, error) {
	return e.s.location(ctx, uuid)
}

func (e restoresEnv) EnsureIndexed(ctx context.Context, sv store.Server, archive string) error {
	return e.s.ensureIndexed(ctx, sv, archive)
}

func (e restoresEnv) CancelRun(ctx context.Context, id int64) error {
	_, err := e.s.CancelRun(ctx, id)
	return err
}
