package adminapi

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"borgdesk/backend/catalog"
	"borgdesk/backend/repos"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// TestPlanRestore asks the socket what a restore would do: the plan the
// window shows, and no task queued.
func TestPlanRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	web1, err := st.CreateServer(ctx, store.Server{UUID: "u-web1", Name: "web1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateServer(ctx, store.Server{UUID: "u-web2", Name: "web2"}); err != nil {
		t.Fatal(err)
	}
	items := []borg.Item{
		{Type: "d", Mode: "drwxr-xr-x", User: "root", Group: "root", Path: "etc/nginx"},
		{Type: "-", Mode: "-rw-r--r--", User: "root", Group: "root", Path: "etc/nginx/nginx.conf", Size: 1490, MTime: "2026-11-01T10:00:00.000000"},
		{Type: "-", Mode: "-rw-r--r--", User: "root", Group: "root", Path: "etc/hosts", Size: 210, MTime: "2026-11-01T10:00:00.000000"},
	}
	if _, err := cat.Index(ctx, catalog.Meta{Server: "u-web1", Name: "etc@1", Time: time.Unix(1000, 0)}, func(fn func(borg.Item) error) error {
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// startServer's service keeps no catalog; the plan reads one.
	svc := service.New(service.Config{Store: st, Catalog: cat, Repos: repos.New(dir, nil), DataDir: dir, Version: "test"})
	c := serve(t, svc, st, dir)

	got, err := c.PlanRestore(ctx, service.RestoreRequest{Server: "web1", Archive: "etc@1", Paths: []string{"/etc/nginx/", "etc/hosts"}, To: "/srv/restore", TargetServer: "web2"})
	if err != nil {
		t.Fatal(err)
	}
	want := service.RestorePlan{Files: 2, Bytes: 1700, To: "/srv/restore", Target: "web2", Landing: []service.RestoreLanding{
		{Path: "etc/nginx", Final: "/srv/restore/etc/nginx"}, {Path: "etc/hosts", Final: "/srv/restore/etc/hosts"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanRestore (-want +got):\n%s", diff)
	}
	if _, err := c.PlanRestore(ctx, service.RestoreRequest{Server: "web1", Archive: "etc@1", Paths: []string{"srv/www"}}); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("a path not in the archive: %v; want ErrNotFound", err)
	}
	if _, err := c.PlanRestore(ctx, service.RestoreRequest{Server: "web1", Archive: "etc@1", To: "restore"}); !errors.Is(err, service.ErrInvalid) {
		t.Errorf("a relative folder: %v; want ErrInvalid", err)
	}
	if tasks, err := st.ListTasks(ctx, web1.ID, 10); err != nil || len(tasks) != 0 {
		t.Errorf("tasks after planning = %+v, %v; want none", tasks, err)
	}
}

// serve starts the admin API on a socket in dir for svc.
func serve(t *testing.T, svc *service.Service, st *store.Store, dir string) *Client {
	t.Helper()
	sock := filepath.Join(dir, "plan.sock")
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
	return NewClient(sock)
}
