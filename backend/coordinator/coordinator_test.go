package coordinator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/datadir"
	"borgdesk/backend/store"
)

func TestRunServesAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, datadir.SocketFile)
	ready := make(chan struct{})
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: sock, Version: "t", GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", Ready: func() { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // after Run has returned (cleanups run last-registered first)

	if _, err := Open(context.Background(), Options{DataDir: dir, Socket: sock}); !errors.Is(err, datadir.ErrLocked) {
		t.Fatalf("second Open: err = %v; want ErrLocked", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	}
	servers, err := adminapi.NewClient(sock).ListServers(context.Background())
	if err != nil || len(servers) != 0 {
		t.Fatalf("ListServers = %v, %v", servers, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind after a clean stop: %v", err)
	}
}

func TestOpenMarksInterruptedRuns(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, datadir.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sv, _ := st.CreateServer(ctx, store.Server{UUID: "u", Name: "s"})
	job, _ := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "j", Kind: "files"})
	run, _ := st.StartRun(ctx, job.ID)
	st.Close()

	c, err := Open(ctx, Options{DataDir: dir, Socket: filepath.Join(dir, "s"), GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // after Run has returned (cleanups run last-registered first)
	runs, _ := c.Service().ListRuns(ctx, 5)
	if len(runs) != 1 || runs[0].ID != run.ID || runs[0].Status != store.RunFailed {
		t.Errorf("runs after restart = %+v; want run %d failed", runs, run.ID)
	}
}

func TestOpenFailsWhenSocketPathIsTaken(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-socket")
	os.WriteFile(blocker, nil, 0o600)
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: blocker, GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0"})
	if err == nil {
		c.Close()
		t.Fatal("Open succeeded with a regular file in place of the socket")
	}
	if fi, err := os.Lstat(blocker); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the file in the way was touched: %v %v", fi, err)
	}
}
