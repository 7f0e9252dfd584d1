package mounts

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/flxfs"
	"borgdesk/backend/shared/tail"
)

// Unmount unmounts a mount Borgdesk made. While a process uses it, it
// stays mounted and the error (a *BusyError, matching ErrBusy) names the
// processes.
func (m *Manager) Unmount(ctx context.Context, dir string) error {
	r, err := m.find(dir)
	if err != nil {
		return err
	}
	if err := m.claim(r.Dir); err != nil {
		return err
	}
	defer m.unclaim(r.Dir)
	if err := m.unmount(ctx, r, false); err != nil {
		return err
	}
	m.forget(r)
	m.log.Info("unmounted", "dir", r.Dir)
	return nil
}

// find looks a directory up among the live mounts: as given, then
// resolved the way mount points are recorded.
func (m *Manager) find(dir string) (*record, error) {
	m.mu.Lock()
	r := m.live[filepath.Clean(dir)]
	m.mu.Unlock()
	if r != nil {
		return r, nil
	}
	abs, err := absDir(dir) // may touch a mount: not under m.mu
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.live[abs]; r != nil {
		return r, nil
	}
	if len(m.live) == 0 {
		return nil, fmt.Errorf("%s: %w (Borgdesk has nothing mounted); if you mounted it yourself, unmount it with fusermount3 -u", dir, ErrNotMounted)
	}
	dirs := slices.Sorted(maps.Keys(m.live))
	return nil, fmt.Errorf("%s: %w (Borgdesk mounts %s); if you mounted it yourself, unmount it with fusermount3 -u", dir, ErrNotMounted, strings.Join(dirs, ", "))
}

// unmount detaches r's file system; lazy detaches it even while in use
// (it goes once the last process lets go).
func (m *Manager) unmount(ctx context.Context, r *record, lazy bool) error {
	var err error
	if r.srv != nil && !lazy {
		err = r.srv.Unmount()
	} else {
		err = fuseUnmount(ctx, r.Dir, lazy)
	}
	_, still, merr := isMountPoint(r.Dir)
	if err == nil || (merr == nil && !still) {
		if r.Kind == KindArchive && !lazy { // after a lazy one, borg serves until the last process lets go
			waitBorgExit(r.Dir, 5*time.Second)
		}
		return nil
	}
	if who := holders(r.Dir); len(who) > 0 || strings.Contains(err.Error(), "busy") {
		return &BusyError{Dir: r.Dir, Holders: who}
	}
	return fmt.Errorf("unmount %s: %w", r.Dir, err)
}

// forget drops an unmounted record, and the directory if Borgdesk made it.
func (m *Manager) forget(r *record) {
	if r.Created {
		os.Remove(r.Dir) // only if empty, which an unmounted mount point is
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.live, r.Dir)
	m.saveLocked()
}

// UnmountAll unmounts every live mount, for shutdown: a busy one is
// detached lazily. Failures are logged.
func (m *Manager) UnmountAll(ctx context.Context) {
	m.mu.Lock()
	var recs []*record
	for _, r := range m.live {
		recs = append(recs, r)
	}
	m.mu.Unlock()
	for _, r := range recs {
		if err := m.claim(r.Dir); err != nil {
			m.log.Warn("not unmounted at shutdown", "dir", r.Dir, "err", err)
			continue
		}
		err := m.unmount(ctx, r, false)
		if errors.Is(err, ErrBusy) {
			m.log.Warn("mount busy at shutdown; detaching it lazily", "dir", r.Dir, "err", err)
			err = m.unmount(ctx, r, true)
		}
		if err != nil {
			m.log.Error("unmount at shutdown", "dir", r.Dir, "err", err)
		} else {
			m.forget(r)
		}
		m.unclaim(r.Dir)
	}
}

// CleanStale unmounts what the state file says a previous process mounted
// (lazily when busy) and forgets it; call it at start-up, before mounting.
// A directory where something else is mounted now is left alone. It
// returns the directories it unmounted; those it could not unmount stay
// recorded for the next call.
func (m *Manager) CleanStale(ctx context.Context) ([]string, error) {
	m.mu.Lock()
	stale, loadErr := m.stale, m.loadErr
	m.stale, m.loadErr = nil, nil
	m.mu.Unlock()
	table, err := mountTable()
	if err != nil {
		return nil, fmt.Errorf("clean stale mounts: %w", err)
	}
	var cleaned []string
	var failed []record // kept, for the next try
	errs := []error{loadErr}
	for _, r := range stale {
		mi, ok := table[r.Dir]
		switch {
		case !ok:
		case !isKind(mi, r.Kind):
			m.log.Warn("a stale mount's directory has another mount now; leaving it", "dir", r.Dir, "fstype", mi.FSType, "source", mi.Source)
			continue
		default:
			err := fuseUnmount(ctx, r.Dir, false)
			if err == nil && r.Kind == KindArchive {
				waitBorgExit(r.Dir, 5*time.Second)
			}
			if err != nil {
				m.log.Warn("stale mount busy; detaching it lazily", "dir", r.Dir, "err", err)
				err = fuseUnmount(ctx, r.Dir, true)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("unmount %s, left by a previous run: %w", r.Dir, err))
				failed = append(failed, r)
				continue
			}
			cleaned = append(cleaned, r.Dir)
			m.log.Info("unmounted a mount left by a previous run", "dir", r.Dir, "source", r.Source)
		}
		if r.Created {
			os.Remove(r.Dir)
		}
	}
	m.mu.Lock()
	m.stale = append(m.stale, failed...)
	m.saveLocked()
	m.mu.Unlock()
	return cleaned, errors.Join(errs...)
}

// isKind tells a mount Borgdesk made of that kind from anything else.
func isKind(mi mountInfo, kind string) bool {
	switch kind {
	case KindFlx:
		return mi.FSType == flxfs.FSType
	case KindArchive:
		return strings.HasPrefix(mi.FSType, "fuse") && mi.Source == "borgfs"
	}
	return false
}

// fuseUnmount runs fusermount3 -u (fusermount on older systems), which
// also works for an unprivileged user; -z detaches lazily.
func fuseUnmount(ctx context.Context, dir string, lazy bool) error {
	bin, err := exec.LookPath("fusermount3")
	if err != nil {
		bin, err = exec.LookPath("fusermount")
	}
	if err != nil {
		// No helper: only root can unmount, with the system call.
		return sysUnmount(dir, lazy)
	}
	args := []string{"-u"}
	if lazy {
		args = append(args, "-z")
	}
	out := tail.New(4096)
	cmd := exec.CommandContext(ctx, bin, append(args, "--", dir)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(bin), err, out)
	}
	return nil
}

// waitBorgExit waits until no `borg mount` serves dir any more, so that
// an unmount is over when it returns (borg leaves its cache in order).
func waitBorgExit(dir string, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && borgServes(dir) {
		time.Sleep(50 * time.Millisecond)
	}
}

// borgServes reports whether a live process runs `borg … mount … dir`.
func borgServes(dir string) bool {
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, c := range cmdlines {
		b, err := os.ReadFile(c)
		if err != nil || len(b) == 0 { // gone, or a zombie
			continue
		}
		args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		if len(args) > 2 && args[len(args)-1] == dir && isBorg(args) {
			return true
		}
	}
	return false
}

func isBorg(args []string) bool {
	hasBorg, hasMount := false, false
	for _, a := range args {
		hasBorg = hasBorg || filepath.Base(a) == "borg"
		hasMount = hasMount || a == "mount"
	}
	return hasBorg && hasMount
}
