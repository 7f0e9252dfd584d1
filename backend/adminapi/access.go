package adminapi

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"os/user"
	"strings"

	"borgdesk/backend/operators"
	"borgdesk/backend/store"
)

// Every call is made by a Caller, which the listener it came through
// establishes: the unix socket's OS user is the local admin; an operator
// over the network is who their live certificate says, with the role the
// store gives them now. Nothing in a request names the caller.

type callerKey struct{}
type certKey struct{}

// withCaller returns ctx carrying the caller (and their certificate, for
// an operator over the network).
func withCaller(ctx context.Context, c operators.Caller, cert *x509.Certificate) context.Context {
	ctx = context.WithValue(ctx, callerKey{}, c)
	if cert != nil {
		ctx = context.WithValue(ctx, certKey{}, cert)
	}
	return ctx
}

// CallerFrom returns the caller of a request's context (the zero Caller,
// which no route admits, when none was established).
func CallerFrom(ctx context.Context) operators.Caller {
	c, _ := ctx.Value(callerKey{}).(operators.Caller)
	return c
}

func peerCertificate(ctx context.Context) *x509.Certificate {
	c, _ := ctx.Value(certKey{}).(*x509.Certificate)
	return c
}

// localCaller is the OS user who owns the admin socket: admin.
func localCaller() operators.Caller {
	name := "local"
	if u, err := user.Current(); err == nil {
		name = u.Username + " (local)"
	}
	return operators.Caller{Name: name, Role: operators.Admin}
}

// ErrForbidden is a call the caller's role does not allow (HTTP 403).
var ErrForbidden = errors.New("forbidden")

// refusal is a 403 whose message is the sentence alone.
type refusal string

func (r refusal) Error() string        { return string(r) }
func (r refusal) Is(target error) bool { return target == ErrForbidden }

// ServeHTTP makes Server an http.Handler: it finds the route, checks the
// caller's role against the roles table, audits what an operator over the
// network changes or is refused, and serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	if pattern == "" { // no such route: the mux says 404 or 405
		s.mux.ServeHTTP(w, r)
		return
	}
	caller := CallerFrom(r.Context())
	need, known := roles[pattern]
	action := actionOf(pattern)
	if !known {
		need = access{role: operators.Admin} // a route without an entry is the local admin's only
	}
	if caller.Role == "" || !caller.Role.Allows(need.role) || (!known && caller.Remote) {
		msg := "no caller was established for this request"
		if caller.Role != "" {
			msg = operators.Refusal(caller, action, need.role)
		}
		s.audit(r, caller, action, operators.ResultRefused, msg)
		s.writeError(w, r, refusal(msg))
		return
	}
	if need.read || !caller.Remote {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	result, detail := operators.ResultOK, ""
	if rec.status >= 400 {
		result, detail = operators.ResultFailed, http.StatusText(rec.status)
	}
	s.audit(r, caller, action, result, detail)
}

// actionOf names a route for people: "POST /v1/jobs/{ref}/run" → "POST jobs/{ref}/run".
func actionOf(pattern string) string {
	method, path, _ := strings.Cut(pattern, " ")
	return method + " " + strings.TrimPrefix(path, "/v1/")
}

// audit records a remote operator's call, or any refusal. Local admin
// calls that succeed are the socket owner's own and are not audited.
func (s *Server) audit(r *http.Request, c operators.Caller, action, result, detail string) {
	if s.svc == nil {
		return
	}
	name := c.Name
	if name == "" {
		name = "unknown"
	}
	e := store.AuditEntry{Operator: name, Role: string(c.Role), Action: action, Target: r.URL.RequestURI(), Result: result, Detail: detail}
	// The call's context may be cut (a revoked operator): the entry is
	// still written.
	if err := s.svc.RecordAudit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit", "err", err, "operator", name, "action", action)
	}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
