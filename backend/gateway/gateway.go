// Package gateway is the agents' HTTPS API (TLS 1.3, mutual TLS).
//
// The gateway enforces identity itself: a client certificate from another
// CA, an expired one, or one whose agent is revoked or unknown fails the TLS
// handshake; every route but health and token registration also refuses a
// request that carries no certificate, and re-checks revocation, so a
// connection kept alive across a revoke is refused on its next request. No
// id, task number or UUID in a request is ever taken as a credential: the
// agent is who its certificate says. It never decides anything about the
// fleet itself: every answer comes from the Fleet it is given.
package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"borgdesk/backend/agentdist"
	"borgdesk/backend/ca"
	"borgdesk/backend/restores"
	"borgdesk/backend/shared/agentapi"
)

// Fleet is what the gateway asks of the coordinator on the agents' behalf:
// enrollment, heartbeats, certificates, tasks, offline runs and updates.
// the coordinator's service implements it; tests may use a smaller fake.
type Fleet interface {
	// CertificateAllowed names the agent a client certificate belongs to,
	// or refuses a revoked, superseded or unknown one.
	CertificateAllowed(cert *x509.Certificate) (string, error)
	Register(ctx context.Context, req agentapi.RegisterRequest) (agentapi.RegisterResponse, error)
	Heartbeat(ctx context.Context, agent string, req agentapi.HeartbeatRequest) (agentapi.HeartbeatResponse, error)
	RenewCertificate(ctx context.Context, current *x509.Certificate, csrPEM string) (agentapi.RenewResponse, error)
	WaitTasks(ctx context.Context, agent string, max int, wait time.Duration) ([]agentapi.Task, error)
	StartTask(ctx context.Context, agent string, id int64) error
	ProgressTask(ctx context.Context, agent string, id int64, p agentapi.TaskProgress) error
	CompleteTask(ctx context.Context, agent string, id int64, c agentapi.TaskComplete) error
	OpenTaskStream(ctx context.Context, agent string, id int64) (*restores.TaskStream, error)
	FlxForTask(ctx context.Context, agent string, id int64) (string, error)
	StoreFlxUpload(ctx context.Context, agent string, id int64, name string, body io.Reader) (string, error)
	Schedule(ctx context.Context, agent string) (agentapi.ScheduleResponse, error)
	DeliverOfflineRuns(ctx context.Context, agent string, req agentapi.OfflineRunsRequest) (agentapi.OfflineRunsResponse, error)
	UpdateCheck(ctx context.Context, agent string, req agentapi.UpdateCheckRequest) (agentapi.UpdateCheckResponse, error)
	UpdateBinary(ctx context.Context, agent, goos, arch string) (agentdist.Binary, error)
	InstallScript(ctx context.Context, token string) (string, error)
	InstallBinary(ctx context.Context, secret, arch string) (string, error)
}

// Config configures a Gateway.
type Config struct {
	Fleet  Fleet
	CA     *ca.CA
	Logger *slog.Logger
	Now    func() time.Time
	// Hosts are the names and addresses in the serving certificate.
	Hosts []string
	// Certificate is the serving certificate (see Certificate); a fresh
	// one for Hosts when empty.
	Certificate tls.Certificate
	// LongPoll is how long GET tasks waits for work (agentapi.LongPoll when zero).
	LongPoll time.Duration
	// Version is the coordinator's version (for the log; /api/health is
	// open and names no version).
	Version string
	// MaxUnauthenticated bounds connections without a client certificate
	// (DefaultMaxUnauthenticated when zero).
	MaxUnauthenticated int
}

// Gateway serves the agent API.
type Gateway struct {
	cfg   Config
	log   *slog.Logger
	tls   *tls.Config
	mux   *http.ServeMux
	conns *connLimit
}

// Certificate is a fresh serving certificate for hosts, signed by ca, with
// the pin (base64 SHA-256 of its public key) that one-line install
// commands carry.
func Certificate(authority *ca.CA, hosts []string) (tls.Certificate, string, error) {
	certPEM, keyPEM, err := authority.ServingCertificate(hosts)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("gateway certificate: %w", err)
	}
	leaf, err := tls.X509KeyPair(append(certPEM, authority.CertPEM()...), keyPEM)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("gateway certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("gateway certificate: %w", err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return leaf, base64.StdEncoding.EncodeToString(sum[:]), nil
}

// New builds a gateway serving cfg.Certificate (a fresh one for cfg.Hosts
// when it has none).
func New(cfg Config) (*Gateway, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LongPoll == 0 {
		cfg.LongPoll = agentapi.LongPoll
	}
	if cfg.MaxUnauthenticated == 0 {
		cfg.MaxUnauthenticated = DefaultMaxUnauthenticated
	}
	g := &Gateway{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), conns: newConnLimit(cfg.MaxUnauthenticated)}
	leaf := cfg.Certificate
	if len(leaf.Certificate) == 0 {
		var err error
		if leaf, _, err = Certificate(cfg.CA, cfg.Hosts); err != nil {
			return nil, err
		}
	}
	g.tls = &tls.Config{
		MinVersion:       tls.VersionTLS13,
		Certificates:     []tls.Certificate{leaf},
		ClientAuth:       tls.VerifyClientCertIfGiven,
		ClientCAs:        cfg.CA.Pool(),
		Time:             cfg.Now,
		VerifyConnection: g.verifyConnection,
	}
	g.routes()
	return g, nil
}

// TLSConfig is the gateway's server TLS configuration.
func (g *Gateway) TLSConfig() *tls.Config { return g.tls }

// verifyConnection runs after the standard chain and expiry checks: a
// presented certificate must be the live certificate of an allowed agent
// (a revoked agent's, or one a renewal replaced, fails the handshake).
func (g *Gateway) verifyConnection(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return nil // routes decide; only health and registration accept this
	}
	_, err := g.cfg.Fleet.CertificateAllowed(cs.PeerCertificates[0])
	return err
}

// Listen opens the gateway's TCP listener.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("agent gateway on %s: %w (choose another address with --listen)", addr, err)
	}
	return ln, nil
}

// Serve answers HTTPS on ln until ctx ends, then shuts down gracefully.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           g,
		TLSConfig:         g.tls,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         g.conns.track,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return fmt.Errorf("agent gateway: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// ServeHTTP makes the gateway an http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(agentapi.ProtocolHeader, fmt.Sprint(agentapi.ProtocolVersion))
	g.mux.ServeHTTP(w, r)
}

// DefaultHosts are the names a serving certificate should carry when the
// operator names none: this host's name, localhost and its addresses.
func DefaultHosts() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil {
		hosts = append(hosts, h)
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
				hosts = append(hosts, ipn.IP.String())
			}
		}
	}
	return hosts
}
