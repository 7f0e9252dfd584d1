package service

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestSchedulerRunsDueJobsOnceAndCatchesUp(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(Config{Store: st, Now: clk.now, RetryDelay: time.Hour})
	ctx := context.Background()
	sv, _ := st.CreateServer(ctx, store.Server{UUID: "11111111-2222-3333-4444-555555555555", Name: "web1"})
	if _, err := svc.CreateJob(ctx, JobInput{Server: "web1", Name: "etc", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/etc"}}, Schedule: "*/5 * * * *"}); err != nil {
		t.Fatal(err)
	}
	runs := func() []store.Run {
		r, _ := st.ListRuns(ctx, 100)
		return r
	}
	svc.runDue(ctx)
	if n := len(runs()); n != 0 {
		t.Fatalf("%d runs before the first slot", n)
	}
	clk.add(5 * time.Minute) // 10:06, past the 10:05 slot
	svc.runDue(ctx)
	svc.runDue(ctx)
	if got := runs(); len(got) != 1 || got[0].Trigger != "schedule" {
		t.Fatalf("after one slot: %+v; want one scheduled run", got)
	}
	clk.add(3 * time.Hour) // closed for hours: one catch-up run, not 36
	svc.runDue(ctx)
	got := runs()
	if len(got) != 2 || got[0].Trigger != "catch-up" {
		t.Fatalf("after a long gap: %d runs, newest %+v; want one catch-up run", len(got), got[0])
	}
	// Without a repository store the run fails with a sentence, not silently.
	if got[0].Status != store.RunFailed || got[0].Error == "" {
		t.Errorf("run without repositories = %+v", got[0])
	}
	_ = sv
}

func TestCreateJobValidation(t *testing.T) {
	svc, st := newTest(t)
	ctx := context.Background()
	st.CreateServer(ctx, store.Server{UUID: "11111111-2222-3333-4444-555555555555", Name: "web1"})
	bad := []JobInput{
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "files"}},
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "files", Paths: []string{"relative/path"}}},
		{Server: "web1", Name: "x y", Spec: agentapi.BackupSpec{Kind: "files", Paths: []string{"/etc"}}},
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "tape"}},
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "files", Paths: []string{"/etc"}}, Schedule: "every day"},
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "files", Paths: []string{"/etc"}, Pre: [][]string{{"rm", "-rf", "/"}}}},
		{Server: "web1", Name: "x", Spec: agentapi.BackupSpec{Kind: "docker"}},
	}
	for i, in := range bad {
		if _, err := svc.CreateJob(ctx, in); err == nil {
			t.Errorf("case %d accepted: %+v", i, in)
		}
	}
	if _, err := svc.CreateJob(ctx, JobInput{Server: "nope", Name: "x", Spec: agentapi.BackupSpec{Kind: "files", Paths: []string{"/etc"}}}); err == nil {
		t.Error("job for an unknown server accepted")
	}
}
