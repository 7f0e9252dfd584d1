package service

import (
	"context"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
	"borgdesk/backend/targets"
)

// StorageNodeInput makes a server a storage node (targets.StorageNodeInput).
type StorageNodeInput = targets.StorageNodeInput

// HostedInput adds a hosted Borg service as a target (targets.HostedInput).
type HostedInput = targets.HostedInput

// MoveReport says what a repository move copied (targets.MoveReport).
type MoveReport = targets.MoveReport

// AddStorageNode makes a server a storage node: its agent starts the Borg
// SSH server with the keys of every enrolled agent, and reports its host key.
func (s *Service) AddStorageNode(ctx context.Context, in StorageNodeInput) (store.Target, error) {
	return s.targets.AddStorageNode(ctx, in)
}

// AddHostedTarget adds a hosted Borg service (BorgBase, Hetzner…) as a target.
func (s *Service) AddHostedTarget(ctx context.Context, in HostedInput) (store.Target, error) {
	return s.targets.AddHostedTarget(ctx, in)
}

// HostedKeys are the lines a hosted target's account must accept.
func (s *Service) HostedKeys(ctx context.Context, ref string) ([]string, error) {
	return s.targets.HostedKeys(ctx, ref)
}

// CheckTarget checks a target is reachable and says how much room it has.
func (s *Service) CheckTarget(ctx context.Context, ref string) (store.Target, error) {
	return s.targets.CheckTarget(ctx, ref)
}

// RemoveTarget removes a target no repository lives on.
func (s *Service) RemoveTarget(ctx context.Context, ref string) error {
	return s.targets.RemoveTarget(ctx, ref)
}

// ListTargets lists the storage targets.
func (s *Service) ListTargets(ctx context.Context) ([]store.Target, error) {
	return s.targets.ListTargets(ctx)
}

// RepoTargets names the target of every repository that does not live on
// the coordinator, by server id.
func (s *Service) RepoTargets(ctx context.Context) (map[int64]string, error) {
	return s.targets.RepoTargets(ctx)
}

// SetRepoTarget puts a server's repository on a target ("" or "local": the
// coordinator's data dir), before it has archives.
func (s *Service) SetRepoTarget(ctx context.Context, server, target string) (store.Server, error) {
	return s.targets.SetRepoTarget(ctx, server, target)
}

// StartMoveRepo starts moving a server's repository to a target.
func (s *Service) StartMoveRepo(ctx context.Context, server, target string) (MoveReport, error) {
	return s.targets.StartMoveRepo(ctx, server, target)
}

// MoveStatus is the last move of a server's repository.
func (s *Service) MoveStatus(ctx context.Context, server string) (MoveReport, error) {
	return s.targets.MoveStatus(ctx, server)
}

// MoveRepo moves a server's repository to a target and waits.
func (s *Service) MoveRepo(ctx context.Context, server, target string) (MoveReport, error) {
	return s.targets.MoveRepo(ctx, server, target)
}

// CoordinatorKey is the coordinator's SSH public key, created on first use.
func (s *Service) CoordinatorKey() (string, error) { return s.targets.CoordinatorKey() }

// location is where a server's repository lives.
func (s *Service) location(ctx context.Context, uuid string) (targets.Location, error) {
	return s.targets.Locate(ctx, uuid)
}

// readRepo is the coordinator's access to a server's repository.
func (s *Service) readRepo(ctx context.Context, uuid string) (borg.Repo, error) {
	return s.targets.ReadRepo(ctx, uuid)
}

func (s *Service) ensureRepo(ctx context.Context, uuid string) error {
	return s.targets.EnsureRepo(ctx, uuid)
}

func (s *Service) nodeRepoOp(ctx context.Context, t store.Target, p agentapi.StorageRepoPayload, wait time.Duration) (agentapi.StorageRepoResult, error) {
	return s.targets.NodeRepoOp(ctx, t, p, wait)
}

func (s *Service) nodeReplicate(ctx context.Context, t store.Target, uuid string, target replicate.Target) (replicate.Result, error) {
	return s.targets.NodeReplicate(ctx, t, uuid, target)
}

func (s *Service) repoBusy(ctx context.Context, r store.Run, j store.Job) bool {
	return s.targets.RepoBusy(ctx, r, j)
}

func (s *Service) wakeNodeRepos(ctx context.Context, id int64) { s.targets.WakeNodeRepos(ctx, id) }

func (s *Service) pushNodeKeys(ctx context.Context) { s.targets.PushNodeKeys(ctx) }

// targetsEnv is what the targets ask of the service.
type targetsEnv struct{ s *Service }

func (e targetsEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}

func (e targetsEnv) QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error) {
	return e.s.QueueTask(ctx, ref, typ, payload)
}

func (e targetsEnv) WaitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	return e.s.WaitTaskOK(ctx, id, timeout)
}

func (e targetsEnv) WaitTaskDone(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	return e.s.WaitTaskDone(ctx, id, timeout)
}

func (e targetsEnv) Dispatch(ctx context.Context, serverID int64) { e.s.dispatchNext(ctx, serverID) }

func (e targetsEnv) RepoURL(uuid string) string { return e.s.repoURL(uuid) }

func (e targetsEnv) Notify(ctx context.Context, subject, msg string) { e.s.notify(ctx, subject, msg) }

// ErrHostKeyUnconfirmed asks the operator to confirm a host key.
var ErrHostKeyUnconfirmed = targets.ErrHostKeyUnconfirmed
