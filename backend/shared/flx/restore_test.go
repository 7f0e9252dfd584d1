//go:build linux

package flx

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A restore reads the snapshot once and stages every file before it
// renames any into place: when its last entry is damaged, the files
// staged for the earlier ones (hundreds, in new directories and beside
// files already there) are all gone again and the target is as it was.
func TestDamagedLastEntryLeavesTheTargetAsItWas(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("etc/d%d/sub/f%03d.conf", i%7, i)] = fmt.Sprintf("setting %d\n", i)
	}
	files["etc/zz-last.conf"] = "the last entry\n"
	writeTree(t, src, files, nil)
	good := snapshot(t, src, []string{"etc"}, Options{KeepSecrets: true})
	last := base64.StdEncoding.EncodeToString([]byte("the last entry\n"))
	bad := rewrite(t, good, func(s string) string {
		return strings.Replace(s, last, base64.StdEncoding.EncodeToString([]byte("tampered entry\n")), 1)
	})

	dst := t.TempDir()
	writeTree(t, dst, map[string]string{"etc/d3/sub/f003.conf": "what was there\n", "etc/other.conf": "mine\n"}, nil)
	before := treeOf(t, dst)
	_, err := Restore(bad, RestoreOptions{Root: dst, Mode: ModeFresh})
	if err == nil || !strings.Contains(err.Error(), "hash mismatch") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Restore = %v; want a hash mismatch and that nothing was written", err)
	}
	if diff := cmp.Diff(before, treeOf(t, dst)); diff != "" {
		t.Errorf("the target changed (-before +after):\n%s", diff)
	}
	var dirs []string
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			rel, _ := filepath.Rel(dst, p)
			dirs = append(dirs, rel)
		}
		return nil
	})
	if want := []string{".", "etc", "etc/d3", "etc/d3/sub"}; !cmp.Equal(dirs, want) {
		t.Errorf("directories after the failed restore: %v; want only those there before: %v", dirs, want)
	}

	// The good snapshot then restores every file, the one already there
	// overwritten, and fresh removes the file the snapshot lacks.
	res, err := Restore(good, RestoreOptions{Root: dst, Mode: ModeFresh})
	if err != nil {
		t.Fatal(err)
	}
	got := treeOf(t, dst)
	for p, c := range files {
		if want := "-rw-r--r-- " + c; got[p] != want {
			t.Errorf("%s after the restore: %q; want %q", p, got[p], want)
		}
	}
	if _, ok := got["etc/other.conf"]; ok {
		t.Errorf("fresh kept etc/other.conf, which the snapshot lacks")
	}
	if c := res.Counts(); c[ActCreate] != 300 || c[ActOverwrite] != 1 || c[ActRemove] != 1 {
		t.Errorf("counts = %v; want 300 created, 1 overwritten, 1 removed", c)
	}
}
