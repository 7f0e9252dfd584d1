package app

import "borgdesk/backend/service"

// ListReplicas returns every server's replication and its state.
func (d *Desk) ListReplicas() ([]service.ReplicaStatus, error) {
	return d.svc.ListReplicas(d.context())
}

// GetReplica returns a server's replication and its state.
func (d *Desk) GetReplica(server string) (service.ReplicaStatus, error) {
	return d.svc.GetReplica(d.context(), server)
}

// ProbeReplicaHost shows the host key an SFTP target offers, to confirm.
func (d *Desk) ProbeReplicaHost(server, sftp string) (service.ReplicaHostKey, error) {
	return d.svc.ProbeReplicaHost(d.context(), server, sftp)
}

// SetReplica creates or changes a server's replication.
func (d *Desk) SetReplica(in service.ReplicaInput) (service.ReplicaStatus, error) {
	return d.svc.SetReplica(d.context(), in)
}

// RunReplica starts a replication now.
func (d *Desk) RunReplica(server string) (service.ReplicaStatus, error) {
	return d.svc.RunReplica(d.context(), server)
}

// RemoveReplica stops replicating a server.
func (d *Desk) RemoveReplica(server string) (service.ReplicaStatus, error) {
	return d.svc.RemoveReplica(d.context(), server)
}
