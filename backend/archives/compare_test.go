package archives

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// TestCompareFile compares versions of files that real borg archived into
// a server's repository in the data dir, read back as the window reads them.
func TestCompareFile(t *testing.T) {
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	b := &borg.Borg{Path: bin, BaseDir: filepath.Join(dir, "borg")}
	rs := repos.New(dir, b)
	arch := New(Config{Store: st, Events: events.Log{Store: st, Bus: events.NewBus(), Now: time.Now}, Repos: rs, Catalog: cat,
		Layout: datadir.At(dir), Env: localEnv{st, rs}})
	const uuid = "0b7c1f8e-3d2a-4c55-9e61-7a8b9c0d1e2f"
	if _, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: "web1"}); err != nil {
		t.Fatal(err)
	}
	repo, err := rs.Ensure(ctx, uuid)
	if err != nil {
		t.Fatal(err)
	}

	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("a line of a large log\n"), CompareLimit/20) // > CompareLimit
	bigChanged := bytes.Clone(big)
	bigChanged[len(bigChanged)/2] = 'X'
	versions := []struct {
		archive string
		files   map[string][]byte
	}{
		{"web1-files@2026-11-01", map[string][]byte{"etc/app.conf": []byte("a\nb\nc\n"), "blob": {0, 1, 2, 3}, "big.log": big, "grown.log": big}},
		{"web1-files@2026-11-02", map[string][]byte{"etc/app.conf": []byte("a\nB\nc\nd\n"), "blob": {0, 1, 2, 4, 5}, "big.log": big, "grown.log": append(bytes.Clone(big), 'z')}},
		{"web1-files@2026-11-03", map[string][]byte{"etc/app.conf": []byte("a\nB\nc\nd\n"), "blob": {0, 1, 2, 4, 5}, "big.log": bigChanged, "grown.log": big}},
	}
	for i, v := range versions {
		for name, data := range v.files {
			if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		at := time.Date(2026, 11, 1+i, 10, 0, 0, 0, time.UTC)
		if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: v.archive, Paths: []string{src}, Timestamp: at}, nil); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(name string) string { return strings.TrimPrefix(src, "/") + "/" + name }
	a1, a2, a3 := versions[0].archive, versions[1].archive, versions[2].archive
	side := func(archive string, size int) CompareSide { return CompareSide{Archive: archive, Size: int64(size)} }

	for _, tc := range []struct {
		name     string
		path     string
		from, to string
		want     FileComparison
		wantErr  string
	}{
		{
			name: "a changed text file", path: "/" + rel("etc/app.conf"), from: a1, to: a2,
			want: FileComparison{Server: "web1", Path: rel("etc/app.conf"), From: side(a1, 6), To: side(a2, 8), Limit: CompareLimit,
				Diff:  "--- " + a1 + "/" + rel("etc/app.conf") + "\n+++ " + a2 + "/" + rel("etc/app.conf") + "\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n",
				Added: 2, Removed: 1},
		},
		{
			name: "the same text in two archives", path: rel("etc/app.conf"), from: a2, to: a3,
			want: FileComparison{Server: "web1", Path: rel("etc/app.conf"), From: side(a2, 8), To: side(a3, 8), Limit: CompareLimit, Identical: true},
		},
		{
			name: "a binary file", path: rel("blob"), from: a1, to: a3,
			want: FileComparison{Server: "web1", Path: rel("blob"), From: side(a1, 4), To: side(a3, 5), Limit: CompareLimit, Binary: true},
		},
		{
			name: "a binary file unchanged", path: rel("blob"), from: a2, to: a3,
			want: FileComparison{Server: "web1", Path: rel("blob"), From: side(a2, 5), To: side(a3, 5), Limit: CompareLimit, Binary: true, Identical: true},
		},
		{
			name: "a large file unchanged", path: rel("big.log"), from: a1, to: a2,
			want: FileComparison{Server: "web1", Path: rel("big.log"), From: side(a1, len(big)), To: side(a2, len(big)), Limit: CompareLimit, TooLarge: true, Identical: true},
		},
		{
			name: "a large file with one byte changed", path: rel("big.log"), from: a2, to: a3,
			want: FileComparison{Server: "web1", Path: rel("big.log"), From: side(a2, len(big)), To: side(a3, len(big)), Limit: CompareLimit, TooLarge: true},
		},
		{
			name: "a large file that grew", path: rel("grown.log"), from: a1, to: a2,
			want: FileComparison{Server: "web1", Path: rel("grown.log"), From: side(a1, len(big)), To: side(a2, len(big)+1), Limit: CompareLimit, TooLarge: true},
		},
		{name: "one archive twice", path: rel("blob"), from: a1, to: a1, wantErr: "pick two different archives"},
		{name: "a folder", path: rel("etc"), from: a1, to: a2, wantErr: "is not a regular file"},
		{name: "a path not archived", path: "srv/www/index.html", from: a1, to: a2, wantErr: "not in archive"},
		{name: "an archive that is not there", path: rel("blob"), from: a1, to: "web1-files@1999-01-01", wantErr: "is not in the repository of web1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := arch.CompareFile(ctx, "web1", tc.path, tc.from, tc.to)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("CompareFile = %+v, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(CompareSide{}, "MTime")); diff != "" {
				t.Errorf("CompareFile (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountChanges(t *testing.T) {
	// A removed line that itself starts with "--" is a change, not a header.
	diff := "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n--- a comment\n+++ counter\n keep\n"
	if a, r := countChanges(diff); a != 1 || r != 1 {
		t.Errorf("countChanges = +%d -%d; want +1 -1", a, r)
	}
}
