// Package borgssh is an SSH server that only ever runs `borg serve`.
//
// It accepts public keys an Authorizer maps to an agent, and for any exec
// request runs exactly
//
//	borg serve --restrict-to-repository <repos>/<agent> --append-only
//
// whatever command the client asked for (it is passed on only as
// SSH_ORIGINAL_COMMAND, as sshd does): an agent reaches its own repository
// and nothing else, not a path below it, not a sibling, not the directory
// of repositories. It must never serve one agent another's repository.
// There is no shell, no pty, no
// subsystem, no port forwarding and no other channel type. A revoked agent's
// key is refused at the next authentication, and its open sessions are cut.
// The coordinator runs it for its own repositories; a storage node's agent
// can run the same server for the repositories it holds.
package borgssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/atomicfile"
)

// Authorizer maps an SSH public key to the agent it belongs to.
type Authorizer interface {
	// AgentForKey returns the agent UUID for key, if that agent may connect now.
	AgentForKey(key ssh.PublicKey) (string, bool)
}

// Config configures a Server.
type Config struct {
	HostKey    ssh.Signer
	Authorizer Authorizer
	// ReposDir holds one repository directory per agent UUID.
	ReposDir string
	// Borg is the borg binary ("borg" when empty).
	Borg string
	// BorgBaseDir is BORG_BASE_DIR for `borg serve`.
	BorgBaseDir string
	// Admin, when set, is the one identity the Authorizer may return that
	// is served every repository under ReposDir without --append-only: the
	// coordinator's own key on a storage node, which reads archives for the
	// catalog, browsing and drills. Agents never get it; the coordinator's
	// own server leaves it empty.
	Admin  string
	Logger *slog.Logger
	// IdleTimeout closes a logged-in connection that carried nothing either
	// way for this long (DefaultIdleTimeout when zero). borg's RPC is quiet
	// only while the client scans files it need not send.
	IdleTimeout time.Duration
}

// DefaultIdleTimeout is how long a logged-in connection may stay silent.
const DefaultIdleTimeout = 30 * time.Minute

// Server is the Borg SSH server.
type Server struct {
	cfg  Config
	log  *slog.Logger
	conf *ssh.ServerConfig

	mu    sync.Mutex
	conns map[string]map[*ssh.ServerConn]struct{}
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Borg == "" {
		cfg.Borg = "borg"
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Logger, conns: map[string]map[*ssh.ServerConn]struct{}{}}
	s.conf = &ssh.ServerConfig{
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			agent, ok := cfg.Authorizer.AgentForKey(key)
			if !ok {
				return nil, errors.New("unknown or revoked key")
			}
			if !validIdentity(agent) {
				return nil, errors.New("the key maps to no repository")
			}
			return &ssh.Permissions{Extensions: map[string]string{"agent": agent, "key": string(key.Marshal())}}, nil
		},
		ServerVersion: "SSH-2.0-Borgdesk",
		MaxAuthTries:  3,
	}
	s.conf.AddHostKey(cfg.HostKey)
	return s
}

// LoadOrCreateHostKey reads the ed25519 host key at path, creating it (0600).
func LoadOrCreateHostKey(path string) (ssh.Signer, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		raw, err = newHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("SSH host key %s is damaged (%v); restore it from a backup — agents pin it", path, err)
	}
	return signer, nil
}

func newHostKey(path string) ([]byte, error) {
	_, priv, err := generateEd25519()
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "borgdesk borg ssh host key")
	if err != nil {
		return nil, err
	}
	raw := pemEncode(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return raw, atomicfile.Write(path, raw, 0o600)
}

// ReposDir is the directory of the repositories served.
func (s *Server) ReposDir() string { return s.cfg.ReposDir }

// Listen opens the server's TCP listener.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("Borg SSH server on %s: %w (choose another address with --ssh-listen)", addr, err)
	}
	return ln, nil
}

// Serve accepts connections on ln until ctx ends, then closes them all.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go func() { <-ctx.Done(); ln.Close() }()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.closeAll()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("Borg SSH server: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handle(ctx, c)
		}()
	}
}

// Disconnect cuts every open session of an agent (after a revoke).
func (s *Server) Disconnect(agent string) {
	s.mu.Lock()
	conns := s.conns[agent]
	delete(s.conns, agent)
	s.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	all := s.conns
	s.conns = map[string]map[*ssh.ServerConn]struct{}{}
	s.mu.Unlock()
	for _, conns := range all {
		for c := range conns {
			c.Close()
		}
	}
}

func (s *Server) track(agent string, c *ssh.ServerConn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.conns[agent] == nil {
			s.conns[agent] = map[*ssh.ServerConn]struct{}{}
		}
		s.conns[agent][c] = struct{}{}
		return
	}
	delete(s.conns[agent], c)
	if len(s.conns[agent]) == 0 {
		delete(s.conns, agent)
	}
}

