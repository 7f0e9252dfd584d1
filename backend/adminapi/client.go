package adminapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/catalog"
	"borgdesk/backend/flx"
	"borgdesk/backend/mail"
	"borgdesk/backend/mounts"
	"borgdesk/backend/rollout"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// ErrNoCoordinator means nothing is listening on the admin socket.
var ErrNoCoordinator = errors.New("no Borgdesk coordinator is running")

// Client talks to a coordinator over its admin socket.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client for the socket at path. It does not connect yet.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}
	return &Client{socket: path, hc: &http.Client{Transport: tr}}
}

// Status returns the coordinator's status.
func (c *Client) Status(ctx context.Context) (service.Status, error) {
	var v service.Status
	return v, c.do(ctx, http.MethodGet, "/v1/status", nil, &v)
}

// ListServers returns every server.
func (c *Client) ListServers(ctx context.Context) ([]store.Server, error) {
	var v []store.Server
	return v, c.do(ctx, http.MethodGet, "/v1/servers", nil, &v)
}

// Server returns one server by id, UUID or name.
func (c *Client) Server(ctx context.Context, ref string) (store.Server, error) {
	var v store.Server
	return v, c.do(ctx, http.MethodGet, "/v1/servers/"+url.PathEscape(ref), nil, &v)
}

// RemoveServer forgets a server.
func (c *Client) RemoveServer(ctx context.Context, ref string) (store.Server, error) {
	var v store.Server
	return v, c.do(ctx, http.MethodDelete, "/v1/servers/"+url.PathEscape(ref), nil, &v)
}

// RevokeServer revokes a server's agent.
func (c *Client) RevokeServer(ctx context.Context, ref string) (store.Server, error) {
	var v store.Server
	return v, c.do(ctx, http.MethodPost, "/v1/servers/"+url.PathEscape(ref)+"/revoke", struct{}{}, &v)
}

// PingServer runs a test task on a server's agent.
func (c *Client) PingServer(ctx context.Context, ref string, timeout time.Duration) (service.PingResult, error) {
	var v service.PingResult
	return v, c.do(ctx, http.MethodPost, "/v1/servers/"+url.PathEscape(ref)+"/ping", pingRequest{Timeout: timeout.String()}, &v)
}

// CreateEnrollmentToken creates a one-time enrollment token.
func (c *Client) CreateEnrollmentToken(ctx context.Context, name string, ttl time.Duration) (service.TokenInfo, error) {
	var v service.TokenInfo
	return v, c.do(ctx, http.MethodPost, "/v1/tokens", tokenRequest{Name: name, TTL: ttl.String()}, &v)
}

// ListTasks returns recent agent tasks, of one server when ref is set.
func (c *Client) ListTasks(ctx context.Context, ref string, limit int) ([]store.Task, error) {
	var v []store.Task
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if ref != "" {
		q.Set("server", ref)
	}
	return v, c.do(ctx, http.MethodGet, "/v1/tasks?"+q.Encode(), nil, &v)
}

// ProbeHosts fetches the hosts' SSH host keys without logging in.
func (c *Client) ProbeHosts(ctx context.Context, targets []rollout.Target) ([]rollout.HostKey, error) {
	var v []rollout.HostKey
	return v, c.do(ctx, http.MethodPost, "/v1/rollouts/probe", targets, &v)
}

// StartRollout installs the agent on hosts over SSH.
func (c *Client) StartRollout(ctx context.Context, req rollout.Request) (rollout.Rollout, error) {
	var v rollout.Rollout
	return v, c.do(ctx, http.MethodPost, "/v1/rollouts", req, &v)
}

// Rollout returns a rollout; with wait, once every host is done.
func (c *Client) Rollout(ctx context.Context, id string, wait bool) (rollout.Rollout, error) {
	var v rollout.Rollout
	q := ""
	if wait {
		q = "?wait=1"
	}
	return v, c.do(ctx, http.MethodGet, "/v1/rollouts/"+url.PathEscape(id)+q, nil, &v)
}

