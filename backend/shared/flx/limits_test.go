//go:build linux

package flx

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bomb writes a gzip file of about 1 MiB whose one entry's content
// inflates to about 1 GiB: gzip members of 64 MiB of "A" (base64 zeros)
// one after another, which gzip.Reader reads as one stream.
func bomb(t *testing.T) string {
	t.Helper()
	var head, body bytes.Buffer
	zw := gzip.NewWriter(&head)
	zw.Write([]byte(`{"version": "1.0", "backup_type": "system_config", "file_count": 1, "files": [{"path": "etc/zeros", "content": "`))
	zw.Close()
	zw, _ = gzip.NewWriterLevel(&body, gzip.BestCompression)
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 64 {
		zw.Write(chunk)
	}
	zw.Close()
	name := filepath.Join(t.TempDir(), "bomb.flx.gz")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(head.Bytes())
	for range 16 {
		f.Write(body.Bytes())
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A megabyte of gzip that inflates to a gigabyte is refused once the cap
// is passed, with a sentence that says which cap and how to raise it,
// having read only the compressed bytes that inflate to the cap.
func TestGzipBombRefusedWhileStreaming(t *testing.T) {
	name := bomb(t)
	fi, _ := os.Stat(name)
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := &countReader{r: f}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 16 << 20
	_, err = WalkLimited(zr, func(m *Meta, e *Entry, content io.Reader) (func() error, error) {
		_, err := io.Copy(io.Discard, content)
		return nil, err
	}, Limits{MaxBytes: limit})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "total size" {
		t.Fatalf("err = %v; want a LimitError on the total size", err)
	}
	for _, want := range []string{"exceeds the cap on its total size (16777216 bytes)", "raise the cap (--max-size"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to say %q", err, want)
		}
	}
	// 64 MiB of "A" gzip to about 64 KiB: past 16 MiB inflated, well under
	// a quarter of the file was read.
	if cr.n > fi.Size()/4 {
		t.Errorf("read %d of %d compressed bytes before refusing; want it to stop early", cr.n, fi.Size())
	}

	// Restore and Inspect refuse it the same way, writing nothing.
	dst := t.TempDir()
	if _, err := Restore(name, RestoreOptions{Root: dst, Limits: Limits{MaxBytes: limit}}); !errors.As(err, &le) || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("restore: %v; want the cap's sentence and that nothing was written", err)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("restore wrote %v", entries)
	}
	if in, err := InspectPage(name, InspectOptions{Limits: Limits{MaxBytes: limit}}); !errors.As(err, &le) || in.Verified {
		t.Errorf("inspect: %v, verified %v; want the cap refused", err, in.Verified)
	}
}

func TestEntryAndPathCaps(t *testing.T) {
	src := t.TempDir()
	long := strings.Repeat("d/", 2100) + "f"
	writeTree(t, src, map[string]string{"etc/a": "a\n", "etc/b": "b\n", "etc/c": "c\n"}, nil)
	snap := snapshot(t, src, []string{"etc"}, Options{KeepSecrets: true})
	var le *LimitError
	_, err := Restore(snap, RestoreOptions{Root: t.TempDir(), Limits: Limits{MaxEntries: 2}})
	if !errors.As(err, &le) || le.What != "entries" || !strings.Contains(err.Error(), "--max-files") {
		t.Errorf("3 entries under a cap of 2: %v", err)
	}
	if _, err := Restore(snap, RestoreOptions{Root: t.TempDir(), DryRun: true, Limits: Limits{MaxEntries: 3}}); err != nil {
		t.Errorf("3 entries under a cap of 3: %v", err)
	}
	edited := rewrite(t, snap, func(s string) string {
		return strings.Replace(s, `"path": "etc/a"`, fmt.Sprintf("%q: %q", "path", long), 1)
	})
	if _, err := Inspect(edited); !errors.As(err, &le) || le.What != "path length" || !strings.Contains(err.Error(), "entry 1") {
		t.Errorf("a %d-byte path: %v; want the path length cap, naming the entry", len(long), err)
	}
}

func TestInspectPages(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{}
	for i := range 5 {
		files[fmt.Sprintf("etc/f%d", i)] = "x\n"
	}
	writeTree(t, src, files, nil)
	snap := snapshot(t, src, []string{"etc"}, Options{KeepSecrets: true})
	in, err := InspectPage(snap, InspectOptions{Offset: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range in.Files {
		got = append(got, f.Path)
	}
	if strings.Join(got, " ") != "etc/f1 etc/f2" || in.FilesTotal != 5 || in.FilesMore != 2 || in.FilesOffset != 1 || in.Bytes != 10 {
		t.Errorf("page: files %v, total %d, more %d, offset %d, bytes %d; want [etc/f1 etc/f2], 5, 2, 1, 10", got, in.FilesTotal, in.FilesMore, in.FilesOffset, in.Bytes)
	}
}

// setuid and setgid survive only on root's files, and only when asked.
func TestSetuidDropped(t *testing.T) {
	needRoot(t, "restore files owned by root and by uid 12345")
	src := t.TempDir()
	writeTree(t, src, map[string]string{"usr/bin/root-tool": "#!/bin/sh\n", "usr/bin/user-tool": "#!/bin/sh\n"}, nil)
	os.Chown(filepath.Join(src, "usr/bin/root-tool"), 0, 0)
	os.Chown(filepath.Join(src, "usr/bin/user-tool"), 12345, 12345)
	for _, n := range []string{"root-tool", "user-tool"} {
		os.Chmod(filepath.Join(src, "usr/bin", n), 0o755|fs.ModeSetuid|fs.ModeSetgid)
	}
	snap := snapshot(t, src, []string{"usr"}, Options{KeepSecrets: true})
	const suid = fs.ModeSetuid | fs.ModeSetgid
	cases := []struct {
		keep           bool
		rootMode, user fs.FileMode
	}{
		{false, 0o755, 0o755},
		{true, 0o755 | suid, 0o755},
	}
	for _, c := range cases {
		dst := t.TempDir()
		if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeFresh, KeepSetuid: c.keep}); err != nil {
			t.Fatal(err)
		}
		for n, want := range map[string]fs.FileMode{"root-tool": c.rootMode, "user-tool": c.user} {
			fi, err := os.Stat(filepath.Join(dst, "usr/bin", n))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (fs.ModePerm | suid); got != want {
				t.Errorf("KeepSetuid %v: %s restored %v; want %v", c.keep, n, got, want)
			}
		}
	}
}