func (s *Server) handle(ctx context.Context, raw net.Conn) {
	nc := &idleConn{Conn: raw, idle: s.cfg.IdleTimeout}
	nc.SetDeadline(time.Now().Add(30 * time.Second)) // for the handshake only
	conn, chans, reqs, err := ssh.NewServerConn(nc, s.conf)
	if err != nil {
		s.log.Debug("borg ssh: handshake refused", "remote", nc.RemoteAddr(), "err", err)
		nc.Close()
		return
	}
	nc.arm() // from now on, silence for IdleTimeout ends the connection
	agent := conn.Permissions.Extensions["agent"]
	s.track(agent, conn, true)
	defer s.track(agent, conn, false)
	defer conn.Close()
	// A revoke between authentication and tracking missed this connection
	// in Disconnect: look again now that it is tracked.
	if key, err := ssh.ParsePublicKey([]byte(conn.Permissions.Extensions["key"])); err != nil {
		return
	} else if id, ok := s.cfg.Authorizer.AgentForKey(key); !ok || id != agent {
		return
	}
	log := s.log.With("agent", agent, "remote", nc.RemoteAddr())
	go ssh.DiscardRequests(reqs) // tcpip-forward and friends: refused
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.Prohibited, "only borg serve sessions are allowed")
			continue
		}
		ch, chReqs, err := nch.Accept()
		if err != nil {
			continue
		}
		go s.session(ctx, agent, ch, chReqs, log)
	}
}

// session answers one session channel: env is ignored, exec runs the fixed
// borg serve command of identity, everything else is refused.
func (s *Server) session(ctx context.Context, identity string, ch ssh.Channel, reqs <-chan *ssh.Request, log *slog.Logger) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "env":
			req.Reply(true, nil) // borg sends LANG; nothing is passed on
		case "exec":
			var payload struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
				req.Reply(false, nil)
				return
			}
			req.Reply(true, nil)
			code := s.serve(ctx, identity, payload.Command, ch, log)
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
			return
		default: // shell, pty-req, subsystem, x11, …
			req.Reply(false, nil)
		}
	}
}

// ServeArgs is the borg serve command line a connection of identity gets:
// exactly its own repository (--restrict-to-repository admits that one
// repository and no path below or beside it), append-only. Only the Admin
// identity is served the whole repositories directory without
// --append-only, since it creates the repositories. An identity that is
// not one plain directory name gets nothing (nil).
func (s *Server) ServeArgs(identity string) []string {
	if !validIdentity(identity) {
		return nil
	}
	if s.cfg.Admin != "" && identity == s.cfg.Admin {
		return []string{"serve", "--restrict-to-path", s.cfg.ReposDir}
	}
	return []string{"serve", "--restrict-to-repository", filepath.Join(s.cfg.ReposDir, identity), "--append-only"}
}

// validIdentity says whether identity names one directory under ReposDir.
func validIdentity(identity string) bool {
	return identity != "" && identity != "." && identity != ".." && !strings.ContainsAny(identity, "/\\\x00")
}

// serve runs borg serve restricted to one repository.
func (s *Server) serve(ctx context.Context, identity, requested string, ch ssh.Channel, log *slog.Logger) int {
	args := s.ServeArgs(identity)
	if args == nil {
		fmt.Fprintf(ch.Stderr(), "borgdesk: no repository for this key\n")
		return 255
	}
	repo := args[2]
	cmd := exec.CommandContext(ctx, s.cfg.Borg, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.cfg.BorgBaseDir,
		"BORG_BASE_DIR=" + s.cfg.BorgBaseDir,
		"SSH_ORIGINAL_COMMAND=" + requested,
		"LANG=C.UTF-8",
	}
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 255
	}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		log.Error("borg ssh: cannot start borg serve", "err", err)
		fmt.Fprintf(ch.Stderr(), "borgdesk: cannot start borg serve: %v\n", err)
		return 255
	}
	log.Info("borg ssh: serving", "repo", repo)
	go func() {
		io.Copy(stdin, ch)
		stdin.Close() // EOF from the client ends borg serve
	}()
	var out sync.WaitGroup
	out.Go(func() { io.Copy(ch, stdout) })
	out.Go(func() { io.Copy(ch.Stderr(), stderr) })
	out.Wait() // drain both before Wait closes the pipes
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return 255
}

// idleConn moves its deadline forward on every read and write once armed,
// so that a connection is closed after a stretch of silence either way.
type idleConn struct {
	net.Conn
	idle  time.Duration
	armed atomic.Bool
}

func (c *idleConn) arm() {
	c.armed.Store(true)
	c.Conn.SetDeadline(time.Now().Add(c.idle))
}

func (c *idleConn) Read(p []byte) (int, error) {
	if c.armed.Load() {
		c.Conn.SetDeadline(time.Now().Add(c.idle))
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if c.armed.Load() {
		c.Conn.SetDeadline(time.Now().Add(c.idle))
	}
	return c.Conn.Write(p)
}