// UninstallServer removes the agent from a server over SSH and revokes it.
func (c *Client) UninstallServer(ctx context.Context, req rollout.UninstallRequest) (rollout.HostState, error) {
	var v rollout.HostState
	return v, c.do(ctx, http.MethodPost, "/v1/servers/"+url.PathEscape(req.Server)+"/uninstall", req, &v)
}

// ForgetHostKey removes a host's pinned SSH key.
func (c *Client) ForgetHostKey(ctx context.Context, host string, port int) error {
	return c.do(ctx, http.MethodDelete, "/v1/known-hosts/"+url.PathEscape(host)+"?port="+strconv.Itoa(port), nil, nil)
}

// OpenFlx opens (verifies and stages) a snapshot file on this machine.
func (c *Client) OpenFlx(ctx context.Context, path string) (service.FlxFile, error) {
	var v service.FlxFile
	return v, c.do(ctx, http.MethodPost, "/v1/flx/open", map[string]string{"path": path}, &v)
}

// RestoreFlx queues a restore of an opened snapshot on a server.
func (c *Client) RestoreFlx(ctx context.Context, req service.FlxRestoreRequest) (store.Task, error) {
	var v store.Task
	return v, c.do(ctx, http.MethodPost, "/v1/flx/restore", req, &v)
}

// DiffFlx compares an opened snapshot with a server's files under root
// ("" for the server's own root).
func (c *Client) DiffFlx(ctx context.Context, id, server, root string) ([]flx.DiffEntry, error) {
	var v []flx.DiffEntry
	return v, c.do(ctx, http.MethodPost, "/v1/flx/diff", map[string]string{"id": id, "server": server, "root": root}, &v)
}

// CreateFlx asks a server for a snapshot.
func (c *Client) CreateFlx(ctx context.Context, server string, p agentapi.FlxBackupPayload) (store.Task, error) {
	var v store.Task
	body := struct {
		Server string `json:"server"`
		agentapi.FlxBackupPayload
	}{server, p}
	return v, c.do(ctx, http.MethodPost, "/v1/flx/create", body, &v)
}

// Task returns a task; with wait, once it has finished.
func (c *Client) Task(ctx context.Context, id int64, wait bool) (store.Task, error) {
	var v store.Task
	q := ""
	if wait {
		q = "?wait=1"
	}
	return v, c.do(ctx, http.MethodGet, "/v1/tasks/"+strconv.FormatInt(id, 10)+q, nil, &v)
}

// CreateJob defines a backup job.
func (c *Client) CreateJob(ctx context.Context, in service.JobInput) (store.Job, error) {
	var v store.Job
	return v, c.do(ctx, http.MethodPost, "/v1/jobs", in, &v)
}

// RunJob queues a run of a job now.
func (c *Client) RunJob(ctx context.Context, ref string) (store.Run, error) {
	var v store.Run
	return v, c.do(ctx, http.MethodPost, "/v1/jobs/"+url.PathEscape(ref)+"/run", struct{}{}, &v)
}

// PruneJob applies a job's retention now.
func (c *Client) PruneJob(ctx context.Context, ref string) (service.PruneReport, error) {
	var v service.PruneReport
	return v, c.do(ctx, http.MethodPost, "/v1/jobs/"+url.PathEscape(ref)+"/prune", struct{}{}, &v)
}

// Run returns a run; with wait, once it has finished.
func (c *Client) Run(ctx context.Context, id int64, wait bool) (store.Run, error) {
	var v store.Run
	q := ""
	if wait {
		q = "?wait=1"
	}
	return v, c.do(ctx, http.MethodGet, "/v1/runs/"+strconv.FormatInt(id, 10)+q, nil, &v)
}

// CancelRun cancels a queued or running run.
func (c *Client) CancelRun(ctx context.Context, id int64) (store.Run, error) {
	var v store.Run
	return v, c.do(ctx, http.MethodPost, "/v1/runs/"+strconv.FormatInt(id, 10)+"/cancel", struct{}{}, &v)
}

