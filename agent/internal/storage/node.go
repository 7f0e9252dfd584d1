// Package storage makes an agent a storage node: it runs the coordinator's
// own Borg SSH server (backend/shared/borgssh) for the repositories it holds, with
// the same rules — only enrolled agents' keys, each forced to `borg serve
// --restrict-to-repository DIR/<uuid> --append-only` — and runs maintenance
// (init, prune, compact, check) with borg on the node itself.
//
// Its configuration (listen address, directory, the authorized keys the
// coordinator pushed over mTLS) is kept in the agent's state dir, so the
// node keeps serving backups while the coordinator is closed.
package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
	"borgdesk/backend/shared/borgssh"
)

// AdminIdentity is the coordinator's identity on the node's server. It can
// never be an agent's (agents are UUIDs).
const AdminIdentity = "coordinator"

const (
	configFile  = "storage.json"
	hostKeyFile = "storage_host_ed25519_key"
)

// Node is a storage node's Borg SSH server.
type Node struct {
	stateDir string
	borg     string
	log      *slog.Logger

	mu     sync.Mutex
	cfg    agentapi.StorageConfigPayload
	keys   map[string]string // marshalled public key → identity
	srv    *borgssh.Server
	stop   context.CancelFunc
	done   chan struct{}
	listen string
}

// New returns a node keeping its state in stateDir; borgPath is the borg
// binary ("borg" when empty).
func New(stateDir, borgPath string, log *slog.Logger) *Node {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Node{stateDir: stateDir, borg: borgPath, log: log}
}

// Start serves the saved configuration, if this agent is a storage node.
func (n *Node) Start(ctx context.Context) error {
	raw, err := os.ReadFile(filepath.Join(n.stateDir, configFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage node configuration: %w", err)
	}
	var cfg agentapi.StorageConfigPayload
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("storage node configuration %s is damaged (%v); the coordinator sends it again when it next reaches this agent", filepath.Join(n.stateDir, configFile), err)
	}
	_, err = n.apply(ctx, cfg, false)
	return err
}

// Apply saves and serves a configuration the coordinator sent.
func (n *Node) Apply(ctx context.Context, cfg agentapi.StorageConfigPayload) (agentapi.StorageConfigResult, error) {
	return n.apply(ctx, cfg, true)
}

func (n *Node) apply(ctx context.Context, cfg agentapi.StorageConfigPayload, save bool) (agentapi.StorageConfigResult, error) {
	var res agentapi.StorageConfigResult
	if !cfg.Disable {
		if !filepath.IsAbs(cfg.Dir) || filepath.Clean(cfg.Dir) == "/" {
			return res, fmt.Errorf("storage directory %q must be an absolute path other than /", cfg.Dir)
		}
		cfg.Dir = filepath.Clean(cfg.Dir)
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return res, fmt.Errorf("storage directory: %w", err)
		}
	}
	keys := map[string]string{}
	for id, line := range cfg.Agents {
		if id == AdminIdentity || strings.ContainsAny(id, "/\\.") || id == "" {
			return res, fmt.Errorf("agent identity %q is not a UUID", id)
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return res, fmt.Errorf("key of agent %s: %w", id, err)
		}
		keys[string(k.Marshal())] = id
	}
	if cfg.Admin != "" {
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(cfg.Admin))
		if err != nil {
			return res, fmt.Errorf("coordinator key: %w", err)
		}
		keys[string(k.Marshal())] = AdminIdentity
	}
	hostKey, err := borgssh.LoadOrCreateHostKey(filepath.Join(n.stateDir, hostKeyFile))
	if err != nil {
		return res, err
	}
	if save {
		raw, _ := json.MarshalIndent(cfg, "", "  ")
		if err := atomicfile.Write(filepath.Join(n.stateDir, configFile), raw, 0o600); err != nil {
			return res, fmt.Errorf("save storage node configuration: %w", err)
		}
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	removed := []string{}
	for _, id := range n.keys {
		if !containsValue(keys, id) {
			removed = append(removed, id)
		}
	}
	n.cfg, n.keys = cfg, keys
	if n.srv != nil && (cfg.Disable || n.listen != cfg.Listen || n.srv.ReposDir() != cfg.Dir) {
		n.stopLocked()
	}
	if n.srv != nil {
		for _, id := range removed {
			n.srv.Disconnect(id) // a revoked agent's sessions end now
		}
	}
	if !cfg.Disable && n.srv == nil {
		ln, err := borgssh.Listen(cfg.Listen)
		if err != nil {
			return res, err
		}
		srv := borgssh.New(borgssh.Config{HostKey: hostKey, Authorizer: n, ReposDir: cfg.Dir, Borg: n.borg,
			BorgBaseDir: filepath.Join(n.stateDir, "borg-serve"), Admin: AdminIdentity, Logger: n.log})
		sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := srv.Serve(sctx, ln); err != nil {
				n.log.Error("storage node: Borg SSH server stopped", "err", err)
			}
		}()
		n.srv, n.stop, n.done, n.listen = srv, stop, done, cfg.Listen
		n.log.Info("storage node: serving repositories", "listen", ln.Addr().String(), "dir", cfg.Dir, "agents", len(cfg.Agents))
	}
	res.HostKey = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostKey.PublicKey())))
	res.Listen, res.Dir = cfg.Listen, cfg.Dir
	if !cfg.Disable {
		var st unix.Statfs_t
		if unix.Statfs(cfg.Dir, &st) == nil {
			res.FreeBytes = int64(st.Bavail) * int64(st.Bsize)
		}
	}
	return res, nil
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// AgentForKey implements borgssh.Authorizer from the pushed keys.
func (n *Node) AgentForKey(key ssh.PublicKey) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id, ok := n.keys[string(key.Marshal())]
	return id, ok
}

// Dir is the directory of the node's repositories ("" when not a node).
func (n *Node) Dir() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cfg.Disable {
		return ""
	}
	return n.cfg.Dir
}

// RepoPath is the path of an agent's repository on this node.
func (n *Node) RepoPath(agent string) (string, error) {
	dir := n.Dir()
	if dir == "" {
		return "", errors.New("this agent is not a storage node")
	}
	if agent == "" || agent == AdminIdentity || strings.ContainsAny(agent, "/\\") || agent == "." || agent == ".." {
		return "", fmt.Errorf("repository owner %q is not a UUID", agent)
	}
	return filepath.Join(dir, agent), nil
}

// Addr is the server's listening address (for tests), "" when stopped.
func (n *Node) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv == nil {
		return ""
	}
	return n.listen
}

// Close stops the server.
func (n *Node) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopLocked()
}

func (n *Node) stopLocked() {
	if n.srv == nil {
		return
	}
	n.stop()
	<-n.done
	n.srv, n.stop, n.done, n.listen = nil, nil, nil, ""
}
