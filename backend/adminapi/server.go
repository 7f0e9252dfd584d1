// Package adminapi is the coordinator's local admin API: HTTP over a unix
// socket (mode 0600) in the data dir, and the client the CLI uses.
//
// It is a thin adapter over backend/service and must never carry logic of
// its own. Only processes of the same user (or root) may connect: the socket
// mode says so, and every connection's peer credentials are checked too.
package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/rollout"
	"borgdesk/backend/service"
)

// Server serves the admin API for one service.
type Server struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
}

// NewServer returns an admin API server over svc.
func NewServer(svc *service.Service, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler (tests use it without a socket).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Listen creates the unix socket at path (mode 0600). A stale socket file
// left by a crashed coordinator is replaced; any other kind of file at path
// is refused. The caller must hold the data dir lock.
func Listen(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("admin socket %s: a file that is not a socket is in the way; move it or choose another path with --socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale admin socket %s: %w", path, err)
		}
	}
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	return ln, nil
}

// Serve answers on ln until ctx ends, then shuts down gracefully and removes
// the socket file.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ul, ok := ln.(*net.UnixListener)
	if !ok {
		return errors.New("admin socket: not a unix listener")
	}
	ul.SetUnlinkOnClose(true)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(peerCheckListener{ul, s.log}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("admin socket: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Event streams never finish on their own; they end when ctx does.
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// peerCheckListener drops connections from other users.
type peerCheckListener struct {
	*net.UnixListener
	log *slog.Logger
}

func (l peerCheckListener) Accept() (net.Conn, error) {
	for {
		c, err := l.UnixListener.AcceptUnix()
		if err != nil {
			return nil, err
		}
		if uid, ok := peerUID(c); ok && (uid == uint32(os.Getuid()) || uid == 0) {
			return c, nil
		} else {
			l.log.Warn("admin socket: refused a connection from another user", "uid", uid)
		}
		c.Close()
	}
}

func peerUID(c *net.UnixConn) (uint32, bool) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return 0, false
	}
	return cred.Uid, true
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /v1/status", s.handle(func(r *http.Request) (any, error) { return s.svc.Status(r.Context()) }))
	s.replicaRoutes()
	s.tokenRoutes()
	s.mux.HandleFunc("POST /v1/mail/test", s.handle(func(r *http.Request) (any, error) {
		msg, err := s.svc.SendTestEmail(r.Context())
		return settingValue{Value: msg}, err
	}))
	s.mux.HandleFunc("GET /v1/mail/status", s.handle(func(r *http.Request) (any, error) { return s.svc.MailStatus(), nil }))
	s.mux.HandleFunc("GET /v1/storage", s.handle(func(r *http.Request) (any, error) { return s.svc.GetStorage(r.Context()) }))
	s.mux.HandleFunc("GET /v1/servers/{ref}/metrics", s.handle(func(r *http.Request) (any, error) {
		hours, _ := strconv.Atoi(r.URL.Query().Get("hours"))
		return s.svc.GetMetrics(r.Context(), r.PathValue("ref"), hours)
	}))
	s.mux.HandleFunc("GET /v1/health", s.handle(func(r *http.Request) (any, error) { return s.svc.Health(r.Context()) }))
	s.mux.HandleFunc("GET /v1/servers", s.handle(func(r *http.Request) (any, error) { return s.svc.ListServers(r.Context()) }))
	s.mux.HandleFunc("GET /v1/servers/{ref}", s.handle(func(r *http.Request) (any, error) {
		return s.svc.Server(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("DELETE /v1/servers/{ref}", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RemoveServer(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/servers/{ref}/revoke", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RevokeServer(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/servers/{ref}/ping", s.handle(func(r *http.Request) (any, error) {
		var body pingRequest
		if err := decodeBody(r, &body); err != nil {
			return nil, err
		}
		timeout, err := parseDuration(body.Timeout, 30*time.Second)
		if err != nil {
			return nil, err
		}
		return s.svc.PingServer(r.Context(), r.PathValue("ref"), timeout)
	}))
	s.mux.HandleFunc("POST /v1/tokens", s.handle(func(r *http.Request) (any, error) {
		var body tokenRequest
		if err := decodeBody(r, &body); err != nil {
			return nil, err
		}
		ttl, err := parseDuration(body.TTL, time.Hour)
		if err != nil {
			return nil, err
		}
		return s.svc.CreateEnrollmentToken(r.Context(), body.Name, ttl)
	}))
	s.mux.HandleFunc("GET /v1/tasks", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListTasks(r.Context(), r.URL.Query().Get("server"), limitParam(r))
	}))
	s.mux.HandleFunc("POST /v1/rollouts/probe", s.handle(func(r *http.Request) (any, error) {
		var in []rollout.Target
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.ProbeHosts(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/rollouts", s.handle(func(r *http.Request) (any, error) {
		var in rollout.Request
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.StartRollout(r.Context(), in)
	}))
	s.mux.HandleFunc("GET /v1/rollouts", s.handle(func(r *http.Request) (any, error) { return s.svc.ListRollouts(r.Context()) }))
	s.mux.HandleFunc("GET /v1/rollouts/{id}", s.handle(func(r *http.Request) (any, error) {
		if r.URL.Query().Get("wait") == "1" {
			return s.svc.WaitRollout(r.Context(), r.PathValue("id"))
		}
		return s.svc.Rollout(r.Context(), r.PathValue("id"))
	}))
	s.mux.HandleFunc("POST /v1/servers/{ref}/uninstall", s.handle(func(r *http.Request) (any, error) {
		var in rollout.UninstallRequest
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		in.Server = r.PathValue("ref")
		return s.svc.UninstallServer(r.Context(), in)
	}))
	s.mux.HandleFunc("DELETE /v1/known-hosts/{host}", s.handle(func(r *http.Request) (any, error) {
		port, _ := strconv.Atoi(r.URL.Query().Get("port"))
		return struct{}{}, s.svc.ForgetHostKey(r.Context(), r.PathValue("host"), port)
	}))
	s.mux.HandleFunc("POST /v1/flx/open", s.handle(func(r *http.Request) (any, error) {
		var in struct {
			Path string `json:"path"`
		}
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.OpenFlx(r.Context(), in.Path)
	}))
	s.mux.HandleFunc("POST /v1/flx/restore", s.handle(func(r *http.Request) (any, error) {
		var in service.FlxRestoreRequest
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.RestoreFlx(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/flx/diff", s.handle(func(r *http.Request) (any, error) {
		var in struct {
			ID     string `json:"id"`
			Server string `json:"server"`
			Root   string `json:"root"`
		}
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.DiffFlx(r.Context(), in.ID, in.Server, in.Root, 2*time.Minute)
	}))
	s.mux.HandleFunc("POST /v1/flx/create", s.handle(func(r *http.Request) (any, error) {
		var in struct {
			Server string `json:"server"`
			agentapi.FlxBackupPayload
		}
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.CreateFlx(r.Context(), in.Server, in.FlxBackupPayload)
	}))
	s.mux.HandleFunc("GET /v1/tasks/{id}", s.handle(func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: task id %q", service.ErrInvalid, r.PathValue("id"))
		}
		if r.URL.Query().Get("wait") == "1" {
			return s.svc.WaitTask(r.Context(), id)
		}
		return s.svc.Task(r.Context(), id)
	}))
	s.mux.HandleFunc("GET /v1/jobs", s.handle(func(r *http.Request) (any, error) { return s.svc.ListJobs(r.Context()) }))
	s.mux.HandleFunc("POST /v1/jobs", s.handle(func(r *http.Request) (any, error) {
		var in service.JobInput
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.CreateJob(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/jobs/{ref}/run", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RunJob(r.Context(), r.PathValue("ref"), "manual")
	}))
	s.mux.HandleFunc("POST /v1/jobs/{ref}/prune", s.handle(func(r *http.Request) (any, error) {
		return s.svc.Prune(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/runs/{id}/cancel", s.handle(func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: run id %q", service.ErrInvalid, r.PathValue("id"))
		}
		return s.svc.CancelRun(r.Context(), id)
	}))
	s.mux.HandleFunc("GET /v1/runs/{id}", s.handle(func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: run id %q", service.ErrInvalid, r.PathValue("id"))
		}
		if r.URL.Query().Get("wait") == "1" {
			return s.svc.WaitRun(r.Context(), id)
		}
		return s.svc.Run(r.Context(), id)
	}))
	s.mux.HandleFunc("GET /v1/servers/{ref}/archives", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListArchives(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("GET /v1/servers/{ref}/archives/{archive}/ls", s.handle(func(r *http.Request) (any, error) {
		return s.svc.BrowseArchive(r.Context(), r.PathValue("ref"), r.PathValue("archive"), r.URL.Query().Get("path"))
	}))
	s.mux.HandleFunc("GET /v1/servers/{ref}/versions", s.handle(func(r *http.Request) (any, error) {
		return s.svc.FileVersions(r.Context(), r.PathValue("ref"), r.URL.Query().Get("path"))
	}))
	s.mux.HandleFunc("GET /v1/find", s.handle(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		return s.svc.FindFiles(r.Context(), q.Get("pattern"), q.Get("server"), limitParam(r))
	}))
	s.mux.HandleFunc("POST /v1/restores", s.handle(func(r *http.Request) (any, error) {
		var in service.RestoreRequest
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.StartRestore(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/db-restores", s.handle(func(r *http.Request) (any, error) {
		var in service.DBRestoreRequest
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.RestoreDatabase(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/tasks/{id}/cancel", s.handle(func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: task id %q", service.ErrInvalid, r.PathValue("id"))
		}
		return s.svc.CancelTask(r.Context(), id)
	}))
	s.mux.HandleFunc("GET /v1/mounts", s.handle(func(r *http.Request) (any, error) { return s.svc.ListMounts(), nil }))
	s.mux.HandleFunc("POST /v1/mounts", s.handle(func(r *http.Request) (any, error) {
		var in struct {
			Server  string `json:"server"`
			Archive string `json:"archive"`
			Flx     string `json:"flx"`
			Dir     string `json:"dir"`
		}
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		if in.Flx != "" {
			return s.svc.MountFlx(r.Context(), in.Flx, in.Dir)
		}
		return s.svc.Mount(r.Context(), in.Server, in.Archive, in.Dir)
	}))
	s.mux.HandleFunc("DELETE /v1/mounts", s.handle(func(r *http.Request) (any, error) {
		return struct{}{}, s.svc.Unmount(r.Context(), r.URL.Query().Get("dir"))
	}))
	s.mux.HandleFunc("POST /v1/jobs/{ref}/drill", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RunDrill(r.Context(), r.PathValue("ref"), r.URL.Query().Get("full") == "1")
	}))
	s.mux.HandleFunc("PUT /v1/jobs/{ref}/drill-schedule", s.handle(func(r *http.Request) (any, error) {
		var in settingValue
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.SetJobDrillSchedule(r.Context(), r.PathValue("ref"), in.Value)
	}))
	s.mux.HandleFunc("GET /v1/drills", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListDrills(r.Context(), r.URL.Query().Get("server"), limitParam(r))
	}))
	s.mux.HandleFunc("GET /v1/drills/{id}", s.handle(func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: drill id %q", service.ErrInvalid, r.PathValue("id"))
		}
		return s.svc.WaitDrill(r.Context(), id)
	}))
	s.mux.HandleFunc("GET /v1/targets", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListTargets(r.Context())
	}))
	s.mux.HandleFunc("POST /v1/targets/nodes", s.handle(func(r *http.Request) (any, error) {
		var in service.StorageNodeInput
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.AddStorageNode(r.Context(), in)
	}))
	s.mux.HandleFunc("POST /v1/targets/hosted", s.handle(func(r *http.Request) (any, error) {
		var in service.HostedInput
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.AddHostedTarget(r.Context(), in)
	}))
	s.mux.HandleFunc("GET /v1/targets/{ref}/keys", s.handle(func(r *http.Request) (any, error) {
		return s.svc.HostedKeys(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/targets/{ref}/check", s.handle(func(r *http.Request) (any, error) {
		return s.svc.CheckTarget(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("DELETE /v1/targets/{ref}", s.handle(func(r *http.Request) (any, error) {
		return struct{}{}, s.svc.RemoveTarget(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("POST /v1/servers/{ref}/storage/move", s.handle(func(r *http.Request) (any, error) {
		var in settingValue
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.StartMoveRepo(r.Context(), r.PathValue("ref"), in.Value)
	}))
	s.mux.HandleFunc("GET /v1/servers/{ref}/storage/move", s.handle(func(r *http.Request) (any, error) {
		return s.svc.MoveStatus(r.Context(), r.PathValue("ref"))
	}))
	s.mux.HandleFunc("PUT /v1/servers/{ref}/storage", s.handle(func(r *http.Request) (any, error) {
		var in settingValue
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.SetRepoTarget(r.Context(), r.PathValue("ref"), in.Value)
	}))
	s.mux.HandleFunc("POST /v1/servers/{ref}/check", s.handle(func(r *http.Request) (any, error) {
		return struct{}{}, s.svc.Check(r.Context(), r.PathValue("ref"), r.URL.Query().Get("verify_data") == "1")
	}))
	s.mux.HandleFunc("GET /v1/runs", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListRuns(r.Context(), limitParam(r))
	}))
	s.mux.HandleFunc("GET /v1/events", s.handle(func(r *http.Request) (any, error) {
		return s.svc.ListEvents(r.Context(), limitParam(r))
	}))
	s.mux.HandleFunc("GET /v1/events/stream", s.stream)
	s.mux.HandleFunc("POST /v1/recovery-kit", s.handle(func(r *http.Request) (any, error) {
		var in service.KitExportRequest
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return s.svc.ExportRecoveryKit(r.Context(), in)
	}))
	s.mux.HandleFunc("GET /v1/recovery-kit", s.handle(func(r *http.Request) (any, error) { return s.svc.RecoveryKitStatus(r.Context()) }))
	s.mux.HandleFunc("GET /v1/settings", s.handle(func(r *http.Request) (any, error) { return s.svc.Settings(r.Context()) }))
	s.mux.HandleFunc("GET /v1/settings/{key}", s.handle(func(r *http.Request) (any, error) {
		v, err := s.svc.Setting(r.Context(), r.PathValue("key"))
		return settingValue{Value: v}, err
	}))
	s.mux.HandleFunc("PUT /v1/settings/{key}", s.handle(func(r *http.Request) (any, error) {
		var body settingValue
		if err := decodeBody(r, &body); err != nil {
			return nil, err
		}
		return struct{}{}, s.svc.SetSetting(r.Context(), r.PathValue("key"), body.Value)
	}))
}

type tokenRequest struct {
	Name string `json:"name"`
	TTL  string `json:"ttl"`
}

type pingRequest struct {
	Timeout string `json:"timeout"`
}

// parseDuration reads an optional Go duration ("90s", "1h").
func parseDuration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not a duration (try 30s, 15m or 1h)", service.ErrInvalid, s)
	}
	return d, nil
}

type settingValue struct {
	Value string `json:"value"`
}

func (s *Server) handle(fn func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// stream sends every event as one JSON line until the client goes away.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		s.writeError(w, r, errors.New("streaming unsupported"))
		return
	}
	sub := s.svc.Subscribe(256)
	defer sub.Close()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				// Fell behind: say so, so the client re-reads state.
				enc.Encode(map[string]string{"error": "lagged: events were dropped; re-read state and subscribe again"})
				return
			}
			if err := enc.Encode(ev); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, status := codeOf(err)
	if status == http.StatusInternalServerError {
		s.log.Error("admin api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body errorBody
	body.Error.Code = code
	body.Error.Message = err.Error()
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: request body: %v", service.ErrInvalid, err)
	}
	return nil
}

func limitParam(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	return n
}
