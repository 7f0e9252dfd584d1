//go:build linux

package service

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"borgdesk/backend/repos"
	"borgdesk/backend/store"
)

// The dashboard's disk figure is the one the agents report for the same
// disk: used counts the blocks in use, as df does, not those kept for root.
func TestStorageDiskUsedCountsBlocksInUse(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	svc := New(Config{Store: st, Repos: repos.New(dir, nil), DataDir: dir, Version: "test"})
	got, err := svc.GetStorage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(got.DiskPath, &fs); err != nil {
		t.Fatalf("statfs %s: %v", got.DiskPath, err)
	}
	bs := int64(fs.Bsize)
	if want := int64(fs.Blocks) * bs; got.DiskTotal != want {
		t.Errorf("DiskTotal = %d; want %d", got.DiskTotal, want)
	}
	// The disk may change between the two reads; allow a few MiB.
	want := int64(fs.Blocks-fs.Bfree) * bs
	if d := got.DiskUsed - want; d > 64<<20 || d < -(64<<20) {
		t.Errorf("DiskUsed = %d; want about %d (blocks in use)", got.DiskUsed, want)
	}
	if got.DiskUsed+got.DiskFree > got.DiskTotal {
		t.Errorf("used %d + free %d > total %d", got.DiskUsed, got.DiskFree, got.DiskTotal)
	}
}
