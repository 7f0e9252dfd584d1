//go:build linux

package safefs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// needRoot fails a test that needs root when it runs as another user,
// unless the person running it opts out (testenv.OptOut).
func needRoot(t *testing.T, why string) {
	t.Helper()
	testenv.NeedRoot(t, why)
}

// resolvers runs fn with openat2 and with the per-component fallback
// that kernels without openat2 get.
func resolvers(t *testing.T, fn func(t *testing.T, open func(string) *Dir)) {
	for _, walk := range []bool{false, true} {
		name := "openat2"
		if walk {
			name = "walk"
		}
		t.Run(name, func(t *testing.T) {
			fn(t, func(dir string) *Dir {
				t.Helper()
				d, err := OpenRoot(dir)
				if err != nil {
					t.Fatal(err)
				}
				d.res.walk.Store(walk)
				t.Cleanup(func() { d.Close() })
				return d
			})
		})
	}
}

// tree makes root/a/b/f, root/a/link-dir → outside, root/a/b/link-file
// → outside/secret, and the outside directory with its secret.
func tree(t *testing.T) (root, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(root, "a", "b", "f"), []byte("inside\n"), 0o644)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("outside\n"), 0o600)
	os.Symlink(outside, filepath.Join(root, "a", "link-dir"))
	os.Symlink("b", filepath.Join(root, "a", "inner-link")) // stays inside: refused all the same
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "a", "b", "link-file"))
	return root, outside
}

func TestRefusesUnsafePaths(t *testing.T) {
	resolvers(t, func(t *testing.T, open func(string) *Dir) {
		root, _ := tree(t)
		d := open(root)
		cases := []struct {
			rel  string
			want error
		}{
			{"../etc/passwd", ErrUnsafePath},
			{"a/../../x", ErrUnsafePath},
			{"a/./b/f", ErrUnsafePath},
			{"a//b/f", ErrUnsafePath},
			{"/etc/passwd", ErrUnsafePath},
			{"", ErrUnsafePath},
			{"a/link-dir/secret", ErrSymlink},
			{"a/inner-link/f", ErrSymlink},
			{"a/b/link-file", ErrSymlink},
		}
		for _, c := range cases {
			if f, err := d.Open(c.rel); !errors.Is(err, c.want) {
				f.Close()
				t.Errorf("Open(%q): %v; want %v", c.rel, err, c.want)
			}
			if sub, err := d.OpenDir(c.rel); err == nil {
				sub.Close()
				t.Errorf("OpenDir(%q) succeeded", c.rel)
			}
			if sub, err := d.MkdirAll(c.rel+"/new", 0o755); err == nil {
				sub.Close()
				t.Errorf("MkdirAll(%q) succeeded", c.rel+"/new")
			}
		}
		for _, rel := range []string{"a/link-dir", "a/inner-link"} {
			if _, err := d.OpenDir(rel); !errors.Is(err, ErrSymlink) {
				t.Errorf("OpenDir(%q): %v; want ErrSymlink", rel, err)
			}
		}
		if _, err := d.OpenDir("a/b/f"); !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("OpenDir(a/b/f): %v; want ENOTDIR", err)
		}
		f, err := d.Open("a/b/f")
		if err != nil {
			t.Fatalf("Open(a/b/f): %v", err)
		}
		raw, _ := io.ReadAll(f)
		f.Close()
		if string(raw) != "inside\n" {
			t.Errorf("a/b/f reads %q", raw)
		}
	})
}

func TestErrorsNameThePath(t *testing.T) {
	root, _ := tree(t)
	d, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = d.MkdirAll("a/link-dir/sub", 0o755)
	if err == nil || !strings.Contains(err.Error(), "a/link-dir") || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("MkdirAll through a symlink: %v; want it to name a/link-dir and the symlink", err)
	}
}

func TestNameOperationsRefuseComponents(t *testing.T) {
	root, outside := tree(t)
	d, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, name := range []string{"a/b", "..", ".", "", "/x"} {
		if err := d.Remove(name); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("Remove(%q): %v", name, err)
		}
		if _, err := d.Lstat(name); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("Lstat(%q): %v", name, err)
		}
		if err := d.Rename("a", name); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("Rename(a, %q): %v", name, err)
		}
		if err := d.RemoveDir(name); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("RemoveDir(%q): %v", name, err)
		}
	}
	// Removing a symlink removes the link, never its target.
	a, err := d.OpenDir("a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.RemoveAll("link-dir"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Errorf("RemoveAll of a symlink reached its target: %v", err)
	}
	if fi, err := a.Lstat("inner-link"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(inner-link): %v %v; want a symlink", fi, err)
	}
	// RemoveDir removes an empty directory, not one with something in it.
	if err := a.Mkdir("empty", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveDir("empty"); err != nil {
		t.Errorf("RemoveDir(empty): %v", err)
	}
	if _, err := a.Lstat("empty"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty is still there after RemoveDir: %v", err)
	}
	if err := d.RemoveDir("a"); err == nil {
		t.Errorf("RemoveDir(a) removed a directory that is not empty")
	}
}

// The write path: parents made without following, a temporary file,
// attributes on its descriptor, a rename into place.
func TestCreateSetAttrsRename(t *testing.T) {
	needRoot(t, "give a file another owner")
	resolvers(t, func(t *testing.T, open func(string) *Dir) {
		root, _ := tree(t)
		d := open(root)
		dir, err := d.MkdirAll("x/y/z", 0o750)
		if err != nil {
			t.Fatal(err)
		}
		defer dir.Close()
		f, tmp, err := dir.CreateTemp(".tmp-")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("hello\n")
		mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := SetAttrs(f, Attrs{Mode: 0o640 | fs.ModeSetgid, UID: 12345, GID: 12346, Mtime: mtime}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := dir.Rename(tmp, "file"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(filepath.Join(root, "x/y/z/file"))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != 0o640|fs.ModeSetgid || st.Uid != 12345 || st.Gid != 12346 || !fi.ModTime().Equal(mtime) {
			t.Errorf("got mode %v owner %d:%d mtime %v; want %v 12345:12346 %v", fi.Mode(), st.Uid, st.Gid, fi.ModTime(), 0o640|fs.ModeSetgid, mtime)
		}
		if dfi, _ := os.Stat(filepath.Join(root, "x/y")); dfi.Mode().Perm() != 0o750 {
			t.Errorf("made directory mode %v; want 0750", dfi.Mode().Perm())
		}
	})
}

func TestSafeMode(t *testing.T) {
	const suid = 0o755 | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	cases := []struct {
		name string
		uid  int
		keep bool
		want fs.FileMode
	}{
		{"root, kept", 0, true, suid},
		{"root, not asked", 0, false, 0o755 | fs.ModeSticky},
		{"another user, asked", 12345, true, 0o755 | fs.ModeSticky},
		{"unknown owner, asked", -1, true, 0o755 | fs.ModeSticky},
	}
	for _, c := range cases {
		if got := SafeMode(suid, c.uid, c.keep); got != c.want {
			t.Errorf("%s: got %v; want %v", c.name, got, c.want)
		}
	}
}

func TestOpenRefusesFIFOWithoutBlocking(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Open("fifo"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Open(fifo): %v; want ErrNotRegular", err)
	}
}
