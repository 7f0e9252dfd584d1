package service

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

func newTest(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(Config{Store: st, DataDir: "/data", Version: "test"}), st
}

func TestChangesArePersistedThenAnnounced(t *testing.T) {
	svc, st := newTest(t)
	ctx := context.Background()
	sub := svc.Subscribe(8)
	defer sub.Close()
	if err := svc.SetSetting(ctx, "ui.theme", "light"); err != nil {
		t.Fatal(err)
	}
	var ev store.Event
	select {
	case ev = <-sub.C:
	case <-time.After(time.Second):
		t.Fatal("no event")
	}
	if ev.Kind != events.SettingsChanged || ev.Subject != "ui.theme" || ev.ID == 0 {
		t.Errorf("event = %+v", ev)
	}
	logged, _ := st.ListEvents(ctx, 1)
	if len(logged) != 1 || logged[0].ID != ev.ID {
		t.Errorf("announced event %d is not the persisted one: %+v", ev.ID, logged)
	}

	sv, _ := st.CreateServer(ctx, store.Server{UUID: "u1", Name: "web1"})
	removed, err := svc.RemoveServer(ctx, "web1")
	if err != nil || removed.ID != sv.ID {
		t.Fatalf("RemoveServer = %+v, %v", removed, err)
	}
	select {
	case ev = <-sub.C:
		if ev.Kind != events.ServerChanged || ev.Subject != "u1" {
			t.Errorf("event = %+v", ev)
		}
	case <-time.After(time.Second):
		t.Fatal("no server event")
	}
	if _, err := svc.RemoveServer(ctx, "web1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: err = %v; want ErrNotFound", err)
	}
	if _, err := svc.Server(ctx, "  "); !errors.Is(err, ErrInvalid) {
		t.Errorf("blank ref: err = %v; want ErrInvalid", err)
	}
}

func TestStatusCounts(t *testing.T) {
	svc, st := newTest(t)
	ctx := context.Background()
	sv, _ := st.CreateServer(ctx, store.Server{UUID: "u1", Name: "web1"})
	job, _ := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "etc", Kind: "files"})
	st.StartRun(ctx, job.ID)
	got, err := svc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Servers != 1 || got.Jobs != 1 || got.RunsRunning != 1 || got.Version != "test" || got.DataDir != "/data" || got.Schema != store.LatestSchema() {
		t.Errorf("Status = %+v", got)
	}
}
