package catalog

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/flx"
)

// snapshotFile writes a real .flx snapshot of files (relative path →
// content) made with the flx writer, with the FlexPBX layout when home.
func snapshotFile(t *testing.T, files map[string]string, home bool) string {
	t.Helper()
	src := t.TempDir()
	var rels []string
	for rel, body := range files {
		p := filepath.Join(src, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, rel)
	}
	list, _, err := flx.Collect(src, rels)
	if err != nil {
		t.Fatal(err)
	}
	o := flx.Options{KeepSecrets: true, SourceRoot: "/"}
	if home {
		o = flx.Options{KeepSecrets: true, Layout: flx.LayoutFlexPBX, SourceHome: "/home/pbx"}
	}
	snap, _, err := flx.Create(t.TempDir(), "t", false, list, o)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestSnapshotsAreFoundBesideArchivesAndNowhereElse(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	if _, err := c.Index(ctx, Meta{Server: "s1", Name: "etc@2026-12-01", Time: time.Unix(1000, 0)}, items(
		dir("etc/asterisk"), file("etc/asterisk/sip.conf", 10))); err != nil {
		t.Fatal(err)
	}
	snap := snapshotFile(t, map[string]string{"etc/asterisk/sip.conf": "[general]\n", "etc/asterisk/extensions.conf": "[default]\n"}, false)
	n, err := c.IndexSnapshot(ctx, "s1", "job-3/"+filepath.Base(snap), snap, time.Unix(2000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 { // the two files (their folders are implicit)
		t.Errorf("indexed %d entries; want 2", n)
	}

	hits, err := c.Find(ctx, "sip.conf", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || len(hits[0].Versions) != 2 {
		t.Fatalf("Find(sip.conf) = %+v; want one path with the archive's and the snapshot's versions", hits)
	}
	newest, older := hits[0].Versions[0], hits[0].Versions[1]
	if !newest.Snapshot || newest.Archive != "job-3/"+filepath.Base(snap) || newest.Size != int64(len("[general]\n")) {
		t.Errorf("newest version %+v; want the snapshot's", newest)
	}
	if older.Snapshot || older.Archive != "etc@2026-12-01" {
		t.Errorf("older version %+v; want the archive's", older)
	}
	if hits, _ := c.Find(ctx, "extensions.conf", "s2", 0); len(hits) != 0 {
		t.Errorf("another server's search found the snapshot: %+v", hits)
	}

	// The archive listing, the browser and the history are borg's only.
	archives, err := c.Archives(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) != 1 || archives["etc@2026-12-01"].Name == "" {
		t.Errorf("Archives = %v; want only the borg archive", archives)
	}
	if _, err := c.List(ctx, "s1", "job-3/"+filepath.Base(snap), "", 0); err == nil {
		t.Error("the browser lists a snapshot as an archive")
	}
	if v, _ := c.Versions(ctx, "s1", "etc/asterisk/sip.conf"); len(v) != 1 || v[0].Snapshot {
		t.Errorf("Versions = %+v; want the archive's only", v)
	}
	// Forget (pruning) leaves snapshots alone.
	if err := c.Forget(ctx, "s1", []string{"job-3/" + filepath.Base(snap)}, time.Unix(3000, 0)); err != nil {
		t.Fatal(err)
	}
	if known, _ := c.Snapshots(ctx, "s1"); !known["job-3/"+filepath.Base(snap)] {
		t.Errorf("Forget of an archive name removed the snapshot: %v", known)
	}

	if err := c.ForgetSnapshots(ctx, "s1", []string{"job-3/" + filepath.Base(snap)}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := c.Find(ctx, "extensions.conf", "", 0); len(hits) != 0 {
		t.Errorf("a forgotten snapshot is still found: %+v", hits)
	}
	if known, _ := c.Snapshots(ctx, "s1"); len(known) != 0 {
		t.Errorf("Snapshots after ForgetSnapshots = %v", known)
	}
}

func TestSnapshotHomeEntriesSitInTheHome(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	snap := snapshotFile(t, map[string]string{"public_html/api/index.php": "<?php\n", "etc/asterisk/pjsip.conf": "x"}, true)
	if _, err := c.IndexSnapshot(ctx, "s1", filepath.Base(snap), snap, time.Unix(2000, 0)); err != nil {
		t.Fatal(err)
	}
	for pattern, want := range map[string]string{"index.php": "home/pbx/public_html/api/index.php", "pjsip.conf": "etc/asterisk/pjsip.conf"} {
		hits, err := c.Find(ctx, pattern, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Path != want {
			t.Errorf("Find(%s) = %+v; want %s", pattern, hits, want)
		}
	}
}

func TestSnapshotThatDoesNotVerifyIndexesNothing(t *testing.T) {
	ctx := context.Background()
	c := open(t)
	snap := snapshotFile(t, map[string]string{"etc/a.conf": "aaaa", "etc/b.conf": "bbbb"}, false)
	b, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	// Flip the second file's content: its hash no longer matches.
	bad := filepath.Join(t.TempDir(), "bad.flx")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(b), "YmJiYg==", "YmJiYw==", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if string(b) == strings.Replace(string(b), "YmJiYg==", "YmJiYw==", 1) {
		t.Fatal("the test's edit did not change the snapshot")
	}
	if _, err := c.IndexSnapshot(ctx, "s1", "bad.flx", bad, time.Unix(2000, 0)); err == nil || !strings.Contains(err.Error(), "bad.flx") {
		t.Fatalf("IndexSnapshot of a damaged snapshot: %v; want an error naming it", err)
	}
	if hits, _ := c.Find(ctx, "a.conf", "", 0); len(hits) != 0 {
		t.Errorf("half a damaged snapshot was indexed: %+v", hits)
	}
	// A name one of the server's archives has is refused.
	if _, err := c.Index(ctx, Meta{Server: "s1", Name: "same", Time: time.Unix(1, 0)}, items(file("x", 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IndexSnapshot(ctx, "s1", "same", snap, time.Unix(2, 0)); err == nil {
		t.Error("a snapshot took an archive's name")
	}
}

// A catalog made before snapshots were indexed gains the kind column, and
// its archives stay archives.
func TestOldCatalogGainsKind(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(schema, "\tkind         TEXT NOT NULL DEFAULT '',\n", "", 1)
	if old == schema {
		t.Fatal("the test no longer finds the kind column in the schema")
	}
	if _, err := db.Exec(old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO archives (server, name, time, indexed_at) VALUES ('s1', 'a1', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	archives, err := c.Archives(ctx, "s1")
	if err != nil || len(archives) != 1 {
		t.Fatalf("Archives after the upgrade = %v, %v; want a1", archives, err)
	}
}
