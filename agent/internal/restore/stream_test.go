package restore

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type entry struct {
	name, link, body string
	typ              byte
	mode             int64
}

func tarOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body)), ModTime: time.Unix(1700000000, 0)}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	w.Close()
	return buf.Bytes()
}

func runUntar(root string, lim streamLimits, stream []byte) error {
	u := &untar{root: root, lim: lim, log: func(string, ...any) {}, progress: func(int64, string) {}}
	return u.run(context.Background(), bytes.NewReader(stream))
}

func TestUntarWritesTheTree(t *testing.T) {
	root := t.TempDir()
	stream := tarOf(t,
		entry{name: "srv/", typ: tar.TypeDir, mode: 0o750},
		entry{name: "srv/ro/", typ: tar.TypeDir, mode: 0o555},
		entry{name: "srv/ro/a.txt", typ: tar.TypeReg, body: "hello", mode: 0o640},
		entry{name: "srv/ro/b.txt", typ: tar.TypeLink, link: "srv/ro/a.txt"},
		entry{name: "srv/link", typ: tar.TypeSymlink, link: "/etc/passwd"},
		entry{name: "deep/er/c", typ: tar.TypeReg, body: "x", mode: 0o4755},
		entry{name: "srv/dev", typ: tar.TypeChar},
	)
	if err := runUntar(root, limitsFor(3, 6), stream); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "srv/ro/b.txt")); string(b) != "hello" {
		t.Errorf("hard link reads %q", b)
	}
	for p, want := range map[string]os.FileMode{"srv": os.ModeDir | 0o750, "srv/ro": os.ModeDir | 0o555, "srv/ro/a.txt": 0o640, "deep/er/c": os.ModeSetuid | 0o755} {
		if fi, err := os.Lstat(filepath.Join(root, p)); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode(), err, want)
		}
	}
	if fi, _ := os.Lstat(filepath.Join(root, "srv/ro/a.txt")); !fi.ModTime().Equal(time.Unix(1700000000, 0)) {
		t.Errorf("a.txt mtime %v", fi.ModTime())
	}
	if l, _ := os.Readlink(filepath.Join(root, "srv/link")); l != "/etc/passwd" {
		t.Errorf("symlink = %q; want kept as archived", l)
	}
	if _, err := os.Lstat(filepath.Join(root, "srv/dev")); err == nil {
		t.Error("a device node was created")
	}
}

// Nothing of a hostile stream lands outside the root.
func TestUntarRefusesToLeaveTheRoot(t *testing.T) {
	outside := t.TempDir()
	for _, tc := range []struct {
		name    string
		entries []entry
	}{
		{"absolute name", []entry{{name: filepath.Join(outside, "x"), typ: tar.TypeReg, body: "x"}}},
		{"dot-dot", []entry{{name: "a/../../x", typ: tar.TypeReg, body: "x"}}},
		{"dot-dot at the start", []entry{{name: "../x", typ: tar.TypeReg, body: "x"}}},
		{"write through a symlink", []entry{{name: "esc", typ: tar.TypeSymlink, link: outside}, {name: "esc/x", typ: tar.TypeReg, body: "x"}}},
		{"folder through a symlink", []entry{{name: "esc", typ: tar.TypeSymlink, link: outside}, {name: "esc/sub/", typ: tar.TypeDir}}},
		{"file over a symlink", []entry{{name: "esc", typ: tar.TypeSymlink, link: filepath.Join(outside, "x")}, {name: "esc", typ: tar.TypeReg, body: "x"}}},
		{"hard link out", []entry{{name: "h", typ: tar.TypeLink, link: "../../../etc/passwd"}}},
		{"hard link to an absolute path", []entry{{name: "h", typ: tar.TypeLink, link: "/etc/passwd"}}},
		{"hard link to a symlink", []entry{{name: "s", typ: tar.TypeSymlink, link: "/etc/passwd"}, {name: "h", typ: tar.TypeLink, link: "s"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := runUntar(root, limitsFor(10, 100), tarOf(t, tc.entries...)); err == nil {
				t.Error("accepted")
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("wrote outside the root: %v", entries)
			}
		})
	}
}

func TestUntarCapsSizes(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	if err := runUntar(t.TempDir(), limitsFor(1, 10), tarOf(t, entry{name: "big", typ: tar.TypeReg, body: big})); !errors.Is(err, errStreamTooLarge) {
		t.Errorf("3 MiB announced as 10 bytes: %v; want errStreamTooLarge", err)
	}
	var many []entry
	for i := 0; i < 40; i++ {
		many = append(many, entry{name: "f" + strings.Repeat("x", i), typ: tar.TypeReg, body: "1"})
	}
	if err := runUntar(t.TempDir(), limitsFor(2, 100), tarOf(t, many...)); !errors.Is(err, errStreamTooLarge) {
		t.Errorf("40 files announced as 2: %v; want errStreamTooLarge", err)
	}
}

func TestUntarStopsOnACutStream(t *testing.T) {
	stream := tarOf(t, entry{name: "a", typ: tar.TypeReg, body: strings.Repeat("y", 4096)})
	if err := runUntar(t.TempDir(), limitsFor(1, 4096), stream[:1024]); err == nil {
		t.Error("a stream cut inside a file was accepted")
	}
}

func FuzzUntar(f *testing.F) {
	f.Add(tarOf(f, entry{name: "a/b", typ: tar.TypeReg, body: "x"}, entry{name: "a/c", typ: tar.TypeLink, link: "a/b"}))
	f.Add(tarOf(f, entry{name: "l", typ: tar.TypeSymlink, link: ".."}, entry{name: "l/x", typ: tar.TypeReg, body: "x"}))
	f.Fuzz(func(t *testing.T, stream []byte) {
		parent := t.TempDir()
		root := filepath.Join(parent, "root")
		os.Mkdir(root, 0o700)
		runUntar(root, limitsFor(100, 1<<20), stream)
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Errorf("wrote beside the root: %v", entries)
		}
	})
}
