package borg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// needBorg fails without borg unless the person running it opts out
// (testenv.OptOut).
func needBorg(t *testing.T) *Borg {
	t.Helper()
	testenv.NeedCommands(t, "borg")
	return &Borg{BaseDir: t.TempDir(), LockWait: 1}
}

func newRepo(t *testing.T, b *Borg) Repo {
	t.Helper()
	r := Repo{Location: filepath.Join(t.TempDir(), "repo"), Passphrase: "correct horse battery staple"}
	if err := b.Init(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc", "nginx"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc", "nginx", "nginx.conf"), []byte("worker_processes 2;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.bin"), bytes.Repeat([]byte("0123456789abcdef"), 1<<16), 0o600)
	os.WriteFile(filepath.Join(dir, "skip.tmp"), []byte("x"), 0o644)
	return dir
}

func TestCreateListExtract(t *testing.T) {
	b := needBorg(t)
	r := newRepo(t, b)
	src := tree(t)
	ctx := context.Background()
	var reports []Progress
	a, err := b.Create(ctx, r, CreateOptions{Archive: "files-1", Paths: []string{src}, Excludes: []string{"*.tmp"}, Compression: "zstd,3"},
		func(p Progress) { reports = append(reports, p) })
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "files-1" || a.Stats.NFiles != 2 || a.Stats.OriginalSize < 1<<20 {
		t.Errorf("archive = %+v", a)
	}
	if len(reports) == 0 {
		t.Error("no progress reported")
	}
	list, err := b.List(ctx, r)
	if err != nil || len(list) != 1 || list[0].Name != "files-1" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	var paths []string
	if err := b.ListItems(ctx, r, "files-1", func(it Item) error {
		if it.Type == "-" {
			paths = append(paths, it.Path)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rel := strings.TrimPrefix(src, "/")
	want := []string{rel + "/big.bin", rel + "/etc/nginx/nginx.conf"}
	slices.Sort(paths)
	if !slices.Equal(paths, want) {
		t.Errorf("items = %v; want %v (skip.tmp excluded)", paths, want)
	}
	out := t.TempDir()
	if err := b.Extract(ctx, r, "files-1", out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(out, rel, "etc", "nginx", "nginx.conf"))
	if string(got) != "worker_processes 2;\n" {
		t.Errorf("extracted %q", got)
	}
	var buf bytes.Buffer
	if err := b.ExtractStdout(ctx, r, "files-1", rel+"/etc/nginx/nginx.conf", &buf); err != nil || buf.String() != "worker_processes 2;\n" {
		t.Errorf("ExtractStdout = %q, %v", buf.String(), err)
	}
}

func TestCreateFromStdin(t *testing.T) {
	b := needBorg(t)
	r := newRepo(t, b)
	dump := strings.Repeat("INSERT INTO t VALUES (1);\n", 1000)
	a, err := b.Create(context.Background(), r, CreateOptions{Archive: "db-1", Stdin: strings.NewReader(dump), StdinName: "mysql/all.sql"}, nil)
	if err != nil || a.Stats.NFiles != 1 {
		t.Fatalf("Create = %+v, %v", a, err)
	}
	var buf bytes.Buffer
	if err := b.ExtractStdout(context.Background(), r, "db-1", "mysql/all.sql", &buf); err != nil || buf.String() != dump {
		t.Errorf("round trip: %d bytes, %v", buf.Len(), err)
	}
}

func TestErrorsSaySomethingUseful(t *testing.T) {
	b := needBorg(t)
	r := newRepo(t, b)
	ctx := context.Background()
	wrong := r
	wrong.Passphrase = "nope"
	_, err := b.List(ctx, wrong)
	if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("wrong passphrase: %v", err)
	}
	_, err = b.List(ctx, Repo{Location: filepath.Join(t.TempDir(), "none"), Passphrase: "x"})
	if !errors.Is(err, ErrNoRepository) {
		t.Errorf("missing repository: %v", err)
	}
	_, err = b.Info(ctx, r, "nope")
	if !errors.Is(err, ErrNoArchive) || errors.Is(err, ErrNoRepository) || !strings.Contains(err.Error(), "list the archives") {
		t.Errorf("missing archive: %v", err)
	}
	// Hold the lock with another borg process.
	hold := exec.Command(b.bin(), "with-lock", r.Location, "sleep", "10")
	hold.Env = b.env(r)
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { hold.Process.Kill(); hold.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	_, err = b.Create(ctx, r, CreateOptions{Archive: "x", Paths: []string{tree(t)}}, nil)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "break-lock") {
		t.Errorf("locked: %v", err)
	}
}

func TestPruneKeepsWhatThePolicySays(t *testing.T) {
	b := needBorg(t)
	r := newRepo(t, b)
	src := tree(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	// Two archives a day for ten days.
	var names []string
	for day := 0; day < 10; day++ {
		for h := 0; h < 2; h++ {
			name := fmt.Sprintf("job-%02d-%d", day, h)
			names = append(names, name)
			if _, err := b.Create(ctx, r, CreateOptions{Archive: name, Paths: []string{src}, Timestamp: base.AddDate(0, 0, day).Add(time.Duration(h) * 6 * time.Hour)}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := b.Create(ctx, r, CreateOptions{Archive: "other-1", Paths: []string{src}, Timestamp: base}, nil); err != nil {
		t.Fatal(err)
	}
	dry, err := b.Prune(ctx, r, Keep{Daily: 7}, "job-", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Kept) != 7 || len(dry.Pruned) != 13 {
		t.Fatalf("dry run kept %d, pruned %d; want 7 and 13: %+v", len(dry.Kept), len(dry.Pruned), dry)
	}
	res, err := b.Prune(ctx, r, Keep{Daily: 7}, "job-", false)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := b.List(ctx, r)
	var left []string
	for _, a := range list {
		left = append(left, a.Name)
	}
	slices.Sort(left)
	// The last archive of each of the last seven days, and the other job's archive.
	want := []string{"job-03-1", "job-04-1", "job-05-1", "job-06-1", "job-07-1", "job-08-1", "job-09-1", "other-1"}
	if !slices.Equal(left, want) {
		t.Errorf("left %v; want %v (prune said kept %v)", left, want, res.Kept)
	}
	if _, err := b.Prune(ctx, r, Keep{}, "", false); err == nil {
		t.Error("an empty policy was accepted")
	}
	if err := b.Compact(ctx, r); err != nil {
		t.Error(err)
	}
	if err := b.Check(ctx, r, false); err != nil {
		t.Error(err)
	}
}
