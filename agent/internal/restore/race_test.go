package restore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/safefs"
	"borgdesk/backend/shared/safefs/safefstest"
	"borgdesk/backend/shared/testenv"
)

// needRoot fails a test that needs root when it runs as another user,
// unless the person running it opts out (testenv.OptOut).
func needRoot(t *testing.T, why string) {
	t.Helper()
	testenv.NeedRoot(t, why)
}

// writeFiles writes files (path → content) under root with an owner and
// a mode.
func writeFiles(t *testing.T, root string, files map[string]string, uid int, mode os.FileMode) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), mode); err != nil {
			t.Fatal(err)
		}
		os.Chown(full, uid, uid)
		os.Chmod(full, mode)
	}
}

// A local user who owns a directory of the destination swaps it for a
// symlink while restored files are placed: nothing is ever created,
// replaced, chowned or chmodded through the link.
func TestPlaceRaceNeverWritesThroughSymlinks(t *testing.T) {
	needRoot(t, "give staged files another owner (uid 12345)")
	dst := t.TempDir()
	cron := filepath.Join(dst, "etc", "cron.d")
	outside := t.TempDir()
	for _, dir := range []string{cron, outside} {
		writeFiles(t, dir, map[string]string{"existing": "root's own\n", "keep": "root's own\n"}, 0, 0o644)
	}
	wantCron, wantOutside := safefstest.StateOf(t, cron), safefstest.StateOf(t, outside)
	cfg := filepath.Join(dst, "home", "alice", ".config")
	os.MkdirAll(cfg, 0o755)
	staged := map[string]string{}
	for _, n := range []string{"a.conf", "b.conf", "existing"} {
		staged["home/alice/.config/"+n] = "from the archive: " + n + "\n"
	}

	stop := safefstest.Swapper(cfg, []string{"../../etc/cron.d", outside})
	deadline := time.Now().Add(30 * time.Second)
	runs, failed := 0, 0
	for ; runs < 200 && time.Now().Before(deadline); runs++ {
		staging := filepath.Join(dst, StagingPrefix+"1")
		os.RemoveAll(staging)
		writeFiles(t, staging, staged, 12345, 0o666)
		policy := agentapi.PolicyOverwrite
		if runs%2 == 1 {
			policy = agentapi.PolicyKeepBoth
		}
		if err := placeStaging(t, staging, dst, policy); err != nil {
			failed++
			if failed < 4 {
				t.Log(err)
			}
		}
	}
	stop()
	t.Logf("%d placements under attack, %d refused", runs, failed)
	for name, dir := range map[string]string{"etc/cron.d inside the destination": cron, "a directory outside it": outside} {
		want := wantCron
		if dir == outside {
			want = wantOutside
		}
		safefstest.Unchanged(t, name, dir, want)
	}
}

// placeStaging places a staging tree built by the test, as Files does
// once borg has extracted.
func placeStaging(t *testing.T, staging, to, policy string) error {
	t.Helper()
	res := agentapi.RestoreResult{To: to}
	return placeWith(t, staging, to, &placer{policy: policy, res: &res})
}

func placeWith(t *testing.T, staging, to string, pl *placer) error {
	t.Helper()
	pl.env.defaults()
	pl.to, pl.tr, pl.stamp = to, newTracker(pl.env, 0, 0), "20260101-000000"
	root, err := safefs.OpenRoot(to)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	stage, err := root.OpenDir(filepath.Base(staging))
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Close()
	return pl.placeAll(context.Background(), stage, root)
}
