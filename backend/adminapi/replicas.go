package adminapi

import (
	"context"
	"net/http"
	"net/url"

	"borgdesk/backend/service"
)

// replicaRoutes serve a repository's replication (borgdesk replica …).
func (s *Server) replicaRoutes() {
	s.mux.HandleFunc("GET /v1/replicas", s.handle(func(r *http.Request) (any, error) { return s.svc.ListReplicas(r.Context()) }))
	s.mux.HandleFunc("GET /v1/replicas/{ref}", s.handle(func(r *http.Request) (any, error) {
		if r.URL.Query().Get("wait") == "1" {
			return s.svc.WaitReplica(r.Context(), r.PathValue("ref"))
		}
		return s.svc.GetReplica(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("PUT /v1/replicas/{ref}", s.handle(func(r *http.Request) (any, error) {
		var in service.ReplicaInput
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		in.Server = r.PathValue("ref")
		return s.svc.SetReplica(r.Context(), in)
	}))
	s.mux.HandleFunc("DELETE /v1/replicas/{ref}", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RemoveReplica(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/replicas/{ref}/run", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RunReplica(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/replicas/{ref}/probe", s.handle(func(r *http.Request) (any, error) {
		var in struct {
			SFTP string `json:"sftp"`
		}
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.ProbeReplicaHost(r.Context(), r.PathValue("ref"), in.SFTP)
	}))
}

// ListReplicas returns every server's replica.
func (c *Client) ListReplicas(ctx context.Context) ([]service.ReplicaStatus, error) {
	var v []service.ReplicaStatus
	return v, c.do(ctx, http.MethodGet, "/v1/replicas", nil, &v)
}

// Replica returns a server's replica; with wait, once no run is going.
func (c *Client) Replica(ctx context.Context, server string, wait bool) (service.ReplicaStatus, error) {
	var v service.ReplicaStatus
	path := "/v1/replicas/" + url.PathEscape(server)
	if wait {
		path += "?wait=1"
	}
	return v, c.do(ctx, http.MethodGet, path, nil, &v)
}

// SetReplica creates or changes a server's replica.
func (c *Client) SetReplica(ctx context.Context, in service.ReplicaInput) (service.ReplicaStatus, error) {
	var v service.ReplicaStatus
	return v, c.do(ctx, http.MethodPut, "/v1/replicas/"+url.PathEscape(in.Server), in, &v)
}

// RemoveReplica stops replicating a server.
func (c *Client) RemoveReplica(ctx context.Context, server string) (service.ReplicaStatus, error) {
	var v service.ReplicaStatus
	return v, c.do(ctx, http.MethodDelete, "/v1/replicas/"+url.PathEscape(server), nil, &v)
}

// RunReplica starts a replication now.
func (c *Client) RunReplica(ctx context.Context, server string) (service.ReplicaStatus, error) {
	var v service.ReplicaStatus
	return v, c.do(ctx, http.MethodPost, "/v1/replicas/"+url.PathEscape(server)+"/run", struct{}{}, &v)
}

// ProbeReplicaHost shows an SFTP target's host key.
func (c *Client) ProbeReplicaHost(ctx context.Context, server, sftp string) (service.ReplicaHostKey, error) {
	var v service.ReplicaHostKey
	return v, c.do(ctx, http.MethodPost, "/v1/replicas/"+url.PathEscape(server)+"/probe", map[string]string{"sftp": sftp}, &v)
}
