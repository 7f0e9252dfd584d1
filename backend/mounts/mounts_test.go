package mounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
)

// needFuse fails without FUSE and borg unless the person running it opts
// out (testenv.OptOut).
func needFuse(t *testing.T) {
	t.Helper()
	testenv.NeedCommands(t, "borg", "fusermount3")
	testenv.NeedFile(t, "/dev/fuse", "the FUSE device")
}

// fixture is a repository with one archive of src, shared by the tests
// (borg init and create take most of a second each).
type fixture struct {
	borg *borg.Borg
	repo borg.Repo
	src  string // what archive "a1" holds, under src's own absolute path
}

var (
	fixtureOnce sync.Once
	shared      fixture
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("MOUNTS_TEST_FLX_CRASH"); dir != "" {
		crashingFlxMount(dir) // never returns
	}
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func repoFixture(t *testing.T) fixture {
	t.Helper()
	needFuse(t)
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "mounts-test-")
		if fixtureErr != nil {
			return
		}
		f := fixture{
			borg: &borg.Borg{BaseDir: filepath.Join(fixtureDir, "base"), LockWait: 1},
			repo: borg.Repo{Location: filepath.Join(fixtureDir, "repo"), Passphrase: "correct horse battery staple"},
			src:  filepath.Join(fixtureDir, "src"),
		}
		big := make([]byte, 1<<20)
		rand.Read(big)
		for rel, body := range map[string][]byte{
			"etc/nginx/nginx.conf": []byte("worker_processes 2;\n"),
			"var/lib/big.bin":      big,
			"empty":                nil,
		} {
			p := filepath.Join(f.src, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if fixtureErr = os.WriteFile(p, body, 0o640); fixtureErr != nil {
				return
			}
		}
		ctx := context.Background()
		if fixtureErr = f.borg.Init(ctx, f.repo); fixtureErr != nil {
			return
		}
		_, fixtureErr = f.borg.Create(ctx, f.repo, borg.CreateOptions{Archive: "a1", Paths: []string{f.src}}, nil)
		shared = f
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return shared
}

func newManager(t *testing.T, b *borg.Borg) (*Manager, string) {
	t.Helper()
	state := filepath.Join(t.TempDir(), "mounts.json")
	m := New(state, b, nil)
	t.Cleanup(func() { m.UnmountAll(context.Background()) })
	return m, state
}

// isMounted reads /proc/self/mountinfo.
func isMounted(t *testing.T, dir string) bool {
	t.Helper()
	_, ok, err := isMountPoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// sameTree fails unless every file under src reads back identical under mnt.
func sameTree(t *testing.T, src, mnt string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(mnt, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the original's %d", rel, len(got), len(want))
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("compared %d files: %v", n, err)
	}
}

// stateDirs reads the state file's directories.
func stateDirs(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("state file: %v", err)
	}
	var dirs []string
	for _, r := range s.Mounts {
		dirs = append(dirs, r.Dir)
	}
	return dirs
}

// sleepIn starts `sleep` with its working directory in dir.
func sleepIn(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// waitFor polls cond for up to five seconds.
// The limit only ends a test that would hang: borg starting on a loaded
// machine (a -race run beside others) took more than 5 s once.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// archivePath is where the archive's copy of src appears under a mount.
func archivePath(mnt, src string) string {
	return filepath.Join(mnt, strings.TrimPrefix(src, "/"))
}
