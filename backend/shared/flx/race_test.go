//go:build linux

package flx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/safefs/safefstest"
	"borgdesk/backend/shared/testenv"
)

// needRoot fails a test that needs root when it runs as another user,
// unless the person running it opts out (testenv.OptOut).
func needRoot(t *testing.T, why string) {
	t.Helper()
	testenv.NeedRoot(t, why)
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
	wantCron, wantOutside := safefstest.StateOf(t, cron), safefstest.StateOf(t, outside)
	cfg := filepath.Join(dst, "home", "alice", ".config")
	writeTree(t, dst, map[string]string{"home/alice/.config/stale": "stale\n"}, nil)

	stop := safefstest.Swapper(cfg, []string{"../../etc/cron.d", outside})
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
		safefstest.Unchanged(t, name, dir, want)
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
