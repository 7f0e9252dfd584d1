package archives

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// fixture is a coordinator's archives room over real borg, SQLite and
// the catalog, with one server (web1), its repository and one job
// ("files", keeping one archive a day).
type fixture struct {
	ctx  context.Context
	st   *store.Store
	cat  *catalog.Catalog
	b    *borg.Borg
	arch *Archives
	sv   store.Server
	job  store.Job
	repo borg.Repo
	src  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	b := &borg.Borg{Path: bin, BaseDir: filepath.Join(dir, "base"), LockWait: 1}
	rp := repos.New(dir, b)
	arch := New(Config{Store: st, Events: events.Log{Store: st, Bus: events.NewBus(), Now: time.Now}, Repos: rp, Catalog: cat,
		Layout: datadir.At(dir), Env: localEnv{st, rp}})
	const uuid = "7d1f0c2a-5b3e-4c6d-8e9f-0a1b2c3d4e5f"
	sv, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: "web1"})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := rp.Ensure(ctx, uuid)
	if err != nil {
		t.Fatal(err)
	}
	j, err := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Kind: "files", Spec: "{}", Enabled: true, Keep: `{"daily":1}`})
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	return &fixture{ctx: ctx, st: st, cat: cat, b: b, arch: arch, sv: sv, job: j, repo: repo, src: src}
}

