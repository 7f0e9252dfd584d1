package flx

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/testenv"
)

// needRoot fails a test that needs root when it runs as another user,
// unless the person running it opts out (testenv.OptOut).
func needRoot(t *testing.T, why string) {
	t.Helper()
	testenv.NeedRoot(t, why)
}

// fileState is what must not change about a file outside the restore's
// place: its inode, content, owner and mode.
type fileState struct {
	ino      uint64
	uid, gid uint32
	mode     os.FileMode
	content  string
}

func stateOf(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
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
		s := fileState{ino: st.Ino, uid: st.Uid, gid: st.Gid, mode: fi.Mode()}
		if fi.Mode().IsRegular() {
			raw, _ := os.ReadFile(p)
			s.content = string(raw)
		}
		out[name] = s
	}
	return out
}

// swapper turns dir into a symlink to one of targets and back, in a tight
// loop, until stop is called.
func swapper(dir string, targets []string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
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
	}()
	return func() { close(done); wg.Wait() }
}

// A local user who owns a directory of the target swaps it for a symlink
// (to a place inside the root, as every place is when the root is /, or
// outside it) while restores run: nothing is ever created, removed,
// chowned or chmodded through the link.
func TestRestoreRaceNeverWritesThroughSymlinks(t *testing.T) {
	needRoot(t, "give restored files another owner (uid 12345)")
	src := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"a.conf", "b.conf", "c.conf", "existing", "keep"} {
		files["home/alice/.config/"+n] = "from the snapshot: " + n + "\n"
	}
	writeTree(t, src, files, nil)
	for p := range files {
		full := filepath.Join(src, p)
		os.Chown(full, 12345, 12345)
		os.Chmod(full, 0o666)
	}
	delete(files, "home/alice/.config/keep")
	os.Remove(filepath.Join(src, "home/alice/.config/keep"))
	snap := snapshot(t, src, []string{"home"}, Options{KeepSecrets: true})

	dst := t.TempDir()
	cron := filepath.Join(dst, "etc", "cron.d")
	outside := t.TempDir()
	for _, dir := range []string{cron, outside} {
		writeTree(t, dir, map[string]string{"existing": "root's own\n", "keep": "root's own\n"}, nil)
		for _, n := range []string{"existing", "keep"} {
			os.Chown(filepath.Join(dir, n), 0, 0)
			os.Chmod(filepath.Join(dir, n), 0o644)
		}
	}
	wantCron, wantOutside := stateOf(t, cron), stateOf(t, outside)
	cfg := filepath.Join(dst, "home", "alice", ".config")
	writeTree(t, dst, map[string]string{"home/alice/.config/stale": "stale\n"}, nil)

	stop := swapper(cfg, []string{"../../etc/cron.d", outside})
	deadline := time.Now().Add(30 * time.Second)
	runs, failed := 0, 0
	for ; runs < 200 && time.Now().Before(deadline); runs++ {
		mode := ModeFresh
		if runs%2 == 1 {
			mode = ModeMerge
		}
		if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: mode}); err != nil {
			failed++
			if failed < 4 || !strings.Contains(err.Error(), "nothing was written") && failed < 40 {
				t.Log(err)
			}
		}
	}
	stop()
	t.Logf("%d restores under attack, %d refused", runs, failed)

	for name, dir := range map[string]string{"etc/cron.d inside the root": cron, "a directory outside the root": outside} {
		want := wantCron
		if dir == outside {
			want = wantOutside
		}
		got := stateOf(t, dir)
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

	// Without the attacker, the same restore goes through.
	if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeFresh}); err != nil {
		t.Fatalf("restore after the attack: %v", err)
	}
	for p, c := range files {
		if raw, err := os.ReadFile(filepath.Join(dst, p)); err != nil || string(raw) != c {
			t.Errorf("%s after the restore: %q, %v; want %q", p, raw, err, c)
		}
	}
}
