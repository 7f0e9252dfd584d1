package flxfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/testenv"
)

// needFuse fails without FUSE unless the person running it opts out
// (testenv.OptOut).
func needFuse(t *testing.T) {
	t.Helper()
	testenv.NeedFile(t, "/dev/fuse", "the FUSE device")
	testenv.NeedCommands(t, "fusermount3")
}

// mount mounts a snapshot on a fresh directory and unmounts it at the end.
func mount(t *testing.T, snapshot string, opts Options) (*Server, string) {
	t.Helper()
	needFuse(t)
	dir := t.TempDir()
	s, err := Mount(snapshot, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if mounted(t, dir) {
			if err := s.Unmount(); err != nil {
				t.Errorf("unmount: %v", err)
			}
		}
	})
	return s, dir
}

// mounted reports whether dir is a mount point in /proc/self/mountinfo.
func mounted(t *testing.T, dir string) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

// contents reads a snapshot through flx: path → bytes.
func contents(t *testing.T, snapshot string) map[string]string {
	t.Helper()
	f, err := flx.Open(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	_, err = flx.Walk(f, func(_ *flx.Meta, e *flx.Entry, r io.Reader) (func() error, error) {
		b, err := io.ReadAll(r)
		rel, _ := flx.CleanPath(e.Path)
		return func() error { out[rel] = string(b); return nil }, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tree reads every regular file under dir: path → bytes.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeSnapshot makes a snapshot of files (path → content) with the given modes.
func writeSnapshot(t *testing.T, files map[string]string, modes map[string]os.FileMode) string {
	t.Helper()
	src := t.TempDir()
	for rel, body := range files {
		p := filepath.Join(src, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := modes[rel]
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		os.Chtimes(p, time.Time{}, time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	}
	list, _, err := flx.Collect(src, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "test.flx")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := flx.Write(f, list, flx.Options{KeepSecrets: true}); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestFixturesReadBackByteIdentical(t *testing.T) {
	for _, name := range []string{"golden.flxx", "flexpbx-1.2.0.flx", "flexpbx-1.2.0.flxx.gz"} {
		t.Run(name, func(t *testing.T) {
			snapshot := filepath.Join("..", "shared", "flx", "testdata", name)
			_, dir := mount(t, snapshot, Options{})
			if diff := cmp.Diff(contents(t, snapshot), tree(t, dir)); diff != "" {
				t.Errorf("mounted files differ from the snapshot (-snapshot +mount):\n%s", diff)
			}
		})
	}
}

func TestMetadataFromTheSnapshot(t *testing.T) {
	_, dir := mount(t, filepath.Join("..", "shared", "flx", "testdata", "golden.flxx"), Options{})
	fi, err := os.Stat(filepath.Join(dir, "etc/app/app.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode(), os.FileMode(0o644); got != want {
		t.Errorf("mode = %v; want %v", got, want)
	}
	if got, want := fi.Size(), int64(28); got != want {
		t.Errorf("size = %d; want %d", got, want)
	}
	if got, want := fi.ModTime().UTC(), time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC); !got.Equal(want) {
		t.Errorf("mtime = %v; want %v", got, want)
	}
	if di, err := os.Stat(filepath.Join(dir, "etc/app")); err != nil || !di.IsDir() {
		t.Errorf("etc/app: %v, %v; want a directory", di, err)
	}
}

func TestLargeAndManyFilesThroughASmallCache(t *testing.T) {
	files := map[string]string{
		"big/blob.bin":       strings.Repeat("0123456789abcdef", 3<<16), // 3 MiB: spilled
		"etc/secret.key":     "key\n",
		"etc/run.sh":         "#!/bin/sh\n",
		"var/lib/empty.conf": "",
	}
	for i := range 40 {
		files[filepath.Join("many", string(rune('a'+i%26))+strings.Repeat("x", i))] = strings.Repeat("line\n", i*100)
	}
	modes := map[string]os.FileMode{"etc/secret.key": 0o600, "etc/run.sh": 0o755}
	snapshot := writeSnapshot(t, files, modes)
	_, dir := mount(t, snapshot, Options{CacheFiles: 2, CacheBytes: 64 << 10, TempDir: t.TempDir()})

	// Read everything twice, concurrently, through a cache that holds two files.
	var wg sync.WaitGroup
	got := make([]map[string]string, 2)
	for i := range got {
		wg.Go(func() { got[i] = tree(t, dir) })
	}
	wg.Wait()
	for i := range got {
		if diff := cmp.Diff(files, got[i]); diff != "" {
			t.Errorf("read %d differs (-want +got):\n%s", i, diff)
		}
	}
	for rel, want := range modes {
		if fi, err := os.Stat(filepath.Join(dir, rel)); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", rel, fi.Mode(), err, want)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "big/blob.bin")); fi == nil || fi.ModTime().UTC() != time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) {
		t.Errorf("big/blob.bin: mtime %v; want 2024-05-06 07:08:09 UTC", fi)
	}
}

func TestWritesAreRefused(t *testing.T) {
	_, dir := mount(t, filepath.Join("..", "shared", "flx", "testdata", "golden.flxx"), Options{})
	file := filepath.Join(dir, "etc/app/b.txt")
	for name, try := range map[string]func() error{
		"write":  func() error { return os.WriteFile(file, []byte("x"), 0o644) },
		"create": func() error { return os.WriteFile(filepath.Join(dir, "new"), []byte("x"), 0o644) },
		"mkdir":  func() error { return os.Mkdir(filepath.Join(dir, "d"), 0o755) },
		"remove": func() error { return os.Remove(file) },
		"rename": func() error { return os.Rename(file, filepath.Join(dir, "etc/app/c.txt")) },
		"chmod":  func() error { return os.Chmod(file, 0o600) },
		"rdwr": func() error {
			f, err := os.OpenFile(file, os.O_RDWR, 0)
			if err == nil {
				f.Close()
			}
			return err
		},
	} {
		if err := try(); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v; want EROFS", name, err)
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "b\n" {
		t.Errorf("after the refused writes: %q, %v; want %q", b, err, "b\n")
	}
}

// tamper flips the first base64 character of the content of the file whose
// content starts with marker, keeping the JSON valid.
func tamper(t *testing.T, snapshot, marker string) []byte {
	t.Helper()
	b, err := os.ReadFile(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`"content": "`+marker))
	if i < 0 {
		t.Fatalf("no content starting %q in %s", marker, snapshot)
	}
	i += len(`"content": "`)
	b = bytes.Clone(b)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

func TestDamagedFileReadsAsIOError(t *testing.T) {
	files := map[string]string{"a.conf": "first\n", "b.conf": "second\n", "c.conf": "third\n"}
	good := writeSnapshot(t, files, nil)

	t.Run("damaged before mounting", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.flx")
		os.WriteFile(bad, tamper(t, good, "c2Vjb25k"), 0o644) // base64 of "second"
		s, dir := mount(t, bad, Options{})
		if s.Damage() == nil || !strings.Contains(s.Damage().Error(), "b.conf") || strings.Contains(s.Damage().Error(), "/proc/") {
			t.Errorf("Damage() = %v; want it to name b.conf", s.Damage())
		}
		if b, err := os.ReadFile(filepath.Join(dir, "a.conf")); err != nil || string(b) != "first\n" {
			t.Errorf("a.conf (before the damage) = %q, %v", b, err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "b.conf")); !errors.Is(err, syscall.EIO) {
			t.Errorf("b.conf (damaged) = %q, %v; want EIO", b, err)
		}
	})

	t.Run("damaged while mounted", func(t *testing.T) {
		snap := filepath.Join(t.TempDir(), "snap.flx")
		orig, _ := os.ReadFile(good)
		os.WriteFile(snap, orig, 0o644)
		_, dir := mount(t, snap, Options{})
		os.WriteFile(snap, tamper(t, snap, "dGhpcmQ"), 0o644) // base64 of "third"
		if b, err := os.ReadFile(filepath.Join(dir, "c.conf")); !errors.Is(err, syscall.EIO) {
			t.Errorf("c.conf (damaged after mounting) = %q, %v; want EIO", b, err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "a.conf")); err != nil || string(b) != "first\n" {
			t.Errorf("a.conf = %q, %v", b, err)
		}
	})
}

func TestReplacedSnapshotKeepsServingWhatWasMounted(t *testing.T) {
	files := map[string]string{"a.conf": "first\n", "b.conf": "second\n"}
	snap := writeSnapshot(t, files, nil)
	_, dir := mount(t, snap, Options{})
	// A new snapshot is renamed over the mounted one's name, as writers do.
	newer := writeSnapshot(t, map[string]string{"a.conf": "newer\n"}, nil)
	if err := os.Rename(newer, snap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, tree(t, dir)); diff != "" {
		t.Errorf("after the rename (-mounted +read):\n%s", diff)
	}
}

func TestNotASnapshotIsNotMounted(t *testing.T) {
	needFuse(t)
	bad := filepath.Join(t.TempDir(), "x.flx")
	os.WriteFile(bad, []byte("hello"), 0o644)
	dir := t.TempDir()
	if s, err := Mount(bad, dir, Options{}); err == nil {
		s.Unmount()
		t.Fatal("a file that is no snapshot was mounted")
	}
	if mounted(t, dir) {
		t.Error("the mount point is mounted after a failed mount")
	}
}

func TestUnmountFromOutsideEndsWait(t *testing.T) {
	s, dir := mount(t, filepath.Join("..", "shared", "flx", "testdata", "golden.flxx"), Options{})
	if !mounted(t, dir) {
		t.Fatal("not in /proc/self/mountinfo after Mount")
	}
	if out, err := exec.Command("fusermount3", "-u", dir).CombinedOutput(); err != nil {
		t.Fatalf("fusermount3 -u: %v: %s", err, out)
	}
	done := make(chan struct{})
	go func() { s.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after an unmount from outside")
	}
	if mounted(t, dir) {
		t.Error("still in /proc/self/mountinfo")
	}
}
