package restore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
)

// needBorg fails without borg unless the person running it opts out
// (testenv.OptOut).
func needBorg(t *testing.T) {
	t.Helper()
	testenv.NeedCommands(t, "borg")
}

// Files end to end with a real borg: extracted into the staging folder
// through its descriptor, placed, the staging folder gone afterwards.
func TestFilesWithBorg(t *testing.T) {
	needBorg(t)
	ctx := context.Background()
	b := &borg.Borg{BaseDir: t.TempDir()}
	repo := borg.Repo{Location: filepath.Join(t.TempDir(), "repo"), Passphrase: "test passphrase"}
	if err := b.Init(ctx, repo); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"data/a.txt": "alpha\n", "data/sub/b.txt": "bravo\n"}, os.Geteuid(), 0o644)
	t.Chdir(src)
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "a1", Paths: []string{"data"}}, nil); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	writeFiles(t, dst, map[string]string{"data/a.txt": "mine\n"}, os.Geteuid(), 0o644)
	res, err := Files(ctx, Env{Borg: b, TaskID: 42}, agentapi.RestorePayload{Repo: repo.Location, Passphrase: repo.Passphrase, Archive: "a1", To: dst, Policy: agentapi.PolicySkip})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"data/a.txt": "mine\n", "data/sub/b.txt": "bravo\n"} {
		if raw, _ := os.ReadFile(filepath.Join(dst, p)); string(raw) != want {
			t.Errorf("%s: %q; want %q", p, raw, want)
		}
	}
	if res.Skipped != 1 || res.Files != 1 {
		t.Errorf("result %+v; want 1 skipped, 1 file written", res)
	}
	if _, err := os.Stat(filepath.Join(dst, StagingPrefix+"42")); !os.IsNotExist(err) {
		t.Errorf("the staging folder is still there: %v", err)
	}
}
