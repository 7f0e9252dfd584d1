package snapshots

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// found is the snapshots (names, with where Locate says they are) of the
// versions a search of the catalog finds.
func found(t *testing.T, f fixture, pattern string) map[string]string {
	t.Helper()
	hits, err := f.cat.Find(context.Background(), pattern, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.x.Locate(hits)
	out := map[string]string{}
	for _, h := range hits {
		for _, v := range h.Versions {
			if v.Snapshot {
				out[v.Archive] = v.File
			}
		}
	}
	return out
}

// TestKeptSnapshotsAreInTheCatalog: a one-off upload and a .flx job's run
// are found by the catalog under their names, where the coordinator keeps
// them; the job's retention and deletion forget what they removed; a
// catalog rebuilt from nothing gets them back at start (IndexAll); a
// damaged file in the folder is named and indexes nothing.
func TestKeptSnapshotsAreInTheCatalog(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	oneOff, err := f.x.Create(ctx, "web1", agentapi.FlxBackupPayload{Profile: "etc"})
	if err != nil {
		t.Fatal(err)
	}
	f.start(t, f.web1, oneOff)
	kept1, err := f.x.StoreUpload(ctx, f.web1.UUID, oneOff.ID, "web1-2026-12-01_03-00-00.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := found(t, f, "b.txt"); !maps1(got, "web1-2026-12-01_03-00-00.flxx", kept1) {
		t.Errorf("after a one-off upload the catalog finds %v; want the snapshot at %s", got, kept1)
	}
	evs, _ := f.st.ListEvents(ctx, 10)
	if i := slices.IndexFunc(evs, func(e store.Event) bool { return e.Kind == events.FlxStored }); i < 0 || !strings.Contains(evs[i].Message, "2 files") {
		t.Errorf("no flx:stored event saying what the one-off upload stored in %v", evs)
	}

	raw, _ := json.Marshal(agentapi.FlxBackupPayload{Profile: "etc", JobID: 5})
	run, err := f.st.CreateTask(ctx, f.web1.ID, agentapi.TaskFlxBackup, raw)
	if err != nil {
		t.Fatal(err)
	}
	f.start(t, f.web1, run)
	jobSnap, err := f.x.StoreUpload(ctx, f.web1.UUID, run.ID, "web1-2026-12-07_03-00-00.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(filepath.Dir(jobSnap), "web1-old.flxx")
	if err := os.WriteFile(old, data, 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().AddDate(0, 0, -30)
	os.Chtimes(old, long, long)
	if _, err := f.x.KeepJob(ctx, JobRun{ServerUUID: f.web1.UUID, ServerName: "web1", JobID: 5, JobName: "pbx", Snapshot: filepath.Base(jobSnap)},
		borg.Keep{Daily: 1}, time.Now(), func(context.Context, []string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got := found(t, f, "app.conf")
	if len(got) != 2 || got["job-5/web1-2026-12-07_03-00-00.flxx"] != jobSnap || got["web1-2026-12-01_03-00-00.flxx"] != kept1 {
		t.Errorf("after the job's run and retention the catalog finds %v; want the one-off and the job's new snapshot (not the removed old one)", got)
	}

	// A catalog rebuilt from nothing: the start indexes what is kept, and
	// a damaged file is named, the others still indexed.
	fresh, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	f.x.cat, f.cat = fresh, fresh
	bad := filepath.Join(filepath.Dir(kept1), "web1-damaged.flxx")
	if err := os.WriteFile(bad, damaged(t, data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.x.IndexAll(ctx); err == nil || !strings.Contains(err.Error(), "web1-damaged.flxx") {
		t.Errorf("IndexAll with a damaged snapshot: %v; want an error naming it", err)
	}
	if got := found(t, f, "app.conf"); len(got) != 2 {
		t.Errorf("the rebuilt catalog finds %v; want the two good snapshots", got)
	}
	os.Remove(bad)

	// The job deleted: its snapshots leave the catalog too.
	if _, err := f.x.DeleteJob(ctx, f.web1.UUID, 5); err != nil {
		t.Fatal(err)
	}
	if got := found(t, f, "app.conf"); !maps1(got, "web1-2026-12-01_03-00-00.flxx", kept1) {
		t.Errorf("after the job's deletion the catalog finds %v; want only the one-off", got)
	}
	// A snapshot removed by hand is forgotten at the next indexing.
	os.Remove(kept1)
	if _, err := f.x.IndexServer(ctx, f.web1.UUID); err != nil {
		t.Fatal(err)
	}
	if got := found(t, f, "app.conf"); len(got) != 0 {
		t.Errorf("a removed snapshot is still found: %v", got)
	}
}

// maps1 reports whether m is exactly {k: v}.
func maps1(m map[string]string, k, v string) bool { return len(m) == 1 && m[k] == v }
