package mounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"borgdesk/backend/flxfs"
	"borgdesk/backend/shared/borg"
)

// MountArchive mounts an archive of repo (every archive when archive is
// "") on dir with `borg --bypass-lock mount`, so that a backup running on
// the repository does not stop it. borg serves the mount in the background
// until Unmount. server names the repository's server in listings.
func (m *Manager) MountArchive(ctx context.Context, repo borg.Repo, server, archive, dir string) (Mount, error) {
	source := repo.Location
	if archive != "" {
		source += "::" + archive
	}
	if m.borg == nil {
		return Mount{}, errors.New("mount an archive: this manager has no borg to run")
	}
	mt := Mount{Kind: KindArchive, Server: server, Archive: archive, Source: source}
	return m.mount(mt, dir, func(dir string) (*flxfs.Server, error) {
		if err := m.borg.Mount(ctx, repo, archive, dir); err != nil {
			return nil, fmt.Errorf("mount %s: %w", source, err)
		}
		return nil, nil
	})
}

// MountFlx mounts a .flx/.flxx snapshot on dir, served by this process
// until Unmount (or until it exits). A snapshot damaged part-way is
// mounted with a Warning that says what cannot be read.
func (m *Manager) MountFlx(ctx context.Context, path, dir string) (Mount, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Mount{}, err
	}
	mt := Mount{Kind: KindFlx, Source: abs}
	return m.mount(mt, dir, func(dir string) (*flxfs.Server, error) {
		return flxfs.Mount(path, dir, flxfs.Options{Log: m.log})
	})
}

// mount checks and claims the mount point, records the mount in the state
// file, then makes it with do (which returns the server of an in-process
// mount).
func (m *Manager) mount(mt Mount, dir string, do func(dir string) (*flxfs.Server, error)) (Mount, error) {
	if err := supported(); err != nil {
		return Mount{}, err
	}
	dir, err := absDir(dir)
	if err != nil {
		return Mount{}, err
	}
	if err := m.claim(dir); err != nil {
		return Mount{}, err
	}
	defer m.unclaim(dir)
	if err := m.checkFree(dir); err != nil {
		return Mount{}, err
	}
	created, err := prepareMountPoint(dir)
	if err != nil {
		return Mount{}, err
	}
	mt.Dir, mt.Since = dir, m.now().UTC()
	r := &record{Mount: mt, Created: created}
	m.mu.Lock()
	m.pending[dir] = r
	m.saveLocked() // before the mount exists, so that a crash cannot hide it
	m.mu.Unlock()

	srv, err := do(dir)
	m.mu.Lock()
	delete(m.pending, dir)
	if err == nil {
		r.srv = srv
		if srv != nil && srv.Damage() != nil {
			r.Warning = srv.Damage().Error()
		}
		m.live[dir] = r
	}
	m.saveLocked()
	m.mu.Unlock()
	if srv != nil {
		go m.forgetWhenGone(r)
	}
	if err != nil {
		if created {
			os.Remove(dir)
		}
		return Mount{}, err
	}
	m.log.Info("mounted", "kind", r.Kind, "source", r.Source, "dir", dir)
	return r.Mount, nil
}

// checkFree refuses a directory that Borgdesk or anything else has
// mounted something on.
func (m *Manager) checkFree(dir string) error {
	m.mu.Lock()
	r := m.live[dir]
	m.mu.Unlock()
	if r != nil {
		return fmt.Errorf("%s: Borgdesk already mounts %s there: %w; unmount it first or pick another directory", dir, r.Source, ErrInUse)
	}
	mi, ok, err := isMountPoint(dir)
	if err != nil {
		return fmt.Errorf("cannot tell whether %s is a mount point: %w", dir, err)
	}
	if ok {
		return fmt.Errorf("%s: %s is mounted there (%s): %w; unmount it first or pick another directory", dir, mi.Source, mi.FSType, ErrInUse)
	}
	return nil
}

// prepareMountPoint makes sure dir is an empty directory, creating it
// (and reporting so) when it does not exist.
func prepareMountPoint(dir string) (created bool, err error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("create the mount point: %w", err)
		}
		return true, nil
	case errors.Is(err, syscall.ENOTCONN):
		return false, fmt.Errorf("%s is a mount whose program has died: %w; unmount it with fusermount3 -u %s", dir, ErrInUse, dir)
	case err != nil:
		return false, err
	case !fi.IsDir():
		return false, fmt.Errorf("%s: %w; pick a directory to mount on", dir, ErrNotDir)
	}
	d, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer d.Close()
	if _, err := d.Readdirnames(1); err != io.EOF {
		if err != nil {
			return false, err
		}
		return false, fmt.Errorf("%s: %w, and a mount would hide its files; pick an empty directory", dir, ErrNotEmpty)
	}
	return false, nil
}

// forgetWhenGone drops an flx mount that was unmounted from outside.
func (m *Manager) forgetWhenGone(r *record) {
	r.srv.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.live[r.Dir] == r && !m.busy[r.Dir] {
		m.log.Info("mount gone (unmounted from outside Borgdesk)", "dir", r.Dir)
		delete(m.live, r.Dir)
		m.saveLocked()
	}
}
