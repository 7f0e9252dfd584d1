package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"borgdesk/backend/events"
	"borgdesk/backend/mounts"
	"borgdesk/backend/shared/borg"
)

func (s *Service) needMounts() error {
	if s.mounts == nil || s.repos == nil {
		return fmt.Errorf("%w: this coordinator does not mount archives", ErrUnavailable)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// mountDir is where a mount lands when the operator names no directory.
func (s *Service) mountDir(parts ...string) string {
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
	return s.layout.MountPoint(name)
}

// Mount mounts an archive of a server (the whole repository when archive
// is empty) read-only from the coordinator's own copy, with
// --bypass-lock so scheduled backups keep running.
func (s *Service) Mount(ctx context.Context, ref, archive, dir string) (mounts.Mount, error) {
	if err := s.needMounts(); err != nil {
		return mounts.Mount{}, err
	}
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return mounts.Mount{}, err
	}
	repo, err := s.readRepo(ctx, sv.UUID)
	if err != nil {
		return mounts.Mount{}, fmt.Errorf("%w: %s has no repository yet: run a backup first", ErrInvalid, sv.Name)
	}
	if dir == "" {
		dir = s.mountDir(sv.Name, archive)
		if archive == "" {
			dir = s.mountDir(sv.Name, "all")
		}
	}
	m, err := s.mounts.MountArchive(ctx, repo, sv.Name, archive, dir)
	if err != nil {
		return m, mountErr(err)
	}
	s.publish(ctx, events.MountChanged, sv.UUID, fmt.Sprintf("%s mounted at %s", m.Source, m.Dir), map[string]any{"dir": m.Dir, "mounted": true})
	return m, nil
}

// MountFlx mounts a .flx/.flxx snapshot read-only.
func (s *Service) MountFlx(ctx context.Context, path, dir string) (mounts.Mount, error) {
	if s.mounts == nil {
		return mounts.Mount{}, fmt.Errorf("%w: this coordinator does not mount snapshots", ErrUnavailable)
	}
	if _, err := os.Stat(path); err != nil {
		return mounts.Mount{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dir == "" {
		dir = s.mountDir("flx", filepath.Base(path))
	}
	m, err := s.mounts.MountFlx(ctx, path, dir)
	if err != nil {
		return m, mountErr(err)
	}
	s.publish(ctx, events.MountChanged, "", fmt.Sprintf("%s mounted at %s", path, m.Dir), map[string]any{"dir": m.Dir, "mounted": true})
	return m, nil
}

// Unmount unmounts a Borgdesk mount.
func (s *Service) Unmount(ctx context.Context, dir string) error {
	if s.mounts == nil {
		return fmt.Errorf("%w: this coordinator mounts nothing", ErrUnavailable)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.mounts.Unmount(ctx, abs); err != nil {
		return mountErr(err)
	}
	s.publish(ctx, events.MountChanged, "", fmt.Sprintf("%s unmounted", abs), map[string]any{"dir": abs, "mounted": false})
	return nil
}

// ListMounts lists the live mounts.
func (s *Service) ListMounts() []mounts.Mount {
	if s.mounts == nil {
		return []mounts.Mount{}
	}
	l := s.mounts.List()
	if l == nil {
		l = []mounts.Mount{}
	}
	return l
}

func mountErr(err error) error {
	switch {
	case errors.Is(err, mounts.ErrBusy), errors.Is(err, mounts.ErrInUse):
		return fmt.Errorf("%w: %v", ErrConflict, err)
	case errors.Is(err, mounts.ErrNotMounted), errors.Is(err, borg.ErrNoArchive):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case errors.Is(err, mounts.ErrNotDir), errors.Is(err, mounts.ErrNotEmpty):
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return err
}
