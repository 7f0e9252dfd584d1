package mounts

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

var golden = filepath.Join("..", "shared", "flx", "testdata", "golden.flxx")

func TestFlxMount(t *testing.T) {
	needFuse(t)
	m, state := newManager(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	got, err := m.MountFlx(ctx, golden, dir)
	if err != nil {
		t.Fatal(err)
	}
	if abs, _ := filepath.Abs(golden); got.Kind != KindFlx || got.Source != abs || got.Warning != "" {
		t.Errorf("MountFlx = %+v", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "etc/app/b.txt")); err != nil || string(b) != "b\n" {
		t.Errorf("etc/app/b.txt = %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc/app/b.txt"), []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write: %v; want EROFS", err)
	}

	// Busy: this process holds a file open.
	f, err := os.Open(filepath.Join(dir, "etc/app/app.conf"))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Unmount(ctx, dir)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "(pid "+strconv.Itoa(os.Getpid())+")") {
		t.Errorf("Unmount with a file open = %v; want ErrBusy naming this process", err)
	}
	f.Close()

	if err := m.Unmount(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if isMounted(t, dir) || len(m.List()) != 0 || len(stateDirs(t, state)) != 0 {
		t.Error("mounted, listed or recorded after Unmount")
	}
	if err := m.Unmount(ctx, dir); !errors.Is(err, ErrNotMounted) {
		t.Errorf("second Unmount = %v; want ErrNotMounted", err)
	}
}

func TestDamagedFlxMountsWithAWarning(t *testing.T) {
	needFuse(t)
	m, _ := newManager(t, nil)
	b, _ := os.ReadFile(golden)
	bad := filepath.Join(t.TempDir(), "bad.flxx")
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"content": "Ygo="`, `"content": "Ywo="`, 1)), 0o644)
	dir := t.TempDir()
	got, err := m.MountFlx(context.Background(), bad, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Warning, "etc/app/b.txt") {
		t.Errorf("Warning = %q; want it to name etc/app/b.txt", got.Warning)
	}
	if _, err := os.ReadFile(filepath.Join(dir, "etc/app/b.txt")); !errors.Is(err, syscall.EIO) {
		t.Errorf("damaged file: %v; want EIO", err)
	}
}

func TestUnmountedFromOutsideIsForgotten(t *testing.T) {
	needFuse(t)
	m, state := newManager(t, nil)
	dir := t.TempDir()
	if _, err := m.MountFlx(context.Background(), golden, dir); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("fusermount3", "-u", dir).CombinedOutput(); err != nil {
		t.Fatalf("fusermount3: %v: %s", err, out)
	}
	waitFor(t, "the mount to be forgotten", func() bool { return len(m.List()) == 0 })
	if d := stateDirs(t, state); len(d) != 0 {
		t.Errorf("state file still has %v", d)
	}
}

func TestUnmountAllDetachesBusyMounts(t *testing.T) {
	needFuse(t)
	m, state := newManager(t, nil)
	idle, busy := t.TempDir(), t.TempDir()
	for _, dir := range []string{idle, busy} {
		if _, err := m.MountFlx(context.Background(), golden, dir); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(busy, "etc/app/b.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m.UnmountAll(context.Background())
	for _, dir := range []string{idle, busy} {
		if isMounted(t, dir) {
			t.Errorf("%s is still mounted", dir)
		}
	}
	if len(m.List()) != 0 || len(stateDirs(t, state)) != 0 {
		t.Error("listed or recorded after UnmountAll")
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "b\n" {
		t.Errorf("a file open across the lazy unmount reads %q, %v", b, err)
	}
}
