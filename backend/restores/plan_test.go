package restores

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"borgdesk/backend/archives"
	"borgdesk/backend/catalog"
	"borgdesk/backend/fault"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// planEnv is the coordinator as a plan sees it: servers from the store and
// the archives room's catalog check; a plan asks nothing else (the other
// methods are the nil Env's and would panic).
type planEnv struct {
	Env
	st       *store.Store
	archives *archives.Archives
}

func (e planEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.st.FindServer(ctx, ref)
}

func (e planEnv) EnsureIndexed(ctx context.Context, sv store.Server, archive string) error {
	return e.archives.EnsureIndexed(ctx, sv, archive)
}

func TestPlanRestore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	// The plan reads only the catalog; repos is there because the catalog
	// check needs it.
	rp := repos.New(t.TempDir(), nil)
	arch := archives.New(archives.Config{Store: st, Catalog: cat, Repos: rp})
	rs := New(Config{Store: st, Catalog: cat, Repos: rp, Env: planEnv{st: st, archives: arch}})
	for _, sv := range []store.Server{{UUID: "u-web1", Name: "web1"}, {UUID: "u-web2", Name: "web2"}} {
		if _, err := st.CreateServer(ctx, sv); err != nil {
			t.Fatal(err)
		}
	}
	file := func(p string, size int64) borg.Item {
		return borg.Item{Type: "-", Mode: "-rw-r--r--", User: "root", Group: "root", Path: p, Size: size, MTime: "2026-11-01T10:00:00.000000"}
	}
	items := []borg.Item{{Type: "d", Mode: "drwxr-xr-x", User: "root", Group: "root", Path: "etc/nginx"}, file("etc/nginx/nginx.conf", 120), file("etc/nginx/mime.types", 30), file("etc/hosts", 10)}
	if _, err := cat.Index(ctx, catalog.Meta{Server: "u-web1", Name: "a1", Time: time.Unix(1000, 0)}, func(fn func(borg.Item) error) error {
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		req     Request
		want    Plan
		wantErr string
	}{
		{
			name: "a folder back where it was",
			req:  Request{Server: "web1", Archive: "a1", Paths: []string{"/etc/nginx/"}},
			want: Plan{Files: 2, Bytes: 150, To: "/", Target: "web1", Landing: []Landing{{Path: "etc/nginx", Final: "/etc/nginx"}}},
		},
		{
			name: "into a folder on another server",
			req:  Request{Server: "web1", Archive: "a1", Paths: []string{"etc/hosts", "etc/nginx/nginx.conf"}, To: "/srv/restore/", TargetServer: "web2"},
			want: Plan{Files: 2, Bytes: 130, To: "/srv/restore", Target: "web2", Landing: []Landing{{Path: "etc/hosts", Final: "/srv/restore/etc/hosts"}, {Path: "etc/nginx/nginx.conf", Final: "/srv/restore/etc/nginx/nginx.conf"}}},
		},
		{name: "a relative folder", req: Request{Server: "web1", Archive: "a1", To: "restore"}, wantErr: "absolute directory"},
		{name: "out of the archive", req: Request{Server: "web1", Archive: "a1", Paths: []string{"etc/../../x"}}, wantErr: "climbs out"},
		{name: "a path not in the archive", req: Request{Server: "web1", Archive: "a1", Paths: []string{"srv/www"}}, wantErr: "srv/www is not in archive a1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rs.PlanRestore(ctx, tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("PlanRestore = %+v, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PlanRestore (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := rs.PlanRestore(ctx, Request{Server: "nope", Archive: "a1"}); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("unknown server: %v; want ErrNotFound", err)
	}
}
