package mounts

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/flxfs"
)

func TestCleanStaleAfterACrash(t *testing.T) {
	f := repoFixture(t)
	ctx := context.Background()
	idle, busy, gone, other := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	// What a crashed process left: two borg mounts (one with a process in
	// it), a record of a mount that has gone since, and one whose
	// directory now has a mount that is not Borgdesk's.
	for _, dir := range []string{idle, busy} {
		if err := f.borg.Mount(ctx, f.repo, "a1", dir); err != nil {
			t.Fatal(err)
		}
	}
	sleepIn(t, archivePath(busy, f.src))
	foreign, err := flxfs.Mount(golden, other, flxfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Unmount()
	var recs []record
	for _, dir := range []string{idle, busy, gone, other} {
		recs = append(recs, record{Mount: Mount{Dir: dir, Kind: KindArchive, Source: f.repo.Location + "::a1", Since: time.Now()}})
	}
	state := filepath.Join(t.TempDir(), "mounts.json")
	if err := saveState(state, recs); err != nil {
		t.Fatal(err)
	}

	m := New(state, f.borg, nil)
	if l := m.List(); len(l) != 0 {
		t.Errorf("List before CleanStale = %+v; stale mounts are not live", l)
	}
	cleaned, err := m.CleanStale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cleaned)
	want := []string{idle, busy}
	slices.Sort(want)
	if !slices.Equal(cleaned, want) {
		t.Errorf("CleanStale = %v; want %v", cleaned, want)
	}
	for _, dir := range want {
		if isMounted(t, dir) {
			t.Errorf("%s is still mounted", dir)
		}
	}
	if !isMounted(t, other) {
		t.Error("CleanStale unmounted a mount that was not Borgdesk's")
	}
	if d := stateDirs(t, state); len(d) != 0 {
		t.Errorf("state file after CleanStale has %v", d)
	}
	waitFor(t, "borg to exit", func() bool { return !borgServes(idle) })
}

func TestDamagedStateFileIsReported(t *testing.T) {
	state := filepath.Join(t.TempDir(), "mounts.json")
	os.WriteFile(state, []byte("{not json"), 0o600)
	m := New(state, nil, nil)
	if _, err := m.CleanStale(context.Background()); err == nil {
		t.Error("CleanStale said nothing about a damaged state file")
	}
}

// crashingFlxMount runs in a child test process: it mounts the golden
// snapshot on dir, says so, and waits to be killed.
func crashingFlxMount(dir string) {
	if _, err := flxfs.Mount(golden, dir, flxfs.Options{}); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("mounted")
	select {}
}

func TestCleanStaleFlxMountOfAKilledProcess(t *testing.T) {
	needFuse(t)
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "MOUNTS_TEST_FLX_CRASH="+dir)
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "mounted\n" {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("the child did not mount: %q", line)
	}
	child.Process.Kill()
	child.Wait()
	if _, err := os.Stat(dir); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("stat of a killed FUSE server's mount: %v; want ENOTCONN", err)
	}
	state := filepath.Join(t.TempDir(), "mounts.json")
	saveState(state, []record{{Mount: Mount{Dir: dir, Kind: KindFlx, Source: golden, Since: time.Now()}}})

	m := New(state, nil, nil)
	if _, err := m.MountFlx(context.Background(), golden, dir); !errors.Is(err, ErrInUse) {
		t.Errorf("mount on the dead mount: %v; want ErrInUse", err)
	}
	cleaned, err := m.CleanStale(context.Background())
	if err != nil || !slices.Equal(cleaned, []string{dir}) {
		t.Fatalf("CleanStale = %v, %v; want [%s]", cleaned, err, dir)
	}
	if isMounted(t, dir) {
		t.Error("still mounted")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the mount point after cleaning: %v", err)
	}
}
