package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "borgdesk.db")
	st, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestOpenFreshIsLatestInWAL(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != LatestSchema() {
		t.Fatalf("schema = %d, %v; want %d", v, err, LatestSchema())
	}
	var mode string
	st.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q; want wal", mode)
	}
	var busy int
	st.db.QueryRow("PRAGMA busy_timeout").Scan(&busy)
	if busy != 5000 {
		t.Errorf("busy_timeout = %d; want 5000", busy)
	}
	servers, err := st.ListServers(ctx)
	if err != nil || servers == nil || len(servers) != 0 {
		t.Errorf("ListServers on fresh db = %#v, %v; want empty non-nil slice", servers, err)
	}
}

func TestServersJobsRuns(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	web, err := st.CreateServer(ctx, Server{UUID: "u-web", Name: "web1", Host: "10.0.0.5", User: "root"})
	if err != nil {
		t.Fatal(err)
	}
	if web.Port != 22 || web.Status != ServerPending || web.CreatedAt.IsZero() {
		t.Errorf("defaults not applied: %+v", web)
	}
	if _, err := st.CreateServer(ctx, Server{UUID: "u-other", Name: "web1"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate name: err = %v; want ErrConflict", err)
	}
	for _, ref := range []string{"web1", "u-web", fmt.Sprint(web.ID)} {
		got, err := st.FindServer(ctx, ref)
		if err != nil || got.ID != web.ID {
			t.Errorf("FindServer(%q) = %d, %v; want %d", ref, got.ID, err, web.ID)
		}
	}
	if _, err := st.FindServer(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindServer(nope): err = %v; want ErrNotFound", err)
	}

	job, err := st.CreateJob(ctx, Job{ServerID: web.ID, Name: "etc", Kind: "files", Schedule: "0 3 * * *", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if job.ServerName != "web1" || job.Spec != "{}" {
		t.Errorf("job = %+v", job)
	}
	run, err := st.StartRun(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := st.CountRunning(ctx); n != 1 {
		t.Errorf("running = %d; want 1", n)
	}
	done, err := st.FinishRun(ctx, run.ID, RunOutcome{Status: RunSucceeded, Bytes: 1234, Files: 5})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != RunSucceeded || done.FinishedAt == nil || done.Bytes != 1234 || done.JobName != "etc" || done.ServerName != "web1" {
		t.Errorf("finished run = %+v", done)
	}
	if _, err := st.FinishRun(ctx, run.ID, RunOutcome{Status: RunFailed, Error: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("finishing a finished run: err = %v; want ErrNotFound", err)
	}

	// Deleting the server cascades to its jobs and runs.
	if err := st.DeleteServer(ctx, web.ID); err != nil {
		t.Fatal(err)
	}
	jobs, _ := st.ListJobs(ctx)
	runs, _ := st.ListRuns(ctx, 10)
	if len(jobs) != 0 || len(runs) != 0 {
		t.Errorf("after delete: %d jobs, %d runs; want 0, 0", len(jobs), len(runs))
	}
	if err := st.DeleteServer(ctx, web.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: err = %v; want ErrNotFound", err)
	}
}

func TestFailInterruptedRuns(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	sv, _ := st.CreateServer(ctx, Server{UUID: "u1", Name: "db1"})
	job, _ := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "pg", Kind: "postgres"})
	r1, _ := st.StartRun(ctx, job.ID)
	r2, _ := st.StartRun(ctx, job.ID)
	st.FinishRun(ctx, r2.ID, RunOutcome{Status: RunSucceeded})
	failed, err := st.FailInterruptedRuns(ctx)
	if err != nil || len(failed) != 1 || failed[0].ID != r1.ID {
		t.Fatalf("FailInterruptedRuns = %+v, %v; want run %d", failed, err, r1.ID)
	}
	got, _ := st.Run(ctx, r1.ID)
	if got.Status != RunFailed || !strings.Contains(got.Error, "interrupted") {
		t.Errorf("interrupted run = %+v", got)
	}
	if got, _ := st.Run(ctx, r2.ID); got.Status != RunSucceeded {
		t.Errorf("finished run changed to %q", got.Status)
	}
}

func TestEventsAndSettings(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "db")
	st, err := Open(context.Background(), path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for i := range 3 {
		if _, err := st.AppendEvent(ctx, Event{Kind: "k", Message: fmt.Sprint("m", i), Data: []byte(`{"i":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := st.ListEvents(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{evs[0].Message, evs[1].Message}
	if diff := cmp.Diff([]string{"m2", "m1"}, got); diff != "" {
		t.Errorf("newest first (-want +got):\n%s", diff)
	}
	if !evs[0].At.Equal(now) || string(evs[0].Data) != `{"i":1}` {
		t.Errorf("event = %+v", evs[0])
	}

	if _, err := st.Setting(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unset setting: err = %v", err)
	}
	st.SetSetting(ctx, "a", "1")
	st.SetSetting(ctx, "a", "2")
	all, _ := st.Settings(ctx)
	if diff := cmp.Diff(map[string]string{"a": "2"}, all); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
}

func TestNewerSchemaIsRefusedUntouched(t *testing.T) {
	st, path := openTest(t)
	st.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", LatestSchema()+5))
	st.Close()
	before, _ := os.ReadFile(path)
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v; want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "upgrade Borgdesk") {
		t.Errorf("error %q does not say what to do", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("database file changed although it was refused")
	}
}

func TestCorruptDatabaseIsRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "borgdesk.db")
	garbage := bytes.Repeat([]byte("this is not sqlite "), 400)
	os.WriteFile(path, garbage, 0o600)
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v; want ErrCorrupt", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(garbage, after) {
		t.Error("corrupt file was modified")
	}
}

func TestMigrationMakesBackupFirst(t *testing.T) {
	st, path := openTest(t)
	ctx := context.Background()
	st.CreateServer(ctx, Server{UUID: "u1", Name: "keepme"})
	st.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]string{}, saved...), `ALTER TABLE servers ADD COLUMN notes TEXT NOT NULL DEFAULT ''`)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st2, err := Open(ctx, path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if v, _ := st2.SchemaVersion(ctx); v != len(saved)+1 {
		t.Errorf("schema = %d; want %d", v, len(saved)+1)
	}
	backup := fmt.Sprintf("%s.schema-%d.20260102T030405Z.bak", path, len(saved))
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatalf("no backup before migrating: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v; want 0600", fi.Mode().Perm())
	}
	old, err := sql.Open("sqlite", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var name string
	var version int
	old.QueryRow("SELECT name FROM servers").Scan(&name)
	old.QueryRow("PRAGMA user_version").Scan(&version)
	if name != "keepme" || version != len(saved) {
		t.Errorf("backup holds server %q at schema %d; want keepme at %d", name, version, len(saved))
	}
}

func TestConcurrentWritersDoNotFailBusy(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if _, err := st.AppendEvent(ctx, Event{Kind: "w", Message: fmt.Sprint(w, i)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	evs, _ := st.ListEvents(ctx, 1000)
	if len(evs) != 400 {
		t.Errorf("events = %d; want 400", len(evs))
	}
}

func TestJobRunFactsPerJob(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	at := func(h int) string { return ts(time.Date(2026, 12, 7, h, 0, 0, 0, time.UTC)) }
	mustExec := func(q string, args ...any) int64 {
		t.Helper()
		res, err := st.db.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	sid := mustExec(`INSERT INTO servers (uuid, name, created_at, updated_at) VALUES ('u1', 'web1', ?, ?)`, at(0), at(0))
	flaky := mustExec(`INSERT INTO jobs (server_id, name, kind, created_at, updated_at) VALUES (?, 'flaky', 'files', ?, ?)`, sid, at(0), at(0))
	never := mustExec(`INSERT INTO jobs (server_id, name, kind, created_at, updated_at) VALUES (?, 'never', 'files', ?, ?)`, sid, at(0), at(0))
	idle := mustExec(`INSERT INTO jobs (server_id, name, kind, created_at, updated_at) VALUES (?, 'idle', 'files', ?, ?)`, sid, at(0), at(0))
	run := func(job int64, status string, h int, errText string) {
		mustExec(`INSERT INTO runs (job_id, status, started_at, finished_at, error) VALUES (?, ?, ?, ?, ?)`, job, status, at(h), at(h), errText)
	}
	run(flaky, RunSucceeded, 1, "")
	run(flaky, RunWarning, 2, "")
	run(flaky, RunFailed, 3, "no space left")
	run(flaky, RunCancelled, 4, "") // the operator's cancel is not the job's state
	run(never, RunFailed, 5, "path not found")

	facts, err := st.JobRunFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := facts[flaky]
	if f.LastSuccess == nil || ts(*f.LastSuccess) != at(2) || f.LastStatus != RunFailed || f.LastError != "no space left" || f.LastAt == nil || ts(*f.LastAt) != at(3) {
		t.Errorf("flaky = %+v; want last success 02:00, last run failed at 03:00 with its error", f)
	}
	if n := facts[never]; n.LastSuccess != nil || n.LastStatus != RunFailed {
		t.Errorf("never = %+v; want no success, last run failed", n)
	}
	if i, ok := facts[idle]; !ok || i.LastSuccess != nil || i.LastStatus != "" {
		t.Errorf("idle = %+v (present %v); want present with nothing", i, ok)
	}
}
