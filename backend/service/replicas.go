package service

import (
	"context"

	"borgdesk/backend/replicas"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// A repository's replication lives in backend/replicas; the service keeps
// its names for the Desk, the admin API and the CLI. The bound types are
// defined here over the replicas' ones (not aliases), so the Wails bindings
// still name them service.Replica…

// ReplicaInput configures the replication of one server's repository.
type ReplicaInput = replicas.Input

// S3Input is an S3-compatible target.
type S3Input = replicas.S3Input

// ReplicaStatus is a server's replication as the operator sees it.
type ReplicaStatus = replicas.Status

// ReplicaHostKey is a probed SFTP host key.
type ReplicaHostKey = replicas.HostKey

// Replica states.
const (
	ReplicaStateNever   = replicas.StateNever
	ReplicaStateInSync  = replicas.StateInSync
	ReplicaStateBehind  = replicas.StateBehind
	ReplicaStateFailing = replicas.StateFailing
)

// ProbeReplicaHost shows the host key an SFTP target offers (replicas.ProbeHost).
func (s *Service) ProbeReplicaHost(ctx context.Context, server, target string) (ReplicaHostKey, error) {
	return s.replicas.ProbeHost(ctx, server, target)
}

// SetReplica creates or changes a server's replica (replicas.Set).
func (s *Service) SetReplica(ctx context.Context, in ReplicaInput) (ReplicaStatus, error) {
	return s.replicas.Set(ctx, in)
}

// GetReplica returns a server's replica and its state.
func (s *Service) GetReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	return s.replicas.Get(ctx, ref)
}

// ListReplicas returns every server's replica and its state.
func (s *Service) ListReplicas(ctx context.Context) ([]ReplicaStatus, error) {
	return s.replicas.List(ctx)
}

// RemoveReplica stops replicating a server (replicas.Remove).
func (s *Service) RemoveReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	return s.replicas.Remove(ctx, ref)
}

// RunReplica starts replicating a server's repository now (replicas.Run).
func (s *Service) RunReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	return s.replicas.Run(ctx, ref)
}

// WaitReplica waits until no replication of the server runs.
func (s *Service) WaitReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	return s.replicas.Wait(ctx, ref)
}

// replicaFiles are a server's replication secrets, handed to a storage
// node with its replication task.
func (s *Service) replicaFiles(uuid string) replicas.Files { return s.replicas.Files(uuid) }

// replicateAfterBackup starts the replication a finished backup calls for.
func (s *Service) replicateAfterBackup(ctx context.Context, serverID int64, succeeded bool) {
	s.replicas.AfterBackup(ctx, serverID, succeeded)
}

// runDueReplicas starts the replications whose schedule is due.
func (s *Service) runDueReplicas(ctx context.Context) { s.replicas.RunDue(ctx) }

// replicaEnv is what replication asks of the service.
type replicaEnv struct{ s *Service }

func (e replicaEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}

func (e replicaEnv) NodeReplicate(ctx context.Context, node store.Target, uuid string, target replicate.Target) (replicate.Result, error) {
	return e.s.nodeReplicate(ctx, node, uuid, target)
}

func (e replicaEnv) Alert(ctx context.Context, a replicas.Alert) {
	e.s.Raise(ctx, Alert{Kind: AlertReplicaFailed, Key: a.Key, Server: a.Server, Title: a.Title, Body: a.Body, Route: a.Route})
}

func (e replicaEnv) SchedulesPaused(ctx context.Context) bool { return e.s.SchedulesPaused(ctx) }

func (e replicaEnv) WaitUntil(ctx context.Context, done func() (bool, error)) error {
	return e.s.waitUntil(ctx, done)
}
