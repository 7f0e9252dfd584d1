package adminapi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// startServer serves a fresh service on a real unix socket.
func startServer(t *testing.T) (*Client, *store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Config{Store: st, DataDir: dir, Version: "test"})
	sock := filepath.Join(dir, "s.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(svc, nil).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		st.Close()
	})
	return NewClient(sock), st, sock
}

func TestSocketIsPrivate(t *testing.T) {
	_, _, sock := startServer(t)
	fi, err := os.Lstat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v; want a socket with 0600", fi.Mode())
	}
}

func TestRoundTrips(t *testing.T) {
	c, st, _ := startServer(t)
	ctx := context.Background()
	servers, err := c.ListServers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if servers == nil || len(servers) != 0 {
		t.Errorf("fresh ListServers = %#v; want empty, non-nil", servers)
	}
	st.CreateServer(ctx, store.Server{UUID: "u1", Name: "web1", Host: "h"})
	got, err := c.Server(ctx, "web1")
	if err != nil || got.UUID != "u1" || got.Host != "h" {
		t.Errorf("Server(web1) = %+v, %v", got, err)
	}
	_, err = c.Server(ctx, "ghost")
	if !errors.Is(err, service.ErrNotFound) {
		t.Errorf("Server(ghost): err = %v; want ErrNotFound across the socket", err)
	}
	if err := c.SetSetting(ctx, "ui.theme", "neon"); !errors.Is(err, service.ErrInvalid) || !strings.Contains(err.Error(), "system, light or dark") {
		t.Errorf("bad setting: err = %v; want ErrInvalid that lists the choices", err)
	}
	if err := c.SetSetting(ctx, "ui.theme", "dark"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Setting(ctx, "ui.theme"); err != nil || v != "dark" {
		t.Errorf("Setting = %q, %v", v, err)
	}
	st1, err := c.Status(ctx)
	if err != nil || st1.Servers != 1 || st1.Version != "test" {
		t.Errorf("Status = %+v, %v", st1, err)
	}
	evs, err := c.ListEvents(ctx, 10)
	if err != nil || len(evs) != 1 || evs[0].Kind != events.SettingsChanged {
		t.Errorf("ListEvents = %+v, %v", evs, err)
	}
	if _, err := c.RemoveServer(ctx, "web1"); err != nil {
		t.Fatal(err)
	}
	if jobs, err := c.ListJobs(ctx); err != nil || len(jobs) != 0 {
		t.Errorf("ListJobs = %v, %v", jobs, err)
	}
	if runs, err := c.ListRuns(ctx, 5); err != nil || len(runs) != 0 {
		t.Errorf("ListRuns = %v, %v", runs, err)
	}
}

func TestEventStream(t *testing.T) {
	c, _, _ := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan store.Event, 4)
	streamErr := make(chan error, 1)
	go func() {
		streamErr <- c.StreamEvents(ctx, func(ev store.Event) error { got <- ev; return nil })
	}()
	// The stream is subscribed once its response starts; retry the change
	// until an event arrives rather than sleeping a guessed time.
	var ev store.Event
	deadline := time.After(4 * time.Second)
loop:
	for {
		if err := c.SetSetting(ctx, "smtp.port", "2525"); err != nil {
			t.Fatal(err)
		}
		select {
		case ev = <-got:
			break loop
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no event on the stream")
		}
	}
	if ev.Kind != events.SettingsChanged || ev.Subject != "smtp.port" {
		t.Errorf("streamed %+v", ev)
	}
	cancel()
	if err := <-streamErr; !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stream ended with %v; want context cancellation", err)
	}
}

func TestNoCoordinator(t *testing.T) {
	c := NewClient(filepath.Join(t.TempDir(), "nobody.sock"))
	_, err := c.ListServers(context.Background())
	if !errors.Is(err, ErrNoCoordinator) || !strings.Contains(err.Error(), "borgdesk serve") {
		t.Errorf("err = %v; want ErrNoCoordinator that says how to start one", err)
	}
}

func TestListenRefusesNonSocketButReplacesStaleSocket(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("data"), 0o600)
	if _, err := Listen(file); err == nil {
		t.Fatal("Listen over a regular file succeeded")
	}
	if b, _ := os.ReadFile(file); string(b) != "data" {
		t.Error("regular file was touched")
	}
	sock := filepath.Join(dir, "s.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	ln.Close() // leaves the socket file behind, like a crash
	ln2, err := Listen(sock)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	ln2.Close()
}
