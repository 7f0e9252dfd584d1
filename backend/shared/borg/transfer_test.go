package borg

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An archive copied to another repository keeps its name, time, files and
// content.
func TestCopyArchive(t *testing.T) {
	b := needBorg(t)
	ctx := context.Background()
	src, dst := newRepo(t, b), newRepo(t, b)
	dir := tree(t)
	a, err := b.Create(ctx, src, CreateOptions{Archive: "files-1", Paths: []string{dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := b.List(ctx, src)
	st, err := b.CopyArchive(ctx, src, dst, list[0])
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.List(ctx, dst)
	if err != nil || len(got) != 1 || got[0].Name != "files-1" || got[0].Start[:19] != list[0].Start[:19] {
		t.Fatalf("copy = %+v, %v; source %+v", got, err, list)
	}
	if st.NFiles < a.Stats.NFiles {
		t.Errorf("copy stats %+v, source %+v", st, a.Stats)
	}
	if diff, err := b.SameItems(ctx, src, "files-1", dst, "files-1"); err != nil || diff != "" {
		t.Errorf("copy differs from its source: %q %v", diff, err)
	}
	out := t.TempDir()
	if err := b.Extract(ctx, dst, "files-1", out); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "big.bin"))
	have, err := os.ReadFile(filepath.Join(out, dir[1:], "big.bin"))
	if err != nil || string(have) != string(want) {
		t.Errorf("big.bin after the copy: %v", err)
	}
	// SameItems sees a difference.
	os.WriteFile(filepath.Join(dir, "big.bin"), []byte("changed"), 0o600)
	if _, err := b.Create(ctx, src, CreateOptions{Archive: "files-2", Paths: []string{dir}}, nil); err != nil {
		t.Fatal(err)
	}
	if diff, _ := b.SameItems(ctx, src, "files-2", dst, "files-1"); !strings.Contains(diff, "big.bin") {
		t.Errorf("SameItems missed a changed file: %q", diff)
	}
	// A missing source archive fails and leaves nothing in the destination.
	if _, err := b.CopyArchive(ctx, src, dst, Archive{Name: "nope"}); err == nil {
		t.Error("copying a missing archive succeeded")
	}
	if got, _ := b.List(ctx, dst); len(got) != 1 {
		t.Errorf("destination after a failed copy: %v", got)
	}
}
