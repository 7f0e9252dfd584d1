package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestDescribeScheduleUsesTheServersRPO(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(Config{Store: st, Now: clk.now})
	ctx := context.Background()
	st.CreateServer(ctx, store.Server{UUID: "11111111-2222-3333-4444-555555555555", Name: "web1"})
	st.CreateServer(ctx, store.Server{UUID: "11111111-2222-3333-4444-666666666666", Name: "db1"})
	if err := svc.SetSetting(ctx, "rpo.web1", "80h"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		server string
		miss   bool
	}{{"web1", false}, {"db1", true}, {"", true}} {
		d, err := svc.DescribeSchedule(ctx, "30 2 * * 1-5", tt.server)
		if err != nil {
			t.Fatal(err)
		}
		if d.MissesRPO != tt.miss {
			t.Errorf("server %q: misses RPO %v (rpo %ds); want %v", tt.server, d.MissesRPO, d.RPOSeconds, tt.miss)
		}
	}
	if _, err := svc.DescribeSchedule(ctx, "0 3 * * *", "nosuch"); err == nil {
		t.Error("an unknown server: no error")
	}
	// The listing carries the next run of a scheduled job only.
	svc.CreateJob(ctx, JobInput{Server: "web1", Name: "etc", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/etc"}}, Schedule: "30 2 * * *"})
	svc.CreateJob(ctx, JobInput{Server: "web1", Name: "hand", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{"/srv"}}})
	views, err := svc.ListJobViews(ctx)
	if err != nil || len(views) != 2 {
		t.Fatalf("ListJobViews: %d, %v", len(views), err)
	}
	for _, v := range views {
		if (v.NextRun != nil) != (v.Schedule != "") || v.LastScheduled != nil {
			t.Errorf("%s: next %v, last %v", v.Name, show(v.NextRun), show(v.LastScheduled))
		}
	}
}

func show(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.UTC().Format(time.RFC3339)
}
