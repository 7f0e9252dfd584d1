package service

import (
	"context"
	"io"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/snapshots"
	"borgdesk/backend/store"
)

// Opening, sending, receiving and keeping .flx snapshots is the snapshots
// room (backend/snapshots); these are its use cases as the service's (the
// gateway's FlxForTask and StoreFlxUpload among them).

// The answers the window binds keep their names in the service (the Wails
// models are service.FlxFile, service.FlxRestoreRequest): they are the
// room's types under the service's name, converted as they pass.

// FlxFile is a snapshot the coordinator holds for sending to agents: a
// verified copy under DATA/flx/outgoing, named by its SHA-256.
type FlxFile = snapshots.File

// FlxRestoreRequest restores a staged snapshot on a server.
type FlxRestoreRequest = snapshots.RestoreRequest

// MaxFlxSize bounds a snapshot sent to or received from an agent.
const MaxFlxSize = snapshots.MaxSize

// InboxDir is the folder watched for dropped-in snapshots.
func (s *Service) InboxDir() string { return s.snapshots.InboxDir() }

// OpenFlx reads a snapshot from this machine: it is inspected and verified
// (every hash), and a copy is kept to send to agents. A damaged snapshot
// is still described, with its error, and cannot be restored.
func (s *Service) OpenFlx(ctx context.Context, path string) (FlxFile, error) {
	return s.snapshots.Open(ctx, path)
}

// RestoreFlx queues the restore of an opened snapshot on a server's agent.
func (s *Service) RestoreFlx(ctx context.Context, req FlxRestoreRequest) (store.Task, error) {
	return s.snapshots.Restore(ctx, req)
}

// DiffFlx compares an opened snapshot with a server's files under root
// ("" for its own root) through its agent, and waits for the answer.
func (s *Service) DiffFlx(ctx context.Context, id, server, root string, timeout time.Duration) ([]flx.DiffEntry, error) {
	return s.snapshots.Diff(ctx, id, server, root, timeout)
}

// CreateFlx asks a server's agent for a snapshot; it arrives in
// DATA/flx/servers/<uuid>/ when the task succeeds.
func (s *Service) CreateFlx(ctx context.Context, server string, p agentapi.FlxBackupPayload) (store.Task, error) {
	return s.snapshots.Create(ctx, server, p)
}

// ListFlx lists the snapshots received from a server, newest first.
func (s *Service) ListFlx(ctx context.Context, server string) ([]string, error) {
	return s.snapshots.List(ctx, server)
}

// FlxForTask is the snapshot a running restore or diff task fetches.
func (s *Service) FlxForTask(ctx context.Context, agentUUID string, id int64) (string, error) {
	return s.snapshots.ForTask(ctx, agentUUID, id)
}

// StoreFlxUpload keeps the snapshot a running flx-backup task uploads,
// after verifying every hash, in DATA/flx/servers/<uuid>/<name>.
func (s *Service) StoreFlxUpload(ctx context.Context, agentUUID string, id int64, name string, body io.Reader) (string, error) {
	return s.snapshots.StoreUpload(ctx, agentUUID, id, name, body)
}

// ExportFlx copies a snapshot received from a server into ~/Downloads.
func (s *Service) ExportFlx(ctx context.Context, path string) (string, error) {
	return s.snapshots.Export(ctx, path)
}

// WatchInbox announces snapshots that land in DATA/inbox (flx:inbox) until
// ctx ends.
func (s *Service) WatchInbox(ctx context.Context) error { return s.snapshots.WatchInbox(ctx) }

// snapshotsEnv is what the snapshots room asks of the service.
type snapshotsEnv struct{ s *Service }

func (e snapshotsEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}

func (e snapshotsEnv) AgentServer(ctx context.Context, agentUUID string) (store.Server, error) {
	return e.s.AgentServer(ctx, agentUUID)
}

func (e snapshotsEnv) QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error) {
	return e.s.QueueTask(ctx, ref, typ, payload)
}

func (e snapshotsEnv) WaitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	return e.s.WaitTaskOK(ctx, id, timeout)
}

// IndexSnapshots brings the file catalog up to date with the snapshots
// kept for every server (at start: a rebuilt catalog has none).
func (s *Service) IndexSnapshots(ctx context.Context) {
	if err := s.snapshots.IndexAll(ctx); err != nil {
		s.log().Warn("catalog: indexing .flx snapshots failed", "err", err)
	}
}