// ListArchives lists a server's archives.
func (c *Client) ListArchives(ctx context.Context, ref string) ([]service.ArchiveInfo, error) {
	var v []service.ArchiveInfo
	return v, c.do(ctx, http.MethodGet, "/v1/servers/"+url.PathEscape(ref)+"/archives", nil, &v)
}

// BrowseArchive lists one folder of an archive.
func (c *Client) BrowseArchive(ctx context.Context, ref, archive, dir string) (catalog.Listing, error) {
	var v catalog.Listing
	return v, c.do(ctx, http.MethodGet, "/v1/servers/"+url.PathEscape(ref)+"/archives/"+url.PathEscape(archive)+"/ls?path="+url.QueryEscape(dir), nil, &v)
}

// FindFiles searches the file catalog.
func (c *Client) FindFiles(ctx context.Context, pattern, server string, limit int) ([]catalog.Hit, error) {
	var v []catalog.Hit
	q := url.Values{"pattern": {pattern}, "server": {server}, "limit": {strconv.Itoa(limit)}}
	return v, c.do(ctx, http.MethodGet, "/v1/find?"+q.Encode(), nil, &v)
}

// FileVersions lists the versions of one path of a server.
func (c *Client) FileVersions(ctx context.Context, ref, path string) ([]catalog.Version, error) {
	var v []catalog.Version
	return v, c.do(ctx, http.MethodGet, "/v1/servers/"+url.PathEscape(ref)+"/versions?path="+url.QueryEscape(path), nil, &v)
}

// StartRestore queues a file restore.
func (c *Client) StartRestore(ctx context.Context, req service.RestoreRequest) (store.Task, error) {
	var v store.Task
	return v, c.do(ctx, http.MethodPost, "/v1/restores", req, &v)
}

// RestoreDatabase queues a database restore.
func (c *Client) RestoreDatabase(ctx context.Context, req service.DBRestoreRequest) (store.Task, error) {
	var v store.Task
	return v, c.do(ctx, http.MethodPost, "/v1/db-restores", req, &v)
}

// CancelTask cancels an unfinished task.
func (c *Client) CancelTask(ctx context.Context, id int64) (store.Task, error) {
	var v store.Task
	return v, c.do(ctx, http.MethodPost, "/v1/tasks/"+strconv.FormatInt(id, 10)+"/cancel", struct{}{}, &v)
}

// Mount mounts an archive (or a whole repository, or a .flx snapshot when flx is set).
func (c *Client) Mount(ctx context.Context, server, archive, flx, dir string) (mounts.Mount, error) {
	var v mounts.Mount
	body := map[string]string{"server": server, "archive": archive, "flx": flx, "dir": dir}
	return v, c.do(ctx, http.MethodPost, "/v1/mounts", body, &v)
}

// Unmount unmounts a Borgdesk mount.
func (c *Client) Unmount(ctx context.Context, dir string) error {
	return c.do(ctx, http.MethodDelete, "/v1/mounts?dir="+url.QueryEscape(dir), nil, nil)
}

// ListMounts lists the live mounts.
func (c *Client) ListMounts(ctx context.Context) ([]mounts.Mount, error) {
	var v []mounts.Mount
	return v, c.do(ctx, http.MethodGet, "/v1/mounts", nil, &v)
}

// RunDrill starts a restore drill of a job.
func (c *Client) RunDrill(ctx context.Context, job string, full bool) (store.Drill, error) {
	var v store.Drill
	q := ""
	if full {
		q = "?full=1"
	}
	return v, c.do(ctx, http.MethodPost, "/v1/jobs/"+url.PathEscape(job)+"/drill"+q, struct{}{}, &v)
}

// WaitDrill returns a drill once it has finished.
func (c *Client) WaitDrill(ctx context.Context, id int64) (store.Drill, error) {
	var v store.Drill
	return v, c.do(ctx, http.MethodGet, "/v1/drills/"+strconv.FormatInt(id, 10), nil, &v)
}

