package repos

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
)

func needBorg(t *testing.T) {
	t.Helper()
	testenv.NeedCommands(t, "borg")
}

func borgConfig(t *testing.T, r *Repos, agent, key string) string {
	t.Helper()
	repo, err := r.Repo(agent)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("borg", "config", repo.Location, key)
	cmd.Env = append(os.Environ(), "BORG_PASSPHRASE="+repo.Passphrase, "BORG_BASE_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("borg config %s: %v %s", key, err, out)
	}
	return strings.TrimSpace(string(out))
}

// The quota the coordinator writes is the one borg reads, and the rest of
// the config (the repository key among it) is untouched.
func TestLimitToFreeSpaceSetsBorgsQuota(t *testing.T) {
	needBorg(t)
	ctx := context.Background()
	data := t.TempDir()
	r := New(data, &borg.Borg{BaseDir: filepath.Join(data, "borg")})
	r.Reserve = "1M"
	const agent = "0b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10"
	repo, err := r.Ensure(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(repo.Location, "config"))
	sp, err := r.LimitToFreeSpace(ctx, agent, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Used == 0 || sp.Headroom == 0 || sp.Headroom > (sp.Free-sp.Reserve)/2 {
		t.Fatalf("space %+v: want used > 0 and headroom half the free space above the reserve", sp)
	}
	got, err := strconv.ParseUint(borgConfig(t, r, agent, "storage_quota"), 10, 64)
	if err != nil || got != sp.Used+sp.Headroom {
		t.Fatalf("borg reads storage_quota %d (%v), want %d", got, err, sp.Used+sp.Headroom)
	}
	if borgConfig(t, r, agent, "additional_free_space") != "1M" {
		t.Error("additional_free_space changed")
	}
	after, _ := os.ReadFile(filepath.Join(repo.Location, "config"))
	if strings.Count(string(before), "\n") != strings.Count(string(after), "\n") {
		t.Errorf("config went from\n%s\nto\n%s", before, after)
	}
	// The key still opens the repository.
	if _, err := r.Borg.List(ctx, repo); err != nil {
		t.Fatalf("repository unreadable after the config change: %v", err)
	}

	// A reserve larger than the disk's free space refuses, with a sentence.
	r.Reserve = "1000P"
	if _, err := r.LimitToFreeSpace(ctx, agent, 1); err == nil || !strings.Contains(err.Error(), "free space there") {
		t.Fatalf("reserve above the free space: %v", err)
	}
}

// The key export is borg's, readable while another borg holds the lock.
func TestExportKey(t *testing.T) {
	needBorg(t)
	ctx := context.Background()
	data := t.TempDir()
	r := New(data, &borg.Borg{BaseDir: filepath.Join(data, "borg"), LockWait: 1})
	const agent = "0b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10"
	repo, err := r.Ensure(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	hold := exec.Command("borg", "with-lock", repo.Location, "sleep", "3")
	hold.Env = append(os.Environ(), "BORG_PASSPHRASE="+repo.Passphrase, "BORG_BASE_DIR="+t.TempDir())
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer hold.Wait()
	defer hold.Process.Kill()
	for i := 0; i < 100; i++ { // until borg holds the lock
		if _, err := os.Stat(filepath.Join(repo.Location, "lock.roster")); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	key, err := r.ExportKey(ctx, agent)
	if err != nil || !strings.HasPrefix(string(key), "BORG_KEY ") {
		t.Fatalf("key export = %q, %v", key, err)
	}
	if _, err := r.ExportKey(ctx, "not-a-uuid"); err == nil {
		t.Error("an invalid agent id was exported")
	}
}

// A repository is not read while borg init makes it, and an init cut short
// (the process died between borg writing the config and the manifest) is
// made again by the next Ensure, while a finished one is never touched.
func TestHalfMadeRepositoryIsNotReadAndIsMadeAgain(t *testing.T) {
	needBorg(t)
	ctx := context.Background()
	data := t.TempDir()
	r := New(data, &borg.Borg{BaseDir: filepath.Join(data, "borg")})
	const agent = "1c6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a11"
	if _, err := r.Passphrase(agent); err != nil {
		t.Fatal(err)
	}
	// What a killed `borg init` leaves: a config and no manifest.
	path, _ := r.Path(agent)
	os.MkdirAll(filepath.Join(path, "data"), 0o700)
	os.WriteFile(filepath.Join(path, "config"), []byte("[repository]\nversion = 1\n"), 0o600)
	os.WriteFile(r.creatingMarker(agent), nil, 0o600)
	if _, err := r.Repo(agent); !errors.Is(err, ErrCreating) {
		t.Fatalf("Repo of a half-made repository = %v; want ErrCreating", err)
	}
	repo, err := r.Ensure(ctx, agent)
	if err != nil {
		t.Fatalf("Ensure after a cut-short init: %v", err)
	}
	if _, err := r.Borg.List(ctx, repo); err != nil {
		t.Fatalf("the repository made again does not open: %v", err)
	}
	if _, err := os.Stat(r.creatingMarker(agent)); !os.IsNotExist(err) {
		t.Errorf("the marker is still there after a finished init: %v", err)
	}
	if _, err := r.Repo(agent); err != nil {
		t.Errorf("Repo after Ensure: %v", err)
	}

	// A finished repository with a stray marker keeps what it holds.
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "f"), []byte("keep me"), 0o644)
	if _, err := r.Borg.Create(ctx, repo, borg.CreateOptions{Archive: "a1", Paths: []string{src}}, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(r.creatingMarker(agent), nil, 0o600)
	if _, err := r.Ensure(ctx, agent); err != nil {
		t.Fatal(err)
	}
	archives, err := r.Borg.List(ctx, repo)
	if err != nil || len(archives) != 1 {
		t.Errorf("after a stray marker: archives %v, %v; want a1 kept", archives, err)
	}
}
