package app

import (
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// The Storage page's bindings: storage nodes, hosted Borg services, and
// where each server's repository lives.

// ListTargets lists the storage nodes and hosted Borg services (the
// coordinator's own data dir is not a row).
func (d *Desk) ListTargets() ([]store.Target, error) { return d.svc.ListTargets(d.context()) }

// AddStorageNode makes a server a storage node and waits for its agent to
// start the Borg SSH server and report its host key.
func (d *Desk) AddStorageNode(in service.StorageNodeInput) (store.Target, error) {
	return d.svc.AddStorageNode(d.context(), in)
}

// AddHostedTarget records a hosted Borg service. Without accept_host_key it
// fails with service.ErrHostKeyUnconfirmed, whose text carries the host key
// fingerprint ("SHA256:…") for the operator to compare and confirm.
func (d *Desk) AddHostedTarget(in service.HostedInput) (store.Target, error) {
	return d.svc.AddHostedTarget(d.context(), in)
}

// HostedKeys are the authorized_keys lines to install at a hosted service.
func (d *Desk) HostedKeys(ref string) ([]string, error) { return d.svc.HostedKeys(d.context(), ref) }

// CheckTarget proves the coordinator can reach a target and records its state.
func (d *Desk) CheckTarget(ref string) (store.Target, error) {
	return d.svc.CheckTarget(d.context(), ref)
}

// RemoveTarget removes a target no repository lives on.
func (d *Desk) RemoveTarget(ref string) error { return d.svc.RemoveTarget(d.context(), ref) }

// SetRepoTarget puts a server's repository on a target ("local": the
// coordinator); refused once the server has archives where it is.
func (d *Desk) SetRepoTarget(server, target string) (store.Server, error) {
	return d.svc.SetRepoTarget(d.context(), server, target)
}

// RepoTargets names the target of each repository not on the coordinator,
// by server id.
func (d *Desk) RepoTargets() (map[int64]string, error) { return d.svc.RepoTargets(d.context()) }
