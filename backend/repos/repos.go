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
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"

	"borgdesk/backend/datadir"
	"borgdesk/backend/diskspace"
	"borgdesk/backend/shared/atomicfile"
	"borgdesk/backend/shared/borg"
)

// ErrCreating means a repository is still being made (or its making was
// cut short and the next backup will make it again): nothing may read it.
var ErrCreating = errors.New("repository is still being created")

// Repos is the coordinator's repository store.
type Repos struct {
	dir, keys string
	Borg      *borg.Borg
	// Reserve is borg's additional_free_space for new repositories (e.g.
	// "2G"): borg refuses to fill the disk, so the coordinator can still
	// record the failure and the operator loses nothing.
	Reserve string

	mu     sync.Mutex
	locks  map[string]*sync.Mutex
	passMu sync.Mutex // creating passphrases
}

// New uses DATA/repos and DATA/keys under dataDir.
func New(dataDir string, b *borg.Borg) *Repos {
	layout := datadir.At(dataDir)
	return &Repos{dir: layout.Repos(), keys: layout.Keys(), Borg: b, locks: map[string]*sync.Mutex{}}
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

// creatingMarker sits beside a repository while `borg init` makes it:
// borg writes the repository's config before its manifest, so a reader in
// between would meet "Repository has no manifest". A marker left by a
// process that died mid-init tells the next Ensure to start over.
func (r *Repos) creatingMarker(agent string) string {
	return filepath.Join(r.dir, "."+agent+datadir.CreatingSuffix)
}

// Repo returns the local repository of an agent with its passphrase, or
// ErrCreating while it is being made.
func (r *Repos) Repo(agent string) (borg.Repo, error) {
	repo, err := r.repo(agent)
	if err != nil {
		return borg.Repo{}, err
	}
	if _, err := os.Stat(r.creatingMarker(agent)); err == nil {
		return borg.Repo{}, fmt.Errorf("%w: the repository of %s is being made (borg init); try again in a moment", ErrCreating, agent)
	}
	return repo, nil
}

func (r *Repos) repo(agent string) (borg.Repo, error) {
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

// Passphrase returns the passphrase of an agent's repository wherever it
// lives, creating it (0600, DATA/keys) for a repository not made yet.
func (r *Repos) Passphrase(agent string) (string, error) {
	if !uuidRe.MatchString(agent) {
		return "", fmt.Errorf("agent id %q is not a UUID", agent)
	}
	// Not the repository's maintenance lock: callers hold that one while
	// they look the repository up.
	r.passMu.Lock()
	defer r.passMu.Unlock()
	passFile := filepath.Join(r.keys, agent+".passphrase")
	if _, err := os.Stat(passFile); errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 32)
		rand.Read(raw)
		if err := os.MkdirAll(r.keys, 0o700); err != nil {
			return "", err
		}
		if err := atomicfile.Write(passFile, []byte(base64.RawURLEncoding.EncodeToString(raw)), 0o600); err != nil {
			return "", fmt.Errorf("write passphrase: %w", err)
		}
	}
	pass, err := os.ReadFile(passFile)
	if err != nil {
		return "", fmt.Errorf("passphrase of repository %s: %w", agent, err)
	}
	return string(pass), nil
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
	}
	if _, err := r.Passphrase(agent); err != nil {
		return borg.Repo{}, err
	}
	repo, err := r.repo(agent)
	if err != nil {
		return borg.Repo{}, err
	}
	marker := r.creatingMarker(agent)
	if _, err := os.Stat(marker); err == nil {
		done, err := r.finishedInit(ctx, repo)
		if err != nil {
			return borg.Repo{}, err
		}
		if done {
			return repo, os.Remove(marker)
		}
	} else if _, err := os.Stat(filepath.Join(path, "config")); err == nil {
		return repo, nil
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return borg.Repo{}, err
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		return borg.Repo{}, fmt.Errorf("create repository for %s: %w", agent, err)
	}
	if err := r.Borg.Init(ctx, repo); err != nil {
		return borg.Repo{}, fmt.Errorf("create repository for %s: %w", agent, err)
	}
	if r.Reserve != "" {
		if err := r.Borg.SetConfig(ctx, repo, "additional_free_space", r.Reserve); err != nil {
			return borg.Repo{}, fmt.Errorf("set the free space reserve of %s: %w", agent, err)
		}
	}
	if err := os.Remove(marker); err != nil {
		return borg.Repo{}, fmt.Errorf("finish the repository of %s: %w", agent, err)
	}
	return repo, nil
}

