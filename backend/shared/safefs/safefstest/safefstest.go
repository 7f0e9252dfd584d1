// Package safefstest helps tests attack a restore the way a local user
// would: it swaps a directory for a symlink in a tight loop, and records
// what must not change about the files outside the restore's place. Only
// tests import it.
package safefstest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// FileState is what must not change about a file outside a restore's
// place: its inode, content, owner and mode.
type FileState struct {
	Ino      uint64
	UID, GID uint32
	Mode     os.FileMode
	Content  string
}

// StateOf records every entry of dir (and dir itself, as ".").
func StateOf(t testing.TB, dir string) map[string]FileState {
	t.Helper()
	out := map[string]FileState{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(entries, nil) {
		name := "."
		if e != nil {
			name = e.Name()
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		s := FileState{Ino: st.Ino, UID: st.Uid, GID: st.Gid, Mode: fi.Mode()}
		if fi.Mode().IsRegular() {
			raw, _ := os.ReadFile(p)
			s.Content = string(raw)
		}
		out[name] = s
	}
	return out
}

// Swapper turns dir into a symlink to one of targets and back, in a tight
// loop, until stop is called; stop leaves dir a directory again.
func Swapper(dir string, targets []string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		aside := dir + ".aside"
		for i := 0; ; i++ {
			select {
			case <-done:
				os.Remove(dir) // the symlink, if it is one
				os.Rename(aside, dir)
				os.MkdirAll(dir, 0o755)
				return
			default:
			}
			os.RemoveAll(aside)
			os.Rename(dir, aside)
			os.Symlink(targets[i%len(targets)], dir)
			os.Remove(dir)
			os.Rename(aside, dir)
			// A varying while as a directory, so that checks made before
			// the writes see one now and then.
			for range i % 13 {
				os.Lstat(dir)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// Unchanged fails t for every entry of dir that was removed, changed or
// created since want was recorded with StateOf; name says which place.
func Unchanged(t testing.TB, name, dir string, want map[string]FileState) {
	t.Helper()
	got := StateOf(t, dir)
	for n, w := range want {
		if g, ok := got[n]; !ok {
			t.Errorf("%s: %s was removed", name, n)
		} else if g != w {
			t.Errorf("%s: %s changed: got %+v; want %+v", name, n, g, w)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: %s was created there", name, n)
		}
	}
}
