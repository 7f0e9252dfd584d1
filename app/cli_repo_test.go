package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// repoDataDir is a data dir with one server (web1, uuid) whose repository
// on the coordinator real borg made and filled with archives (one small
// file each, a day apart from 2026-01-01), for the CLI tests that run
// `borgdesk serve` over it. It returns the dir, the borg used and a
// function listing the repository's archives.
func repoDataDir(t *testing.T, uuid string, archives ...string) (dir string, b *borg.Borg, list func() []string) {
	t.Helper()
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dir = t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, datadir.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: "web1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	b = &borg.Borg{Path: bin, BaseDir: filepath.Join(dir, "borg")}
	repo, err := repos.New(dir, b).Ensure(ctx, uuid)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(src, 0o755)
	for i, name := range archives {
		os.WriteFile(filepath.Join(src, "n"), []byte(name), 0o644)
		if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: name, Paths: []string{src}, Timestamp: time.Date(2026, 1, i+1, 10, 0, 0, 0, time.UTC)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	list = func() []string {
		t.Helper()
		got, err := b.List(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range got {
			out = append(out, a.Name)
		}
		return out
	}
	return dir, b, list
}
