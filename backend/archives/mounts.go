package archives

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/mounts"
	"borgdesk/backend/shared/borg"
)

func (a *Archives) needMounts() error {
	if a.mounts == nil || a.repos == nil {
		return fmt.Errorf("%w: this coordinator does not mount archives", fault.ErrUnavailable)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// mountDir is where a mount lands when the operator names no directory.
func (a *Archives) mountDir(parts ...string) string {
	name := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if name != "" {
			name += "-"
		}
		name += unsafeName.ReplaceAllString(p, "_")
	}
	return a.layout.MountPoint(name)
}

// Mount mounts an archive of a server (the whole repository when archive
// is empty) read-only from the coordinator's own copy, with
// --bypass-lock so scheduled backups keep running.
func (a *Archives) Mount(ctx context.Context, ref, archive, dir string) (mounts.Mount, error) {
	if err := a.needMounts(); err != nil {
		return mounts.Mount{}, err
	}
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return mounts.Mount{}, err
	}
	repo, err := a.readRepo(ctx, sv.UUID)
	if err != nil {
		return mounts.Mount{}, fmt.Errorf("%w: %s has no repository yet: run a backup first", fault.ErrInvalid, sv.Name)
	}
	if dir == "" {
		dir = a.mountDir(sv.Name, archive)
		if archive == "" {
			dir = a.mountDir(sv.Name, "all")
		}
	}
	m, err := a.mounts.MountArchive(ctx, repo, sv.Name, archive, dir)
	if err != nil {
		return m, mountErr(err)
	}
	a.events.Publish(ctx, events.MountChanged, sv.UUID, fmt.Sprintf("%s mounted at %s", m.Source, m.Dir), map[string]any{"dir": m.Dir, "mounted": true})
	return m, nil
}

// MountFlx mounts a .flx/.flxx snapshot read-only.
func (a *Archives) MountFlx(ctx context.Context, path, dir string) (mounts.Mount, error) {
	if a.mounts == nil {
		return mounts.Mount{}, fmt.Errorf("%w: this coordinator does not mount snapshots", fault.ErrUnavailable)
	}
	if _, err := os.Stat(path); err != nil {
		return mounts.Mount{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	if dir == "" {
		dir = a.mountDir("flx", filepath.Base(path))
	}
	m, err := a.mounts.MountFlx(ctx, path, dir)
	if err != nil {
		return m, mountErr(err)
	}
	a.events.Publish(ctx, events.MountChanged, "", fmt.Sprintf("%s mounted at %s", path, m.Dir), map[string]any{"dir": m.Dir, "mounted": true})
	return m, nil
}

// Unmount unmounts a Borgdesk mount.
func (a *Archives) Unmount(ctx context.Context, dir string) error {
	if a.mounts == nil {
		return fmt.Errorf("%w: this coordinator mounts nothing", fault.ErrUnavailable)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	if err := a.mounts.Unmount(ctx, abs); err != nil {
		return mountErr(err)
	}
	a.events.Publish(ctx, events.MountChanged, "", fmt.Sprintf("%s unmounted", abs), map[string]any{"dir": abs, "mounted": false})
	return nil
}

// ListMounts lists the live mounts.
func (a *Archives) ListMounts() []mounts.Mount {
	if a.mounts == nil {
		return []mounts.Mount{}
	}
	l := a.mounts.List()
	if l == nil {
		l = []mounts.Mount{}
	}
	return l
}

func mountErr(err error) error {
	switch {
	case errors.Is(err, mounts.ErrBusy), errors.Is(err, mounts.ErrInUse):
		return fmt.Errorf("%w: %v", fault.ErrConflict, err)
	case errors.Is(err, mounts.ErrNotMounted), errors.Is(err, borg.ErrNoArchive):
		return fmt.Errorf("%w: %v", fault.ErrNotFound, err)
	case errors.Is(err, mounts.ErrNotDir), errors.Is(err, mounts.ErrNotEmpty):
		return fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	return err
}
