package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

// A repository's replication (borgdesk replica …): each route, then the
// client's call of it.

var listReplicas = newRoute(http.MethodGet, "/v1/replicas", func(ctx context.Context, s *service.Service, _ none) ([]service.ReplicaStatus, error) {
	return s.ListReplicas(ctx)
})

// ListReplicas returns every server's replica.
func (c *Client) ListReplicas(ctx context.Context) ([]service.ReplicaStatus, error) {
	return listReplicas.Call(ctx, c, none{})
}

type replicaRequest struct {
	Ref  string `path:"ref" json:"-"`
	Wait bool   `query:"wait" json:"-"`
}

var getReplica = newRoute(http.MethodGet, "/v1/replicas/{ref}", func(ctx context.Context, s *service.Service, in replicaRequest) (service.ReplicaStatus, error) {
	if in.Wait {
		return s.WaitReplica(ctx, in.Ref)
	}
	return s.GetReplica(ctx, in.Ref)
})

// Replica returns a server's replica; with wait, once no run is going.
func (c *Client) Replica(ctx context.Context, server string, wait bool) (service.ReplicaStatus, error) {
	return getReplica.Call(ctx, c, replicaRequest{Ref: server, Wait: wait})
}

// setReplicaRequest sends the whole input in the body (server included, as
// ever); the path's server is the one that counts.
type setReplicaRequest struct {
	Ref string `path:"ref" json:"-"`
	service.ReplicaInput
}

var setReplica = newRoute(http.MethodPut, "/v1/replicas/{ref}", func(ctx context.Context, s *service.Service, in setReplicaRequest) (service.ReplicaStatus, error) {
	in.Server = in.Ref
	return s.SetReplica(ctx, in.ReplicaInput)
})

// SetReplica creates or changes a server's replica.
func (c *Client) SetReplica(ctx context.Context, in service.ReplicaInput) (service.ReplicaStatus, error) {
	return setReplica.Call(ctx, c, setReplicaRequest{Ref: in.Server, ReplicaInput: in})
}

var removeReplica = newRoute(http.MethodDelete, "/v1/replicas/{ref}", func(ctx context.Context, s *service.Service, in serverRef) (service.ReplicaStatus, error) {
	return s.RemoveReplica(ctx, in.Ref)
})

// RemoveReplica stops replicating a server.
func (c *Client) RemoveReplica(ctx context.Context, server string) (service.ReplicaStatus, error) {
	return removeReplica.Call(ctx, c, serverRef{server})
}

var runReplica = newRoute(http.MethodPost, "/v1/replicas/{ref}/run", func(ctx context.Context, s *service.Service, in serverRef) (service.ReplicaStatus, error) {
	return s.RunReplica(ctx, in.Ref)
})

// RunReplica starts a replication now.
func (c *Client) RunReplica(ctx context.Context, server string) (service.ReplicaStatus, error) {
	return runReplica.Call(ctx, c, serverRef{server})
}

type probeReplicaRequest struct {
	Ref  string `path:"ref" json:"-"`
	SFTP string `json:"sftp"`
}

var probeReplicaHost = newRoute(http.MethodPost, "/v1/replicas/{ref}/probe", func(ctx context.Context, s *service.Service, in probeReplicaRequest) (service.ReplicaHostKey, error) {
	return s.ProbeReplicaHost(ctx, in.Ref, in.SFTP)
})

// ProbeReplicaHost shows an SFTP target's host key.
func (c *Client) ProbeReplicaHost(ctx context.Context, server, sftp string) (service.ReplicaHostKey, error) {
	return probeReplicaHost.Call(ctx, c, probeReplicaRequest{Ref: server, SFTP: sftp})
}
