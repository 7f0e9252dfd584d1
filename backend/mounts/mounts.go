// Package mounts mounts archives (through `borg mount`) and .flx snapshots
// (through flxfs, in process) so that the operator can browse them, and
// keeps track of them: a state file records every live mount before it is
// made, so that mounts a crashed process left behind are found and
// unmounted at the next start.
//
// It never mounts over a directory that is in use or has files in it, and
// never unmounts anything Borgdesk did not mount.
package mounts

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/flxfs"
	"borgdesk/backend/shared/borg"
)

// Kinds of mount.
const (
	KindArchive = "archive" // borg mount of an archive or a whole repository
	KindFlx     = "flx"     // a .flx/.flxx snapshot through flxfs
)

// Mount is one file system Borgdesk mounted.
type Mount struct {
	Dir     string `json:"dir"`
	Kind    string `json:"kind"` // KindArchive or KindFlx
	Server  string `json:"server,omitempty"`
	Archive string `json:"archive,omitempty"`
	// Source is the repository location (with ::archive) or the snapshot's path.
	Source string    `json:"source"`
	Since  time.Time `json:"since" ts_type:"string"`
	// Warning says what is wrong with a damaged snapshot that was mounted
	// all the same (the damaged file reads as an I/O error).
	Warning string `json:"warning,omitempty"`
}

// Errors a caller can tell apart with errors.Is; the messages say what to do.
var (
	ErrInUse         = errors.New("the directory is already a mount point (in use)")
	ErrNotDir        = errors.New("the mount point is not a directory")
	ErrNotEmpty      = errors.New("the mount point is not empty")
	ErrNotMounted    = errors.New("not a Borgdesk mount")
	ErrBusy          = errors.New("the mount is in use")
	ErrNoFileManager = errors.New("no program to open a file manager with (xdg-open or gio) is installed")
)

// record is a mount as the state file keeps it.
type record struct {
	Mount
	// Created: Borgdesk made the directory, and removes it at unmount.
	Created bool `json:"created,omitempty"`
	srv     *flxfs.Server
}

// Manager mounts, lists and unmounts. Its methods are safe for concurrent use.
type Manager struct {
	stateFile string
	borg      *borg.Borg
	log       *slog.Logger
	now       func() time.Time

	mu      sync.Mutex
	live    map[string]*record // by directory
	pending map[string]*record // being mounted: in the state file, not listed
	busy    map[string]bool    // being mounted or unmounted
	stale   []record           // left by a previous process, until CleanStale
	loadErr error
}

// New returns a manager that keeps its state in stateFile. Mounts recorded
// there by a previous process are left alone until CleanStale.
func New(stateFile string, b *borg.Borg, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{stateFile: stateFile, borg: b, log: log, now: time.Now,
		live: map[string]*record{}, pending: map[string]*record{}, busy: map[string]bool{}}
	m.stale, m.loadErr = loadState(stateFile)
	if m.loadErr != nil {
		log.Error("mount state unreadable", "file", stateFile, "err", m.loadErr)
	}
	return m
}

// List returns the live mounts, oldest first. Mounts unmounted from
// outside Borgdesk (fusermount3 -u) are forgotten.
func (m *Manager) List() []Mount {
	table, err := mountTable()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Mount
	changed := false
	for dir, r := range m.live {
		if _, ok := table[dir]; err == nil && !ok && !m.busy[dir] {
			m.log.Info("mount gone (unmounted from outside Borgdesk)", "dir", dir)
			delete(m.live, dir)
			changed = true
			continue
		}
		out = append(out, r.Mount)
	}
	if changed {
		m.saveLocked()
	}
	slices.SortFunc(out, func(a, b Mount) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	return out
}

// claim marks dir as being worked on, so that two calls never mount or
// unmount the same directory at once.
func (m *Manager) claim(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy[dir] {
		return fmt.Errorf("%s is being mounted or unmounted right now: %w; try again in a moment", dir, ErrInUse)
	}
	m.busy[dir] = true
	return nil
}

func (m *Manager) unclaim(dir string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.busy, dir)
}

// saveLocked writes the state file (m.mu held); a failure is logged, as
// the mount it records exists either way.
func (m *Manager) saveLocked() {
	recs := slices.Clone(m.stale)
	for _, set := range []map[string]*record{m.live, m.pending} {
		for _, r := range set {
			recs = append(recs, *r)
		}
	}
	if err := saveState(m.stateFile, recs); err != nil {
		m.log.Error("cannot write the mount state", "file", m.stateFile, "err", err)
	}
}

// absDir cleans a mount point into the absolute path mountinfo shows.
func absDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no mount point given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}