// ListDrills lists drills, of one server when server is set.
func (c *Client) ListDrills(ctx context.Context, server string, limit int) ([]store.Drill, error) {
	var v []store.Drill
	q := url.Values{"server": {server}, "limit": {strconv.Itoa(limit)}}
	return v, c.do(ctx, http.MethodGet, "/v1/drills?"+q.Encode(), nil, &v)
}

// SetJobDrillSchedule sets a job's drill schedule.
func (c *Client) SetJobDrillSchedule(ctx context.Context, job, schedule string) (store.Job, error) {
	var v store.Job
	return v, c.do(ctx, http.MethodPut, "/v1/jobs/"+url.PathEscape(job)+"/drill-schedule", map[string]string{"value": schedule}, &v)
}

// SendTestEmail sends a test e-mail now.
func (c *Client) SendTestEmail(ctx context.Context) (string, error) {
	var v struct {
		Value string `json:"value"`
	}
	return v.Value, c.do(ctx, http.MethodPost, "/v1/mail/test", struct{}{}, &v)
}

// MailStatus reports the e-mail outbox.
func (c *Client) MailStatus(ctx context.Context) (mail.Status, error) {
	var v mail.Status
	return v, c.do(ctx, http.MethodGet, "/v1/mail/status", nil, &v)
}

// Health rates the fleet.
func (c *Client) Health(ctx context.Context) (service.FleetHealth, error) {
	var v service.FleetHealth
	return v, c.do(ctx, http.MethodGet, "/v1/health", nil, &v)
}

// Check runs borg check on a server's repository.
func (c *Client) Check(ctx context.Context, ref string, verifyData bool) error {
	q := ""
	if verifyData {
		q = "?verify_data=1"
	}
	return c.do(ctx, http.MethodPost, "/v1/servers/"+url.PathEscape(ref)+"/check"+q, struct{}{}, nil)
}

// ListJobs returns every job.
func (c *Client) ListJobs(ctx context.Context) ([]store.Job, error) {
	var v []store.Job
	return v, c.do(ctx, http.MethodGet, "/v1/jobs", nil, &v)
}

// ListRuns returns recent runs.
func (c *Client) ListRuns(ctx context.Context, limit int) ([]store.Run, error) {
	var v []store.Run
	return v, c.do(ctx, http.MethodGet, "/v1/runs?limit="+strconv.Itoa(limit), nil, &v)
}

// ListEvents returns recent events.
func (c *Client) ListEvents(ctx context.Context, limit int) ([]store.Event, error) {
	var v []store.Event
	return v, c.do(ctx, http.MethodGet, "/v1/events?limit="+strconv.Itoa(limit), nil, &v)
}

// Settings returns every setting.
func (c *Client) Settings(ctx context.Context) (map[string]string, error) {
	var v map[string]string
	return v, c.do(ctx, http.MethodGet, "/v1/settings", nil, &v)
}

// Setting returns one setting.
func (c *Client) Setting(ctx context.Context, key string) (string, error) {
	var v settingValue
	err := c.do(ctx, http.MethodGet, "/v1/settings/"+url.PathEscape(key), nil, &v)
	return v.Value, err
}

// SetSetting changes one setting.
func (c *Client) SetSetting(ctx context.Context, key, value string) error {
	return c.do(ctx, http.MethodPut, "/v1/settings/"+url.PathEscape(key), settingValue{Value: value}, nil)
}

// ExportRecoveryKit has the coordinator write a recovery kit to path (on
// this machine); the passphrase travels in the request body over the
// socket, never in a process's arguments.
func (c *Client) ExportRecoveryKit(ctx context.Context, path, passphrase string) (service.KitExport, error) {
	var v service.KitExport
	return v, c.do(ctx, http.MethodPost, "/v1/recovery-kit", service.KitExportRequest{Path: path, Passphrase: passphrase}, &v)
}

