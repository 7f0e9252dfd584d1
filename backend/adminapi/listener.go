package adminapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"borgdesk/backend/gateway"
	"borgdesk/backend/operators"
)

// The operator listener serves this same API to operators over the
// network: TLS 1.3, mutual TLS with operator certificates the fleet CA
// issued (an agent's certificate, another CA's, an expired one or a revoked
// operator's fails the handshake). Without a certificate only enrollment
// (an invite and a CSR) is answered. A revoked operator's open connections,
// event streams included, are cut at once.

// ErrUnauthenticated is a request on the operator listener without an
// operator certificate (HTTP 401).
var ErrUnauthenticated = errors.New("no operator certificate")

// EnrollPath is where `borgdesk connect` sends its invite and CSR; the one
// path the operator listener answers without a client certificate.
const EnrollPath = "/v1/operators/enroll"

// Identifier names the live operator a certificate belongs to, with their
// role now; the service implements it.
type Identifier interface {
	IdentifyOperator(ctx context.Context, cert *x509.Certificate) (operators.Caller, error)
}

// OperatorTLSConfig is the operator listener's TLS configuration: TLS 1.3,
// the serving certificate, client certificates verified against the CA
// pool (at the coordinator's time, now) and then checked live by id at
// every handshake (resumed ones too).
func OperatorTLSConfig(cert tls.Certificate, pool *x509.CertPool, id Identifier, now func() time.Time) *tls.Config {
	return &tls.Config{
		Time:         now,
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    pool,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return nil // enrollment only; the handler refuses the rest
			}
			_, err := id.IdentifyOperator(context.Background(), cs.PeerCertificates[0])
			return err
		},
	}
}

// ListenOperators opens the operator listener's TCP socket.
func ListenOperators(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("operator listener on %s: %w (choose another address with --operators-listen)", addr, err)
	}
	return ln, nil
}

// conns are the operator listener's connections by operator, so a revoke
// cuts them.
type conns struct {
	mu     sync.Mutex
	byName map[string]map[net.Conn]struct{}
}

func (c *conns) add(name string, conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName == nil {
		c.byName = map[string]map[net.Conn]struct{}{}
	}
	if c.byName[name] == nil {
		c.byName[name] = map[net.Conn]struct{}{}
	}
	c.byName[name][conn] = struct{}{}
}

func (c *conns) remove(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, set := range c.byName {
		delete(set, conn)
		if len(set) == 0 {
			delete(c.byName, name)
		}
	}
}

// CutOperator closes every connection of operator name (a revoke): their
// event streams end and every later handshake is refused.
func (s *Server) CutOperator(name string) {
	s.conns.mu.Lock()
	set := s.conns.byName[name]
	delete(s.conns.byName, name)
	s.conns.mu.Unlock()
	for c := range set {
		c.Close()
	}
	if len(set) > 0 {
		s.log.Info("operator revoked: connections cut", "operator", name, "connections", len(set))
	}
}

type connKey struct{}

// maxUnauthenticated bounds the operator listener's connections without a
// certificate (handshakes in progress, enrollment), so strangers cannot
// hold every socket.
const maxUnauthenticated = 64

// ServeOperators answers operators on ln with cfg (OperatorTLSConfig)
// until ctx ends, then shuts down gracefully.
func (s *Server) ServeOperators(ctx context.Context, ln net.Listener, cfg *tls.Config) error {
	hs := &http.Server{
		Handler:           http.HandlerFunc(s.serveOperator),
		TLSConfig:         cfg,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ConnContext:       func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	limit := gateway.LimitUnauthenticated(maxUnauthenticated)
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		limit(c, st)
		if st == http.StateClosed || st == http.StateHijacked {
			s.conns.remove(c)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return fmt.Errorf("operator listener: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// serveOperator establishes the caller from the connection's certificate,
// checked live again on every request, and serves the admin API.
func (s *Server) serveOperator(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		if r.Method == http.MethodPost && r.URL.Path == EnrollPath {
			s.enroll(w, r)
			return
		}
		s.writeError(w, r, fmt.Errorf("%w: this is a Borgdesk coordinator's operator listener; it answers operators with a certificate: run `borgdesk connect https://HOST:PORT --invite CODE` with an invite from its admin", ErrUnauthenticated))
		return
	}
	cert := r.TLS.PeerCertificates[0]
	caller, err := s.svc.IdentifyOperator(r.Context(), cert)
	if err != nil {
		s.writeError(w, r, refusal(err.Error()))
		return
	}
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		s.conns.add(caller.Name, c)
	}
	s.ServeHTTP(w, r.WithContext(withCaller(r.Context(), caller, cert)))
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var req operators.EnrollRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.svc.EnrollOperator(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
