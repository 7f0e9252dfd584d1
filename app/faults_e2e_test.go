//go:build linux

package app

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// runsOf returns the runs of a job, newest first.
func (f *fleet) runsOf(job string) []map[string]any {
	f.t.Helper()
	var runs []map[string]any
	f.mustJSON(&runs, "job", "runs", job)
	return runs
}

// runWait runs a job now, waits for it and returns the run, failed or not.
func (f *fleet) runWait(job string) map[string]any {
	f.t.Helper()
	r := f.cli("job", "run", job, "--wait", "--json")
	var run map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &run); err != nil {
		f.t.Fatalf("job run %s --wait: %v: %+v", job, err, r)
	}
	if (r.code == 0) != (run["status"] == "succeeded" || run["status"] == "warning") {
		f.t.Errorf("job run --wait exited %d for a %v run", r.code, run["status"])
	}
	return run
}

// waitRepo waits until the coordinator has created the repository of uuid.
func (f *fleet) waitRepo(uuid string) string {
	f.t.Helper()
	repo := filepath.Join(f.data, "repos", uuid)
	// Made: borg wrote its config, and the coordinator's marker for a
	// creation in progress is gone (borg writes the manifest after the config).
	waitFor(f.t, 60*time.Second, "the repository to be created", func() bool {
		_, err := os.Stat(filepath.Join(repo, "config"))
		_, creating := os.Stat(filepath.Join(f.data, "repos", "."+uuid+".creating"))
		return err == nil && os.IsNotExist(creating)
	})
	return repo
}

// A repository locked by something else on the coordinator (a check, a
// mount) makes a backup wait --lock-wait, then fail with a sentence that
// says so; the retry succeeds once the lock is gone, and the lock holder is
// never disturbed.
func TestLockedRepositoryFailsClearlyAndIsRetried(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleetWith(t, "--retry-delay", "1s", "--lock-wait", "2s")
	cfg := f.enroll("web1")
	f.run(cfg)
	uuid := f.uuid("web1")
	repo := f.waitRepo(uuid)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 10)

	// borg with-lock holds the repository's exclusive lock until its
	// command ends: here, until the test closes the command's stdin.
	pass, _ := os.ReadFile(filepath.Join(f.data, "keys", uuid+".passphrase"))
	holder := exec.Command("borg", "with-lock", repo, "/bin/sh", "-c", "cat >/dev/null")
	holder.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir())
	release, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release.Close(); holder.Process.Kill(); holder.Wait() })
	waitFor(t, 20*time.Second, "borg with-lock to hold the lock", func() bool {
		_, err := os.Stat(filepath.Join(repo, "lock.exclusive"))
		return err == nil
	})

	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "files", "--paths", src)
	first := f.runWait("files")
	if first["status"] != "failed" || !strings.Contains(first["error"].(string), "another borg process") {
		t.Fatalf("first run while the repository is locked: %v; want failed, saying another borg process holds the lock", first)
	}
	release.Close()
	if err := holder.Wait(); err != nil {
		t.Fatalf("the lock holder was disturbed: %v", err)
	}
	var ok map[string]any
	waitFor(t, 60*time.Second, "the retry to succeed", func() bool {
		for _, r := range f.runsOf("files") {
			if r["trigger"] == "retry" && r["status"] == "succeeded" {
				ok = r
				return true
			}
		}
		return false
	})
	if ok["attempt"].(float64) != 2 {
		t.Errorf("the successful run is attempt %v, want 2", ok["attempt"])
	}
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	if len(archives) != 1 {
		t.Errorf("archives after the retry: %v, want exactly one", archives)
	}
}

// needRoot fails a test that needs root (to mount) unless the person
// running it opts out (testenv.OptOut).
func needRoot(t *testing.T, why string) {
	t.Helper()
	testenv.NeedRoot(t, why)
}

// A coordinator whose disk is nearly full: a backup larger than the room
// left stops before the disk fills, the run records a sentence that says
// what to do, the database and the earlier archives are intact, and a
// backup that fits still works. Below the reserve, runs do not start.
func TestCoordinatorDiskFull(t *testing.T) {
	needBorgBinary(t)
	needRoot(t, "mount a small tmpfs as the coordinator's disk")
	disk, err := os.MkdirTemp("", "borgdesk-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", disk).Run(); os.RemoveAll(disk) })
	data := filepath.Join(disk, "data")

	f := startFleetWith(t, "--data", data, "--repo-reserve", "16M", "--retry-delay", "1h")
	cfg := f.enroll("web1")
	f.run(cfg)
	f.waitRepo(f.uuid("web1"))

	small := filepath.Join(t.TempDir(), "small")
	generateTree(t, small, 10)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "small", "--paths", small)
	run := f.runWait("small")
	if run["status"] != "succeeded" {
		t.Fatalf("small backup: %v", run)
	}

	// 120 MiB that does not compress, on a 96 MiB disk.
	big := filepath.Join(t.TempDir(), "big")
	os.MkdirAll(big, 0o755)
	for i := 0; i < 120; i++ {
		buf := make([]byte, 1<<20)
		rand.Read(buf)
		os.WriteFile(filepath.Join(big, fmt.Sprintf("b%03d", i)), buf, 0o644)
	}
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "big", "--paths", big, "--compression", "none")
	run = f.runWait("big")
	if run["status"] != "failed" || !strings.Contains(run["error"].(string), "storage quota") || !strings.Contains(run["error"].(string), "free space") {
		t.Fatalf("big backup on a nearly full disk: %v; want failed, saying the quota stopped it and to free space", run)
	}
	var st syscall.Statfs_t
	syscall.Statfs(disk, &st)
	if free := st.Bavail * uint64(st.Bsize); free < 8<<20 {
		t.Errorf("only %d bytes left free on the coordinator's disk; the reserve is 16M", free)
	}
	// The first archive is intact and a backup that fits still runs.
	run = f.runWait("small")
	if run["status"] != "succeeded" {
		t.Fatalf("small backup after the failed big one: %v", run)
	}
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	if len(archives) != 2 {
		t.Fatalf("archives: %v, want the two small ones", archives)
	}
	uuid := f.uuid("web1")
	if out, err := f.borgLocal(uuid, "check", filepath.Join(data, "repos", uuid)); err != nil {
		t.Fatalf("borg check after the full-disk failure: %v\n%s", err, out)
	}

	// Below the reserve, nothing is handed to the agent: the run fails at
	// once and the operator is told.
	syscall.Statfs(disk, &st)
	fill := int64(st.Bavail*uint64(st.Bsize)) - 8<<20
	if err := os.WriteFile(filepath.Join(disk, "filler"), make([]byte, fill), 0o600); err != nil {
		t.Fatal(err)
	}
	run = f.runWait("small")
	if run["status"] != "failed" || !strings.Contains(run["error"].(string), "disk is full") || run["task_id"].(float64) != 0 {
		t.Fatalf("run below the reserve: %v; want failed before any task, saying the disk is full", run)
	}
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "20")
	notified := false
	for _, ev := range evs {
		notified = notified || (ev["kind"] == "notification" && strings.Contains(ev["message"].(string), "disk is full"))
	}
	if !notified {
		t.Errorf("no notification about the full disk in %v", evs)
	}
}
