// Package repos manages the repositories the coordinator holds: one per
// agent under DATA/repos/<agent-uuid>, each with a random passphrase in
// DATA/keys/<agent-uuid>.passphrase (0600, outside the repositories, so no
// agent can reach it through borg serve).
package repos

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"borgdesk/backend/atomicfile"
	"borgdesk/backend/borg"
)

// Repos is the coordinator's repository store.
type Repos struct {
	dir, keys string
	Borg      *borg.Borg
	// Reserve is borg's additional_free_space for new repositories (e.g.
	// "2G"): borg refuses to fill the disk, so the coordinator can still
	// record the failure and the operator loses nothing.
	Reserve string

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// New uses DATA/repos and DATA/keys under dataDir.
func New(dataDir string, b *borg.Borg) *Repos {
	return &Repos{dir: filepath.Join(dataDir, "repos"), keys: filepath.Join(dataDir, "keys"), Borg: b, locks: map[string]*sync.Mutex{}}
}

// Dir holds the repositories.
func (r *Repos) Dir() string { return r.dir }

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Path is the repository of an agent.
func (r *Repos) Path(agent string) (string, error) {
	if !uuidRe.MatchString(agent) {
		return "", fmt.Errorf("agent id %q is not a UUID", agent)
	}
	return filepath.Join(r.dir, agent), nil
}

// Repo returns the local repository of an agent with its passphrase.
func (r *Repos) Repo(agent string) (borg.Repo, error) {
	path, err := r.Path(agent)
	if err != nil {
		return borg.Repo{}, err
	}
	pass, err := os.ReadFile(filepath.Join(r.keys, agent+".passphrase"))
	if err != nil {
		return borg.Repo{}, fmt.Errorf("passphrase of repository %s: %w", agent, err)
	}
	return borg.Repo{Location: path, Passphrase: string(pass)}, nil
}

// Ensure creates the agent's passphrase and repository if they do not exist.
func (r *Repos) Ensure(ctx context.Context, agent string) (borg.Repo, error) {
	lock := r.lock(agent)
	lock.Lock()
	defer lock.Unlock()
	path, err := r.Path(agent)
	if err != nil {
		return borg.Repo{}, err
	}
	passFile := filepath.Join(r.keys, agent+".passphrase")
	if _, err := os.Stat(passFile); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(path, "config")); err == nil {
			return borg.Repo{}, fmt.Errorf("repository %s exists but its passphrase file %s is missing; restore it from a backup", path, passFile)
		}
		raw := make([]byte, 32)
		rand.Read(raw)
		if err := os.MkdirAll(r.keys, 0o700); err != nil {
			return borg.Repo{}, err
		}
		if err := atomicfile.Write(passFile, []byte(base64.RawURLEncoding.EncodeToString(raw)), 0o600); err != nil {
			return borg.Repo{}, fmt.Errorf("write passphrase: %w", err)
		}
	}
	repo, err := r.Repo(agent)
	if err != nil {
		return borg.Repo{}, err
	}
	if _, err := os.Stat(filepath.Join(path, "config")); err == nil {
		return repo, nil
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return borg.Repo{}, err
	}
	if err := r.Borg.Init(ctx, repo); err != nil {
		return borg.Repo{}, fmt.Errorf("create repository for %s: %w", agent, err)
	}
	if r.Reserve != "" {
		if err := r.Borg.SetConfig(ctx, repo, "additional_free_space", r.Reserve); err != nil {
			return borg.Repo{}, fmt.Errorf("set the free space reserve of %s: %w", agent, err)
		}
	}
	return repo, nil
}

// Lock serialises maintenance (prune, compact, check) of one repository.
func (r *Repos) lock(agent string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.locks[agent]
	if !ok {
		l = &sync.Mutex{}
		r.locks[agent] = l
	}
	return l
}

// Locked runs fn while holding the repository's maintenance lock.
func (r *Repos) Locked(agent string, fn func() error) error {
	l := r.lock(agent)
	l.Lock()
	defer l.Unlock()
	return fn()
}
