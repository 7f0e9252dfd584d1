package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestPausedSchedulesSkipSlotsAndAnnounce(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(Config{Store: st, Now: clk.now, RetryDelay: time.Hour})
	ctx := context.Background()
	st.CreateServer(ctx, store.Server{UUID: "11111111-2222-3333-4444-555555555555", Name: "web1"})
	if _, err := svc.CreateJob(ctx, JobInput{Server: "web1", Name: "etc", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/etc"}}, Schedule: "*/5 * * * *"}); err != nil {
		t.Fatal(err)
	}
	runs := func() int {
		r, _ := st.ListRuns(ctx, 100)
		return len(r)
	}
	if svc.SchedulesPaused(ctx) {
		t.Fatal("schedules paused by default")
	}
	sub := svc.Subscribe(8)
	defer sub.Close()
	if err := svc.PauseSchedules(ctx, true); err != nil {
		t.Fatal(err)
	}
	if ev := <-sub.C; ev.Kind != events.SettingsChanged || ev.Subject != "schedules.paused" {
		t.Errorf("event = %s %s; want settings:changed schedules.paused", ev.Kind, ev.Subject)
	}
	if !svc.SchedulesPaused(ctx) {
		t.Fatal("SchedulesPaused = false after PauseSchedules(true)")
	}
	clk.add(5 * time.Minute) // 10:06, past the 10:05 slot
	svc.runDue(ctx)
	if n := runs(); n != 0 {
		t.Fatalf("%d runs while paused; want 0", n)
	}
	if _, err := svc.RunJob(ctx, "web1/etc", "manual"); err != nil {
		t.Fatalf("a run by hand while paused: %v", err)
	}
	if err := svc.PauseSchedules(ctx, false); err != nil {
		t.Fatal(err)
	}
	svc.runDue(ctx) // the 10:05 slot passed while paused: not caught up
	if n := runs(); n != 1 {
		t.Fatalf("%d runs right after resuming; want only the one by hand", n)
	}
	clk.add(5 * time.Minute) // 10:11, past the 10:10 slot
	svc.runDue(ctx)
	if n := runs(); n != 2 {
		t.Fatalf("%d runs after the next slot; want 2", n)
	}
}