// finishedInit decides about a repository whose creation marker was left
// behind: complete (it opens) → keep it; a few kilobytes that do not open →
// what a cut-short init leaves, removed so that init can run again;
// anything larger is never deleted.
func (r *Repos) finishedInit(ctx context.Context, repo borg.Repo) (bool, error) {
	if _, err := os.Stat(repo.Location); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if _, err := r.Borg.List(ctx, repo); err == nil {
		return true, nil
	}
	var size int64
	filepath.WalkDir(repo.Location, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	if size > 1<<20 {
		return false, fmt.Errorf("%w: %s was being created when Borgdesk stopped, does not open and holds %d bytes: check it with `borg check`, then remove %s",
			ErrCreating, repo.Location, size, filepath.Join(r.dir, "."+filepath.Base(repo.Location)+datadir.CreatingSuffix))
	}
	if err := os.RemoveAll(repo.Location); err != nil {
		return false, fmt.Errorf("remove the half-made repository %s: %w", repo.Location, err)
	}
	return false, nil
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

// Space is what a backup may still write into one repository.
type Space struct {
	Free     uint64 // free bytes on the disk holding the repositories
	Reserve  uint64 // bytes kept free for the coordinator itself
	Used     uint64 // bytes the repository's segments take now
	Headroom uint64 // bytes this backup may add
}

// ErrDiskFull means the disk holding the repositories has no room above
// the reserve: nothing more can be written until space is freed.
var ErrDiskFull = errors.New("the coordinator's disk is full")

// LimitToFreeSpace sets the repository's storage quota so that one backup,
// sharing the disk with share-1 others running at the same time, can add at
// most its part of the free space above the reserve. Borg checks the quota
// at every write (its additional_free_space only at commits), so a large
// backup stops cleanly instead of filling the disk under the database that
// must record its outcome.
func (r *Repos) LimitToFreeSpace(ctx context.Context, agent string, share int) (Space, error) {
	path, err := r.Path(agent)
	if err != nil {
		return Space{}, err
	}
	var sp Space
	if r.Reserve != "" {
		if sp.Reserve, err = humanize.ParseBytes(r.Reserve); err != nil {
			return Space{}, fmt.Errorf("repository reserve %q: %w", r.Reserve, err)
		}
	}
	if err := measure(path, &sp); err != nil {
		return sp, err
	}
	if sp.Free <= sp.Reserve {
		// A backup the quota stopped leaves its uncommitted segments
		// behind until the next write begins: free them, then look again.
		if repo, err := r.Repo(agent); err == nil && r.Borg.Reclaim(ctx, repo) == nil {
			if err := measure(path, &sp); err != nil {
				return sp, err
			}
		}
	}
	if sp.Free <= sp.Reserve {
		return sp, fmt.Errorf("%w: %s free on the disk of %s, below the %s kept free for the coordinator; free space there (or prune and compact old archives) and the job runs again",
			ErrDiskFull, humanize.Bytes(sp.Free), r.dir, humanize.Bytes(sp.Reserve))
	}
	sp.Headroom = (sp.Free - sp.Reserve) / uint64(max(share, 1))
	return sp, r.setConfig(path, "storage_quota", strconv.FormatUint(sp.Used+sp.Headroom, 10))
}

// measure reads the free space of the repository's disk and the size of
// its segments.
func measure(path string, sp *Space) error {
	u, err := diskspace.Of(path)
	if err != nil {
		return err
	}
	sp.Free, sp.Used = u.Avail, 0
	return filepath.WalkDir(filepath.Join(path, "data"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				sp.Used += uint64(fi.Size())
			}
		}
		return nil
	})
}

// setConfig changes one key of the repository's config file in place. The
// coordinator runs one operation per repository at a time, and borg reads
// the file when a client opens the repository.
func (r *Repos) setConfig(path, key, value string) error {
	file := filepath.Join(path, "config")
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("repository config: %w", err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	lines := strings.Split(string(raw), "\n")
	section, set := "", false
	for i, l := range lines {
		if strings.HasPrefix(l, "[") {
			if section == "[repository]" && !set {
				lines = slices.Insert(lines, i, key+" = "+value)
				set = true
				break
			}
			section = strings.TrimSpace(l)
			continue
		}
		if k, _, ok := strings.Cut(l, "="); ok && section == "[repository]" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") && strings.TrimSpace(k) == key {
			lines[i] = key + " = " + value
			set = true
			break
		}
	}
	if !set {
		if section != "[repository]" {
			return fmt.Errorf("repository config %s has no [repository] section", file)
		}
		lines = append(lines, key+" = "+value)
	}
	return atomicfile.Write(file, []byte(strings.Join(lines, "\n")), fi.Mode().Perm())
}

// ReserveBytes is the reserve in bytes (0 when none or unreadable).
func (r *Repos) ReserveBytes() int64 {
	if r.Reserve == "" {
		return 0
	}
	n, err := humanize.ParseBytes(r.Reserve)
	if err != nil {
		return 0
	}
	return int64(n)
}

// ExportKey returns `borg key export` of the agent's repository, for the
// recovery kit.
func (r *Repos) ExportKey(ctx context.Context, agent string) ([]byte, error) {
	repo, err := r.Repo(agent)
	if err != nil {
		return nil, err
	}
	return r.Borg.KeyExport(ctx, repo)
}