// backup makes an archive of the job at time at, with a file of n random
// bytes of its own (so deleting the archive has space to free), and
// records its run as the backup would.
func (f *fixture) backup(t *testing.T, name string, at time.Time, n int) {
	t.Helper()
	own := make([]byte, n)
	rand.Read(own)
	if err := os.WriteFile(filepath.Join(f.src, "own.bin"), own, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.Create(f.ctx, f.repo, borg.CreateOptions{Archive: name, Paths: []string{f.src}, Timestamp: at, Compression: "none"}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := f.st.StartRun(f.ctx, f.job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.FinishRun(f.ctx, r.ID, store.RunOutcome{Status: store.RunSucceeded, Archive: name}); err != nil {
		t.Fatal(err)
	}
}

// inRepo lists the archives borg itself sees in the repository.
func (f *fixture) inRepo(t *testing.T) []string {
	t.Helper()
	list, err := f.b.List(f.ctx, f.repo)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
	}
	return names
}

func day(d int) time.Time { return time.Date(2026, 1, d, 10, 0, 0, 0, time.UTC) }

// An archive kept forever survives a prune that removes it without the
// mark, and the policy decides for the others as it would without it.
func TestKeptArchiveSurvivesPrune(t *testing.T) {
	f := newFixture(t)
	names := []string{"files@2026-01-01T10.00.00Z", "files@2026-01-02T10.00.00Z", "files@2026-01-03T10.00.00Z", "files@2026-01-04T10.00.00Z"}
	for i, n := range names {
		f.backup(t, n, day(i+1), 1024)
	}
	if err := f.arch.KeepForever(f.ctx, "web1", names[0], true); err != nil {
		t.Fatal(err)
	}
	if err := f.arch.KeepForever(f.ctx, "web1", "files@nope", true); !errors.Is(err, fault.ErrNotFound) || !strings.Contains(err.Error(), "archive list web1") {
		t.Fatalf("KeepForever(an archive not in the repository) = %v; want ErrNotFound that says how to list them", err)
	}
	list, err := f.arch.ListArchives(f.ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.KeepForever != (a.Name == names[0]) {
			t.Errorf("ListArchives: %s keep_forever = %v", a.Name, a.KeepForever)
		}
	}

	// keep-daily 1 over four days keeps only the newest: all but it would go.
	rep, err := f.arch.Prune(f.ctx, "web1/files")
	if err != nil {
		t.Fatal(err)
	}
	if want := names[1:3]; !slices.Equal(sorted(rep.Pruned), want) {
		t.Errorf("pruned %v; want %v", rep.Pruned, want)
	}
	if !slices.Equal(rep.Protected, names[:1]) || !slices.Contains(rep.Kept, names[0]) || !slices.Contains(rep.Kept, names[3]) {
		t.Errorf("report %+v; want %s protected and kept, %s kept", rep, names[0], names[3])
	}
	if got, want := f.inRepo(t), []string{names[0], names[3]}; !slices.Equal(got, want) {
		t.Fatalf("borg list after the prune = %v; want %v", got, want)
	}
	// The catalog and the runs forget only what was pruned.
	known, err := f.st.KnownArchives(f.ctx, f.sv.ID)
	if err != nil || !slices.Equal(sorted(known), []string{names[0], names[3]}) {
		t.Errorf("KnownArchives = %v, %v; want the two left", known, err)
	}

	// Without the mark the same prune removes it: the mark is what kept it.
	if err := f.arch.KeepForever(f.ctx, "web1", names[0], false); err != nil {
		t.Fatal(err)
	}
	rep, err = f.arch.Prune(f.ctx, "web1/files")
	if err != nil || !slices.Equal(rep.Pruned, names[:1]) || len(rep.Protected) != 0 {
		t.Fatalf("Prune after unkeep = %+v, %v; want %s pruned", rep, err, names[0])
	}
	if got := f.inRepo(t); !slices.Equal(got, names[3:]) {
		t.Fatalf("borg list = %v; want only %s", got, names[3])
	}
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// Deleting one archive: typed confirmation, refusals that say what to do,
// and then the archive is gone from borg list, the catalog forgot it and
// the compact freed its space.
func TestDeleteArchive(t *testing.T) {
	f := newFixture(t)
	a, b := "files@2026-01-01T10.00.00Z", "files@2026-01-02T10.00.00Z"
	f.backup(t, a, day(1), 2<<20) // 2 MiB that only a holds
	f.backup(t, b, day(2), 1024)
	if _, err := f.arch.IndexServer(f.ctx, f.sv.UUID); err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		name, archive, confirm string
		kind                   error
		says                   string
	}{
		{"no such archive", "files@nope", "files@nope", fault.ErrNotFound, "web1 has no archive files@nope"},
		{"confirmation missing", a, "", fault.ErrInvalid, "type its name exactly to confirm (--confirm " + a + ")"},
		{"confirmation of another archive", a, b, fault.ErrInvalid, "nothing was deleted"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.arch.DeleteArchive(f.ctx, "web1", tc.archive, tc.confirm)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("DeleteArchive = %v; want %v saying %q", err, tc.kind, tc.says)
			}
		})
	}

	// Kept forever: refused until the mark is taken off.
	if err := f.arch.KeepForever(f.ctx, "web1", a, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.arch.DeleteArchive(f.ctx, "web1", a, a); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "archive unkeep web1 "+a) {
		t.Fatalf("DeleteArchive(kept forever) = %v; want a conflict naming archive unkeep", err)
	}
	if err := f.arch.KeepForever(f.ctx, "web1", a, false); err != nil {
		t.Fatal(err)
	}

	// A restore reading it: refused while the task is queued.
	payload, _ := json.Marshal(map[string]any{"source": f.sv.UUID, "archive": a, "paths": []string{"etc"}})
	task, err := f.st.CreateTask(f.ctx, f.sv.ID, "restore", payload)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.arch.DeleteArchive(f.ctx, "web1", a, a); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "is reading archive "+a) {
		t.Fatalf("DeleteArchive(read by a restore) = %v; want a conflict naming the restore", err)
	}
	if err := f.st.CancelTask(f.ctx, task.ID); err != nil {
		t.Fatal(err)
	}

	// A backup holding the repository's lock: borg waits its lock-wait,
	// then the operator is told the repository is busy, and nothing changed.
	held, err := f.b.HoldLock(f.ctx, f.repo)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.arch.DeleteArchive(f.ctx, "web1", a, a)
	if rerr := held.Release(); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "repository of web1 is busy") {
		t.Fatalf("DeleteArchive while the lock is held = %v; want a conflict saying the repository is busy", err)
	}
	if got := f.inRepo(t); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("borg list after a refused delete = %v; want both archives", got)
	}

	del, err := f.arch.DeleteArchive(f.ctx, "web1", a, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.inRepo(t); !slices.Equal(got, []string{b}) {
		t.Fatalf("borg list after the delete = %v; want only %s", got, b)
	}
	if del.FreedBytes < 2<<20 {
		t.Errorf("the delete freed %d bytes; want at least the 2 MiB only %s held", del.FreedBytes, a)
	}
	known, err := f.cat.Archives(f.ctx, f.sv.UUID)
	if err != nil || known[a].Pruned.IsZero() || !known[b].Pruned.IsZero() {
		t.Errorf("catalog after the delete = %+v, %v; want %s forgotten, %s kept", known, err, a, b)
	}
	if list, _ := f.arch.ListArchives(f.ctx, "web1"); len(list) != 1 || list[0].Name != b {
		t.Errorf("ListArchives = %+v; want only %s", list, b)
	}
	evs, err := f.st.ListEvents(f.ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(e store.Event) bool {
		return e.Kind == events.JobChanged && e.Subject == f.sv.UUID && strings.Contains(e.Message, "archive "+a+" of web1 deleted")
	}) {
		t.Errorf("no event for the delete in %+v", evs)
	}
	// Borgdesk deleted it, so the next prune is not held for it.
	if _, err := f.arch.Prune(f.ctx, "web1/files"); err != nil {
		t.Errorf("Prune after the delete = %v; want it to run", err)
	}
}

