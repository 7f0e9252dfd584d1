package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
)

func open(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func items(list ...borg.Item) Source {
	return func(fn func(borg.Item) error) error {
		for _, it := range list {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
}

func file(p string, size int64) borg.Item {
	return borg.Item{Type: "-", Mode: "-rw-r--r--", User: "root", Group: "root", Path: p, Size: size, MTime: "2026-11-01T10:00:00.000000"}
}

func dir(p string) borg.Item {
	return borg.Item{Type: "d", Mode: "drwxr-x---", User: "www", Group: "www", Path: p}
}

func TestBrowseImplicitParentsAndChildren(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	// borg lists the backed-up roots (etc/nginx, srv/www) but not their parents.
	n, err := c.Index(ctx, Meta{Server: "s1", Name: "a1", Time: time.Unix(1000, 0)}, items(
		dir("etc/nginx"), file("etc/nginx/nginx.conf", 120), dir("etc/nginx/sites"), file("etc/nginx/sites/default", 30),
		dir("srv/www"), file("srv/www/index.html", 5),
		borg.Item{Type: "l", Mode: "lrwxrwxrwx", User: "root", Group: "root", Path: "srv/www/current", LinkTarget: "index.html"},
	))
	if err != nil || n != 7 {
		t.Fatalf("index: %d, %v", n, err)
	}
	root, err := c.List(ctx, "s1", "a1", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(root.Entries); got != "etc srv" || root.Total != 2 {
		t.Fatalf("root = %q (total %d)", got, root.Total)
	}
	if root.Entries[0].Type != "d" || root.Entries[0].Children != 1 {
		t.Fatalf("implicit etc: %+v", root.Entries[0])
	}
	ng, err := c.List(ctx, "s1", "a1", "/etc/nginx/", 0)
	if err != nil {
		t.Fatal(err)
	}
	// folders first
	if got := names(ng.Entries); got != "sites nginx.conf" {
		t.Fatalf("etc/nginx = %q", got)
	}
	if e := ng.Entries[1]; e.Path != "etc/nginx/nginx.conf" || e.Size != 120 || e.Mode != "-rw-r--r--" || e.MTime == "" {
		t.Fatalf("nginx.conf = %+v", e)
	}
	if e := ng.Entries[0]; e.Mode != "drwxr-x---" || e.User != "www" || e.Children != 1 {
		t.Fatalf("sites = %+v", e)
	}
	www, _ := c.List(ctx, "s1", "a1", "srv/www", 0)
	if www.Entries[0].LinkTarget != "index.html" || www.Entries[0].Type != "l" {
		t.Fatalf("link: %+v", www.Entries)
	}
	if _, err := c.List(ctx, "s1", "a1", "etc/missing", 0); err == nil || !strings.Contains(err.Error(), "not in archive a1") {
		t.Fatalf("missing folder: %v", err)
	}
	if _, err := c.List(ctx, "s1", "a1", "etc/nginx/nginx.conf", 0); err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Fatalf("file as folder: %v", err)
	}
	small, _ := c.List(ctx, "s1", "a1", "etc/nginx", 1)
	if !small.Truncated || small.Total != 2 || len(small.Entries) != 1 {
		t.Fatalf("limit: %+v", small)
	}
	files, bytes, err := c.Totals(ctx, "s1", "a1", []string{"etc"})
	if err != nil || files != 2 || bytes != 150 {
		t.Fatalf("totals etc = %d files %d bytes, %v", files, bytes, err)
	}
	files, bytes, _ = c.Totals(ctx, "s1", "a1", nil)
	if files != 3 || bytes != 155 {
		t.Fatalf("totals all = %d, %d", files, bytes)
	}
	if _, _, err := c.Totals(ctx, "s1", "a1", []string{"etc/nope"}); err == nil || !strings.Contains(err.Error(), "etc/nope is not in archive a1") {
		t.Fatalf("totals of a missing path: %v", err)
	}
}

func names(es []Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Name)
	}
	return strings.Join(s, " ")
}

func TestFindVersionsAcrossServersAndPrune(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	for i, srv := range []string{"s1", "s1", "s2"} {
		name := []string{"a1", "a2", "b1"}[i]
		_, err := c.Index(ctx, Meta{Server: srv, Name: name, Time: time.Unix(int64(1000*(i+1)), 0)}, items(
			dir("etc/nginx"), file("etc/nginx/nginx.conf", int64(100+i)), file("etc/hosts", 10), file("home/u/nginx.conf.bak", 1)))
		if err != nil {
			t.Fatal(err)
		}
	}
	hits, err := c.Find(ctx, "nginx.conf", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	// a plain name also finds the names that contain it (nginx.conf.bak)
	if len(hits) != 4 || hits[0].ServerUUID != "s1" || hits[1].ServerUUID != "s2" || hits[0].Path != "etc/nginx/nginx.conf" || hits[2].Path != "home/u/nginx.conf.bak" {
		t.Fatalf("hits: %+v", hits)
	}
	if v := hits[0].Versions; len(v) != 2 || v[0].Archive != "a2" || v[0].Size != 101 || v[1].Archive != "a1" {
		t.Fatalf("s1 versions (newest first): %+v", v)
	}
	if hits, _ := c.Find(ctx, "nginx.conf", "s2", 0); len(hits) != 2 || hits[0].Versions[0].Archive != "b1" {
		t.Fatalf("server filter: %+v", hits)
	}
	if hits, _ := c.Find(ctx, "nginx.conf*", "", 0); len(hits) != 4 {
		t.Fatalf("glob on names: %d hits", len(hits))
	}
	if hits, _ := c.Find(ctx, "/etc/*/nginx.conf", "s1", 0); len(hits) != 1 || hits[0].Path != "etc/nginx/nginx.conf" {
		t.Fatalf("path glob: %+v", hits)
	}
	if hits, _ := c.Find(ctx, "home/*/nginx.conf", "", 0); len(hits) != 0 {
		t.Fatalf("path glob must match the whole name: %+v", hits)
	}
	if hits, _ := c.Find(ctx, "**/u/*.bak", "", 0); len(hits) != 2 {
		t.Fatalf("** glob: %+v", hits)
	}
	if err := c.Forget(ctx, "s1", []string{"a2"}, time.Unix(5000, 0)); err != nil {
		t.Fatal(err)
	}
	v, _ := c.Versions(ctx, "s1", "etc/nginx/nginx.conf")
	if len(v) != 1 || v[0].Archive != "a1" {
		t.Fatalf("versions after prune: %+v", v)
	}
	_, err = c.List(ctx, "s1", "a2", "", 0)
	var pe *PrunedError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "pruned at") {
		t.Fatalf("browsing a pruned archive: %v", err)
	}
	if _, err := c.List(ctx, "s1", "zz", "", 0); !errors.Is(err, ErrNotIndexed) {
		t.Fatalf("unknown archive: %v", err)
	}
	// Re-indexing replaces, never duplicates.
	if _, err := c.Index(ctx, Meta{Server: "s2", Name: "b1", Time: time.Unix(3000, 0)}, items(file("etc/hosts", 11))); err != nil {
		t.Fatal(err)
	}
	if hits, _ := c.Find(ctx, "nginx.conf", "s2", 0); len(hits) != 0 {
		t.Fatalf("re-index kept old entries: %+v", hits)
	}
}

func TestIndexErrorLeavesNothing(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	boom := errors.New("borg died")
	_, err := c.Index(ctx, Meta{Server: "s", Name: "x", Time: time.Now()}, func(fn func(borg.Item) error) error {
		fn(file("a/b", 1))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if m, _ := c.Archives(ctx, "s"); len(m) != 0 {
		t.Fatalf("half an archive was kept: %+v", m)
	}
	if hits, _ := c.Find(ctx, "b", "", 0); len(hits) != 0 {
		t.Fatalf("entries of a failed index are searchable: %+v", hits)
	}
}

func TestModeRoundTrip(t *testing.T) {
	for _, m := range []string{"-rw-r--r--", "-rwsr-xr-x", "drwxrwxrwt", "-rwxr-S---", "----------", "lrwxrwxrwx"} {
		if got := FormatMode(m[0], ParseMode(m)); got != m {
			t.Errorf("%s → %s", m, got)
		}
	}
}

// TestIndexRealArchive indexes what real borg lists.
func TestIndexRealArchive(t *testing.T) {
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dirp := t.TempDir()
	b := &borg.Borg{Path: bin, BaseDir: filepath.Join(dirp, "base")}
	repo := borg.Repo{Location: filepath.Join(dirp, "repo"), Passphrase: "pw"}
	if err := b.Init(ctx, repo); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dirp, "src")
	os.MkdirAll(filepath.Join(src, "conf.d"), 0o755)
	os.WriteFile(filepath.Join(src, "conf.d", "site.conf"), []byte("server {}\n"), 0o640)
	os.WriteFile(filepath.Join(src, "big"), make([]byte, 70000), 0o600)
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "one", Paths: []string{src}}, nil); err != nil {
		t.Fatal(err)
	}
	c := open(t)
	n, err := c.Index(ctx, Meta{Server: "s", Name: "one", Time: time.Now()}, func(fn func(borg.Item) error) error {
		return b.ListItems(ctx, repo, "one", fn)
	})
	if err != nil || n != 4 {
		t.Fatalf("indexed %d, %v", n, err)
	}
	rel := strings.TrimPrefix(src, "/")
	l, err := c.List(ctx, "s", "one", rel, 0)
	if err != nil || names(l.Entries) != "conf.d big" {
		t.Fatalf("list: %+v %v", l, err)
	}
	if e := l.Entries[1]; e.Size != 70000 || e.Mode != "-rw-------" {
		t.Fatalf("big: %+v", e)
	}
	hits, _ := c.Find(ctx, "site.conf", "", 0)
	if len(hits) != 1 || hits[0].Path != rel+"/conf.d/site.conf" || hits[0].Versions[0].Size != 10 {
		t.Fatalf("find: %+v", hits)
	}
}
