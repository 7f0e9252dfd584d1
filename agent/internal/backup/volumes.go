package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// dockerVolumes backs up the named volumes and bind mounts of containers,
// stopping each container around the backup when asked (and always
// starting it again).
func dockerVolumes(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec.Docker
	if s == nil || len(s.Containers) == 0 {
		return agentapi.BackupResult{}, errors.New("a docker job names at least one container")
	}
	if err := docker.Installed(); err != nil {
		return agentapi.BackupResult{}, err
	}
	out, err := docker.Run(ctx, append([]string{"inspect", "--format", "{{json .Mounts}}"}, s.Containers...)...)
	if err != nil {
		return agentapi.BackupResult{}, err
	}
	var paths []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var mounts []struct{ Source string }
		if err := json.Unmarshal([]byte(line), &mounts); err != nil {
			return agentapi.BackupResult{}, fmt.Errorf("docker inspect: %w", err)
		}
		for _, m := range mounts {
			if m.Source != "" {
				paths = append(paths, m.Source)
			}
		}
	}
	if len(paths) == 0 {
		return agentapi.BackupResult{}, fmt.Errorf("containers %s have no volumes or bind mounts", strings.Join(s.Containers, ", "))
	}
	if s.StopDuring {
		// Only running containers are stopped, and only those are started
		// again: a container the operator had stopped stays stopped.
		out, err := docker.Run(ctx, append([]string{"inspect", "--format", "{{.State.Running}}"}, s.Containers...)...)
		if err != nil {
			return agentapi.BackupResult{}, err
		}
		running := strings.Fields(string(out))
		for i, c := range s.Containers {
			if i >= len(running) || running[i] != "true" {
				env.Log("container %s is not running; left as it is", c)
				continue
			}
			if _, err := docker.Run(ctx, "stop", c); err != nil {
				return agentapi.BackupResult{}, err
			}
			env.Log("stopped container %s", c)
			defer func() {
				start := context.WithoutCancel(ctx)
				if _, err := docker.Run(start, "start", c); err != nil {
					env.Log("could not start container %s again: %v", c, err)
				} else {
					env.Log("started container %s", c)
				}
			}()
		}
	}
	return create(ctx, env, repo, borg.CreateOptions{Archive: p.Archive, Paths: paths, Excludes: p.Spec.Excludes, Compression: p.Spec.Compression})
}

// lvmSnapshot snapshots a logical volume, mounts the snapshot read-only,
// backs it up and removes the snapshot, whatever happens in between.
func lvmSnapshot(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec.LVM
	if s == nil || s.VolumeGroup == "" || s.Volume == "" {
		return agentapi.BackupResult{}, errors.New("an LVM job names a volume group and a volume")
	}
	size := s.SnapshotSize
	if size == "" {
		size = "1G"
	}
	snap := s.Volume + "-borgdesk-" + time.Now().UTC().Format("20060102T150405")
	if _, err := lvcreate.Run(ctx, "--snapshot", "--name", snap, "--size", size, s.VolumeGroup+"/"+s.Volume); err != nil {
		return agentapi.BackupResult{}, fmt.Errorf("snapshot of %s/%s: %w", s.VolumeGroup, s.Volume, err)
	}
	cleanup := context.WithoutCancel(ctx)
	defer func() {
		if _, err := lvremove.Run(cleanup, "--force", s.VolumeGroup+"/"+snap); err != nil {
			env.Log("could not remove snapshot %s/%s: %v (remove it by hand)", s.VolumeGroup, snap, err)
		} else {
			env.Log("removed snapshot %s/%s", s.VolumeGroup, snap)
		}
	}()
	// A stable mount point keeps paths (and borg's files cache) the same
	// from one run to the next.
	mnt := filepath.Join("/run/borgdesk/lvm", s.VolumeGroup+"-"+s.Volume)
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		return agentapi.BackupResult{}, err
	}
	dev := filepath.Join("/dev", s.VolumeGroup, snap)
	if _, err := mount.Run(ctx, "-o", "ro", dev, mnt); err != nil {
		// XFS refuses a second mount of the same UUID without nouuid.
		if _, err2 := mount.Run(ctx, "-o", "ro,nouuid", dev, mnt); err2 != nil {
			return agentapi.BackupResult{}, fmt.Errorf("mount the snapshot %s read-only: %v; and with nouuid: %w", dev, err, err2)
		}
	}
	defer func() {
		if _, err := umount.Run(cleanup, mnt); err != nil {
			env.Log("could not unmount the snapshot at %s: %v (unmount it by hand)", mnt, err)
		}
	}()
	paths := []string{mnt}
	if len(s.Paths) > 0 {
		paths = nil
		for _, rel := range s.Paths {
			paths = append(paths, filepath.Join(mnt, filepath.Clean("/"+rel)))
		}
	}
	return create(ctx, env, repo, borg.CreateOptions{Archive: p.Archive, Paths: paths, Excludes: p.Spec.Excludes, Compression: p.Spec.Compression, OneFileSystem: true})
}
