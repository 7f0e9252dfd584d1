//go:build linux

package mounts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"borgdesk/backend/shared/borg"
)

func TestArchiveMountReadsBackAndUnmounts(t *testing.T) {
	f := repoFixture(t)
	m, state := newManager(t, f.borg)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "mnt") // missing: created, and removed at unmount

	got, err := m.MountArchive(ctx, f.repo, "web1", "a1", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != KindArchive || got.Dir != dir || got.Server != "web1" || got.Source != f.repo.Location+"::a1" || got.Since.IsZero() {
		t.Errorf("MountArchive = %+v", got)
	}
	sameTree(t, f.src, archivePath(dir, f.src))
	if l := m.List(); len(l) != 1 || l[0] != got {
		t.Errorf("List = %+v; want [%+v]", l, got)
	}
	if d := stateDirs(t, state); !slices.Equal(d, []string{dir}) {
		t.Errorf("state file has %v; want [%s]", d, dir)
	}
	if data, _ := os.ReadFile(state); strings.Contains(string(data), f.repo.Passphrase) {
		t.Error("the state file holds the passphrase")
	}

	if err := m.Unmount(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if isMounted(t, dir) {
		t.Error("still in /proc/self/mountinfo after Unmount")
	}
	if borgServes(dir) {
		t.Error("borg still runs after Unmount")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the mount point Borgdesk created is still there: %v", err)
	}
	if l := m.List(); len(l) != 0 {
		t.Errorf("List after Unmount = %+v", l)
	}
	if d := stateDirs(t, state); len(d) != 0 {
		t.Errorf("state file after Unmount has %v", d)
	}
}

func TestWholeRepositoryMountWhileABackupHoldsTheLock(t *testing.T) {
	f := repoFixture(t)
	m, _ := newManager(t, f.borg)
	// A running backup holds the repository's lock; this stands in for it.
	hold := exec.Command("borg", "with-lock", f.repo.Location, "sleep", "60")
	hold.Env = append(os.Environ(), "BORG_PASSPHRASE="+f.repo.Passphrase, "BORG_BASE_DIR="+f.borg.BaseDir)
	hold.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that sleep goes with borg
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-hold.Process.Pid, syscall.SIGKILL); hold.Wait() }()
	waitFor(t, "borg with-lock to take the lock", func() bool {
		_, err := os.Stat(filepath.Join(f.repo.Location, "lock.exclusive"))
		return err == nil
	})

	dir := t.TempDir()
	if _, err := m.MountArchive(context.Background(), f.repo, "web1", "", dir); err != nil {
		t.Fatalf("mount while the repository is locked: %v", err)
	}
	sameTree(t, f.src, archivePath(filepath.Join(dir, "a1"), f.src))
	if err := m.Unmount(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
}

func TestBadMountRequests(t *testing.T) {
	f := repoFixture(t)
	m, state := newManager(t, f.borg)
	ctx := context.Background()
	inUse := t.TempDir()
	if _, err := m.MountFlx(ctx, golden, inUse); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("x"), 0o644)

	for _, tc := range []struct {
		name, archive, dir string
		want               error
		says               string
	}{
		{"a Borgdesk mount", "a1", inUse, ErrInUse, "already mounts"},
		{"not a directory", "a1", file, ErrNotDir, "pick a directory"},
		{"not empty", "a1", full, ErrNotEmpty, "pick an empty directory"},
		{"no such archive", "nope", t.TempDir(), borg.ErrNoArchive, "list the archives"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.MountArchive(ctx, f.repo, "web1", tc.archive, tc.dir)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %v; want %v saying %q", err, tc.want, tc.says)
			}
			if tc.dir != inUse && isMounted(t, tc.dir) {
				t.Error("mounted all the same")
			}
		})
	}
	if d := stateDirs(t, state); !slices.Equal(d, []string{inUse}) {
		t.Errorf("state file has %v; want only [%s]", d, inUse)
	}

	// Mounted by something else than this manager.
	other, _ := newManager(t, f.borg)
	if _, err := other.MountFlx(ctx, golden, inUse); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "fuse.flx") {
		t.Errorf("mount on another's mount point: %v; want ErrInUse naming it", err)
	}
	if err := other.Unmount(ctx, inUse); !errors.Is(err, ErrNotMounted) || !strings.Contains(err.Error(), "fusermount3 -u") {
		t.Errorf("unmount of another's mount: %v; want ErrNotMounted", err)
	}
	if !isMounted(t, inUse) {
		t.Error("another manager's Unmount unmounted it")
	}
}

func TestBusyUnmountNamesTheProcess(t *testing.T) {
	f := repoFixture(t)
	m, _ := newManager(t, f.borg)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := m.MountArchive(ctx, f.repo, "web1", "a1", dir); err != nil {
		t.Fatal(err)
	}
	sleep := sleepIn(t, archivePath(dir, f.src))

	err := m.Unmount(ctx, dir)
	var busy *BusyError
	if !errors.Is(err, ErrBusy) || !errors.As(err, &busy) {
		t.Fatalf("Unmount = %v; want ErrBusy", err)
	}
	want := fmt.Sprintf("sleep (pid %d)", sleep.Process.Pid)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "close it and try again") {
		t.Errorf("error %q does not name %s or say what to do", err, want)
	}
	if !isMounted(t, dir) || len(m.List()) != 1 {
		t.Error("a busy mount was unmounted or forgotten")
	}

	sleep.Process.Kill()
	sleep.Wait()
	if err := m.Unmount(ctx, dir); err != nil {
		t.Fatalf("Unmount once the process is gone: %v", err)
	}
	if isMounted(t, dir) {
		t.Error("still mounted")
	}
}
