// Package adminapi is the coordinator's admin API: HTTP over a unix socket
// (mode 0600) in the data dir, the same API for operators over mutual TLS
// (the operator listener), and the client the CLI uses over either. The
// socket is offered on Linux (peer credentials from SO_PEERCRED) and macOS
// (LOCAL_PEERCRED); on Windows, which cannot tell who is at the other end
// of a unix socket, Listen refuses and operators use the TLS listener.
//
// It is a thin adapter over backend/service and must never carry logic of
// its own, except who may call what: every route's least role is in one
// table (roles), checked on every call. Only processes of the same user (or
// root) may connect to the socket: the socket mode says so, and every
// connection's peer credentials are checked too; they are the local admin.
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
	"runtime"
	"time"

	"borgdesk/backend/service"
)

// ErrNoSocket is what Listen and the client answer where the peer of a
// unix socket cannot be told (Windows): a socket that anyone could use
// would be an admin API for anyone.
var ErrNoSocket = fmt.Errorf("not on this OS: the admin socket needs the peer credentials of Linux or macOS, and this is %s; the coordinator runs on Linux: reach it over its operator listener with `borgdesk connect URL --invite CODE`, then --coordinator URL", runtime.GOOS)

// Server serves the admin API for one service.
type Server struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
	// conns are the operator listener's connections, by operator.
	conns conns
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
	ln, err := listenUnix(path)
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
	// Whoever passed the peer check is the socket's owner (or root): admin.
	local := withCaller(ctx, localCaller(), nil)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return local }}
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

// routes registers every route of the table.
func (s *Server) routes() {
	for _, rt := range table {
		s.mux.HandleFunc(rt.Method()+" "+rt.Pattern(), rt.handler(s))
	}
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
