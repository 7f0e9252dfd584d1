package adminapi

import (
	"context"
	"net/http"
	"time"

	"borgdesk/backend/rollout"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// The coordinator, its servers, their agents' tasks and rollouts: each
// route, then the client's call of it.

// serverRef names a server (id, UUID or name) in the path.
type serverRef struct {
	Ref string `path:"ref" json:"-"`
}

var getStatus = newRoute(http.MethodGet, "/v1/status", func(ctx context.Context, s *service.Service, _ none) (service.Status, error) {
	return s.Status(ctx)
})

// Status returns the coordinator's status.
func (c *Client) Status(ctx context.Context) (service.Status, error) {
	return getStatus.Call(ctx, c, none{})
}

var getHealth = newRoute(http.MethodGet, "/v1/health", func(ctx context.Context, s *service.Service, _ none) (service.FleetHealth, error) {
	return s.Health(ctx)
})

// Health rates the fleet.
func (c *Client) Health(ctx context.Context) (service.FleetHealth, error) {
	return getHealth.Call(ctx, c, none{})
}

var getStorage = newRoute(http.MethodGet, "/v1/storage", func(ctx context.Context, s *service.Service, _ none) (service.Storage, error) {
	return s.GetStorage(ctx)
})

// Storage reports the repositories' disk use.
func (c *Client) Storage(ctx context.Context) (service.Storage, error) {
	return getStorage.Call(ctx, c, none{})
}

type metricsRequest struct {
	Ref   string `path:"ref" json:"-"`
	Hours int    `query:"hours" json:"-"`
}

var getMetrics = newRoute(http.MethodGet, "/v1/servers/{ref}/metrics", func(ctx context.Context, s *service.Service, in metricsRequest) ([]store.MetricPoint, error) {
	return s.GetMetrics(ctx, in.Ref, in.Hours)
})

// Metrics returns a server's metric points of the last hours.
func (c *Client) Metrics(ctx context.Context, ref string, hours int) ([]store.MetricPoint, error) {
	return getMetrics.Call(ctx, c, metricsRequest{Ref: ref, Hours: hours})
}

var listServers = newRoute(http.MethodGet, "/v1/servers", func(ctx context.Context, s *service.Service, _ none) ([]store.Server, error) {
	return s.ListServers(ctx)
})

// ListServers returns every server.
func (c *Client) ListServers(ctx context.Context) ([]store.Server, error) {
	return listServers.Call(ctx, c, none{})
}

var getServer = newRoute(http.MethodGet, "/v1/servers/{ref}", func(ctx context.Context, s *service.Service, in serverRef) (store.Server, error) {
	return s.Server(ctx, in.Ref)
})

// Server returns one server by id, UUID or name.
func (c *Client) Server(ctx context.Context, ref string) (store.Server, error) {
	return getServer.Call(ctx, c, serverRef{ref})
}

var removeServer = newRoute(http.MethodDelete, "/v1/servers/{ref}", func(ctx context.Context, s *service.Service, in serverRef) (store.Server, error) {
	return s.RemoveServer(ctx, in.Ref)
})

// RemoveServer forgets a server.
func (c *Client) RemoveServer(ctx context.Context, ref string) (store.Server, error) {
	return removeServer.Call(ctx, c, serverRef{ref})
}

var revokeServer = newRoute(http.MethodPost, "/v1/servers/{ref}/revoke", func(ctx context.Context, s *service.Service, in serverRef) (store.Server, error) {
	return s.RevokeServer(ctx, in.Ref)
})

// RevokeServer revokes a server's agent.
func (c *Client) RevokeServer(ctx context.Context, ref string) (store.Server, error) {
	return revokeServer.Call(ctx, c, serverRef{ref})
}

type pingRequest struct {
	Ref     string `path:"ref" json:"-"`
	Timeout string `json:"timeout"`
}

var pingServer = newRoute(http.MethodPost, "/v1/servers/{ref}/ping", func(ctx context.Context, s *service.Service, in pingRequest) (service.PingResult, error) {
	timeout, err := parseDuration(in.Timeout, 30*time.Second)
	if err != nil {
		return service.PingResult{}, err
	}
	return s.PingServer(ctx, in.Ref, timeout)
})

// PingServer runs a test task on a server's agent.
func (c *Client) PingServer(ctx context.Context, ref string, timeout time.Duration) (service.PingResult, error) {
	return pingServer.Call(ctx, c, pingRequest{Ref: ref, Timeout: timeout.String()})
}

type tokenRequest struct {
	Name string `json:"name"`
	TTL  string `json:"ttl"`
}

var createToken = newRoute(http.MethodPost, "/v1/tokens", func(ctx context.Context, s *service.Service, in tokenRequest) (service.TokenInfo, error) {
	ttl, err := parseDuration(in.TTL, time.Hour)
	if err != nil {
		return service.TokenInfo{}, err
	}
	return s.CreateEnrollmentToken(ctx, in.Name, ttl)
})

// CreateEnrollmentToken creates a one-time enrollment token.
func (c *Client) CreateEnrollmentToken(ctx context.Context, name string, ttl time.Duration) (service.TokenInfo, error) {
	return createToken.Call(ctx, c, tokenRequest{Name: name, TTL: ttl.String()})
}

type listTasksRequest struct {
	Server string `query:"server" json:"-"`
	Limit  int    `query:"limit" json:"-"`
}

var listTasks = newRoute(http.MethodGet, "/v1/tasks", func(ctx context.Context, s *service.Service, in listTasksRequest) ([]store.Task, error) {
	return s.ListTasks(ctx, in.Server, in.Limit)
})

// ListTasks returns recent agent tasks, of one server when ref is set.
func (c *Client) ListTasks(ctx context.Context, ref string, limit int) ([]store.Task, error) {
	return listTasks.Call(ctx, c, listTasksRequest{Server: ref, Limit: limit})
}

type taskRequest struct {
	ID   int64 `path:"id" what:"task id" json:"-"`
	Wait bool  `query:"wait" json:"-"`
}

var getTask = newRoute(http.MethodGet, "/v1/tasks/{id}", func(ctx context.Context, s *service.Service, in taskRequest) (store.Task, error) {
	if in.Wait {
		return s.WaitTask(ctx, in.ID)
	}
	return s.Task(ctx, in.ID)
})

// Task returns a task; with wait, once it has finished.
func (c *Client) Task(ctx context.Context, id int64, wait bool) (store.Task, error) {
	return getTask.Call(ctx, c, taskRequest{ID: id, Wait: wait})
}

type taskRef struct {
	ID int64 `path:"id" what:"task id" json:"-"`
}

var cancelTask = newRoute(http.MethodPost, "/v1/tasks/{id}/cancel", func(ctx context.Context, s *service.Service, in taskRef) (store.Task, error) {
	return s.CancelTask(ctx, in.ID)
})

// CancelTask cancels an unfinished task.
func (c *Client) CancelTask(ctx context.Context, id int64) (store.Task, error) {
	return cancelTask.Call(ctx, c, taskRef{id})
}

var probeHosts = newRoute(http.MethodPost, "/v1/rollouts/probe", func(ctx context.Context, s *service.Service, in []rollout.Target) ([]rollout.HostKey, error) {
	return s.ProbeHosts(ctx, in)
})

// ProbeHosts fetches the hosts' SSH host keys without logging in.
func (c *Client) ProbeHosts(ctx context.Context, targets []rollout.Target) ([]rollout.HostKey, error) {
	return probeHosts.Call(ctx, c, targets)
}

var startRollout = newRoute(http.MethodPost, "/v1/rollouts", func(ctx context.Context, s *service.Service, in rollout.Request) (rollout.Rollout, error) {
	return s.StartRollout(ctx, in)
})

// StartRollout installs the agent on hosts over SSH.
func (c *Client) StartRollout(ctx context.Context, req rollout.Request) (rollout.Rollout, error) {
	return startRollout.Call(ctx, c, req)
}

var listRollouts = newRoute(http.MethodGet, "/v1/rollouts", func(ctx context.Context, s *service.Service, _ none) ([]rollout.Rollout, error) {
	return s.ListRollouts(ctx)
})

// ListRollouts returns the rollouts this coordinator has run.
func (c *Client) ListRollouts(ctx context.Context) ([]rollout.Rollout, error) {
	return listRollouts.Call(ctx, c, none{})
}

type rolloutRequest struct {
	ID   string `path:"id" json:"-"`
	Wait bool   `query:"wait" json:"-"`
}

var getRollout = newRoute(http.MethodGet, "/v1/rollouts/{id}", func(ctx context.Context, s *service.Service, in rolloutRequest) (rollout.Rollout, error) {
	if in.Wait {
		return s.WaitRollout(ctx, in.ID)
	}
	return s.Rollout(ctx, in.ID)
})

// Rollout returns a rollout; with wait, once every host is done.
func (c *Client) Rollout(ctx context.Context, id string, wait bool) (rollout.Rollout, error) {
	return getRollout.Call(ctx, c, rolloutRequest{ID: id, Wait: wait})
}

// uninstallRequest sends the whole request in the body (server included,
// as ever); the path's server is the one that counts.
type uninstallRequest struct {
	Ref string `path:"ref" json:"-"`
	rollout.UninstallRequest
}

var uninstallServer = newRoute(http.MethodPost, "/v1/servers/{ref}/uninstall", func(ctx context.Context, s *service.Service, in uninstallRequest) (rollout.HostState, error) {
	in.Server = in.Ref
	return s.UninstallServer(ctx, in.UninstallRequest)
})

// UninstallServer removes the agent from a server over SSH and revokes it.
func (c *Client) UninstallServer(ctx context.Context, req rollout.UninstallRequest) (rollout.HostState, error) {
	return uninstallServer.Call(ctx, c, uninstallRequest{Ref: req.Server, UninstallRequest: req})
}

type hostKeyRequest struct {
	Host string `path:"host" json:"-"`
	Port int    `query:"port" json:"-"`
}

var forgetHostKey = newRoute(http.MethodDelete, "/v1/known-hosts/{host}", func(ctx context.Context, s *service.Service, in hostKeyRequest) (none, error) {
	return none{}, s.ForgetHostKey(ctx, in.Host, in.Port)
})

// ForgetHostKey removes a host's pinned SSH key.
func (c *Client) ForgetHostKey(ctx context.Context, host string, port int) error {
	_, err := forgetHostKey.Call(ctx, c, hostKeyRequest{Host: host, Port: port})
	return err
}