// Renaming follows the archive everywhere Borgdesk knows it; the comment
// lives in Borgdesk's database.
func TestRenameArchive(t *testing.T) {
	f := newFixture(t)
	a, b := "files@2026-01-01T10.00.00Z", "files@2026-01-02T10.00.00Z"
	f.backup(t, a, day(1), 1024)
	f.backup(t, b, day(2), 1024)
	if _, err := f.arch.IndexServer(f.ctx, f.sv.UUID); err != nil {
		t.Fatal(err)
	}
	if err := f.arch.KeepForever(f.ctx, "web1", a, true); err != nil {
		t.Fatal(err)
	}
	comment := func(s string) *string { return &s }

	refusals := []struct {
		name string
		in   RenameInput
		kind error
		says string
	}{
		{"no such archive", RenameInput{Server: "web1", Archive: "files@nope", NewName: "x"}, fault.ErrNotFound, "web1 has no archive files@nope"},
		{"a name taken", RenameInput{Server: "web1", Archive: a, NewName: b}, fault.ErrConflict, "already has an archive named " + b},
		{"a slash", RenameInput{Server: "web1", Archive: a, NewName: "files@a/b"}, fault.ErrInvalid, "has a /"},
		{"a space", RenameInput{Server: "web1", Archive: a, NewName: "files@a b"}, fault.ErrInvalid, "has a space"},
		{"nothing to change", RenameInput{Server: "web1", Archive: a, NewName: a}, fault.ErrInvalid, "give a new name or a comment"},
		{"a comment on two lines", RenameInput{Server: "web1", Archive: a, Comment: comment("one\ntwo")}, fault.ErrInvalid, "on one line"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.arch.RenameArchive(f.ctx, tc.in)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("RenameArchive(%+v) = %v; want %v saying %q", tc.in, err, tc.kind, tc.says)
			}
		})
	}
	if got := f.inRepo(t); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("borg list after refused renames = %v", got)
	}

	const renamed = "files@2026-01-01-before-upgrade"
	res, err := f.arch.RenameArchive(f.ctx, RenameInput{Server: "web1", Archive: a, NewName: renamed, Comment: comment("state before the PHP 8 upgrade")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Archive != renamed || res.Comment != "state before the PHP 8 upgrade" || res.Note != "" {
		t.Errorf("RenameArchive = %+v", res)
	}
	if got := f.inRepo(t); !slices.Equal(got, []string{renamed, b}) {
		t.Fatalf("borg list after the rename = %v", got)
	}
	list, err := f.arch.ListArchives(f.ctx, "web1")
	if err != nil || len(list) != 2 || list[0].Name != renamed || !list[0].KeepForever || list[0].Comment != "state before the PHP 8 upgrade" || !list[0].Indexed {
		t.Fatalf("ListArchives after the rename = %+v, %v; want the new name, still kept, commented and indexed", list, err)
	}
	if _, err := f.arch.BrowseArchive(f.ctx, "web1", renamed, ""); err != nil {
		t.Errorf("BrowseArchive(new name) = %v", err)
	}
	// The run that made it follows, so prune does not take it for missing.
	if _, err := f.arch.Prune(f.ctx, "web1/files"); err != nil {
		t.Fatalf("Prune after the rename = %v; want it to run (and spare the kept archive)", err)
	}
	if got := f.inRepo(t); !slices.Equal(got, []string{renamed, b}) {
		t.Fatalf("borg list after the prune = %v; want both (one kept forever, one the newest)", got)
	}

	// Only the comment; then out of the job's prefix, which the answer says.
	if res, err := f.arch.RenameArchive(f.ctx, RenameInput{Server: "web1", Archive: b, Comment: comment("last of the old host")}); err != nil || res.Archive != b || res.Comment != "last of the old host" {
		t.Fatalf("comment only = %+v, %v", res, err)
	}
	if res, err := f.arch.RenameArchive(f.ctx, RenameInput{Server: "web1", Archive: b, NewName: "golden-image"}); err != nil || !strings.Contains(res.Note, "retention of job files no longer prunes it") || res.Comment != "last of the old host" {
		t.Fatalf("rename out of the prefix = %+v, %v; want a note and the comment kept", res, err)
	}
}
