//go:build linux

package flx

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Files encoded ahead on other cores land in the snapshot in order,
// around a large one written in line, and a file that vanished after it
// was listed fails the snapshot with its name (no encoder left waiting).
func TestCreateEncodesAheadInOrder(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("etc/f%03d.conf", i)] = fmt.Sprintf("n = %d ; mail bob%d@corp.example.org\n", i, i)
	}
	files["etc/f100.conf"] = strings.Repeat("large, written in line\n", (aheadMax/23)+100)
	writeTree(t, src, files, nil)
	list, _, err := Collect(src, []string{"etc"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	name, meta, err := Create(t.TempDir(), "t", false, list, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(meta.Redactions); got != 199 {
		t.Errorf("%d redactions; want one per small file (199)", got)
	}
	var order []string
	if _, err := WalkFile(name, func(m *Meta, e *Entry, _ io.Reader) (func() error, error) {
		order = append(order, e.Path)
		return nil, nil
	}, Limits{}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range list {
		want = append(want, f.Rel)
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("entries out of order (-want +got):\n%s", diff)
	}
	dst := t.TempDir()
	if _, err := Restore(name, RestoreOptions{Root: dst, Mode: ModeFresh}); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(filepath.Join(dst, "etc/f100.conf")); string(raw) != files["etc/f100.conf"] {
		t.Errorf("the large file came back with %d bytes; want %d", len(raw), len(files["etc/f100.conf"]))
	}
	if raw, _ := os.ReadFile(filepath.Join(dst, "etc/f042.conf")); string(raw) != "n = 42 ; mail "+ExampleEmail+"\n" {
		t.Errorf("etc/f042.conf came back as %q; want it sanitized", raw)
	}

	os.Remove(filepath.Join(src, "etc/f150.conf"))
	if _, _, err := Create(t.TempDir(), "t", false, list, Options{Now: now}); err == nil || !strings.Contains(err.Error(), "f150.conf") {
		t.Errorf("Create with a vanished file = %v; want an error naming it", err)
	}
}