// RecoveryKitStatus reports the last recovery kit and what changed since.
func (c *Client) RecoveryKitStatus(ctx context.Context) (service.KitStatus, error) {
	var v service.KitStatus
	return v, c.do(ctx, http.MethodGet, "/v1/recovery-kit", nil, &v)
}

// StreamEvents calls fn for every event until ctx ends, fn returns an error,
// or the coordinator closes the stream.
func (c *Client) StreamEvents(ctx context.Context, fn func(store.Event) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://borgdesk/v1/events/stream", nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.connError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var line struct {
			store.Event
			Error string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("event stream: %w", err)
		}
		if line.Error != "" {
			return fmt.Errorf("event stream: %s", line.Error)
		}
		if err := fn(line.Event); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	return errors.New("event stream: the coordinator closed the stream (did it stop?)")
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://borgdesk"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.connError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decodeError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode coordinator reply to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) connError(err error) error {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w on socket %s: start one with `borgdesk serve` (same --data) or open the desktop app", ErrNoCoordinator, c.socket)
	}
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("admin socket %s: permission denied: run the command as the user who runs the coordinator", c.socket)
	}
	return fmt.Errorf("admin socket %s: %w", c.socket, err)
}

func decodeError(resp *http.Response) error {
	var body errorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Message == "" {
		return fmt.Errorf("coordinator answered %s", resp.Status)
	}
	return &RemoteError{Code: body.Error.Code, Message: body.Error.Message}
}

// ListTargets lists the storage targets.
func (c *Client) ListTargets(ctx context.Context) ([]store.Target, error) {
	var v []store.Target
	return v, c.do(ctx, http.MethodGet, "/v1/targets", nil, &v)
}

// AddStorageNode makes a server a storage node.
func (c *Client) AddStorageNode(ctx context.Context, in service.StorageNodeInput) (store.Target, error) {
	var v store.Target
	return v, c.do(ctx, http.MethodPost, "/v1/targets/nodes", in, &v)
}

// AddHostedTarget records a hosted Borg service.
func (c *Client) AddHostedTarget(ctx context.Context, in service.HostedInput) (store.Target, error) {
	var v store.Target
	return v, c.do(ctx, http.MethodPost, "/v1/targets/hosted", in, &v)
}

// HostedKeys are the authorized_keys lines to install at a hosted service.
func (c *Client) HostedKeys(ctx context.Context, ref string) ([]string, error) {
	var v []string
	return v, c.do(ctx, http.MethodGet, "/v1/targets/"+url.PathEscape(ref)+"/keys", nil, &v)
}

// CheckTarget proves the coordinator reaches a target.
func (c *Client) CheckTarget(ctx context.Context, ref string) (store.Target, error) {
	var v store.Target
	return v, c.do(ctx, http.MethodPost, "/v1/targets/"+url.PathEscape(ref)+"/check", struct{}{}, &v)
}

// RemoveTarget removes a target no repository uses.
func (c *Client) RemoveTarget(ctx context.Context, ref string) error {
	return c.do(ctx, http.MethodDelete, "/v1/targets/"+url.PathEscape(ref), nil, nil)
}

// SetRepoTarget puts a server's repository on a target ("local": the coordinator).
func (c *Client) SetRepoTarget(ctx context.Context, server, target string) (store.Server, error) {
	var v store.Server
	return v, c.do(ctx, http.MethodPut, "/v1/servers/"+url.PathEscape(server)+"/storage", map[string]string{"value": target}, &v)
}

// MoveStatus follows a repository move.
func (c *Client) MoveStatus(ctx context.Context, server string) (service.MoveReport, error) {
	var v service.MoveReport
	return v, c.do(ctx, http.MethodGet, "/v1/servers/"+url.PathEscape(server)+"/storage/move", nil, &v)
}

// MoveRepo starts moving a server's repository to another target, verified.
func (c *Client) MoveRepo(ctx context.Context, server, target string) (service.MoveReport, error) {
	var v service.MoveReport
	return v, c.do(ctx, http.MethodPost, "/v1/servers/"+url.PathEscape(server)+"/storage/move", map[string]string{"value": target}, &v)
}
