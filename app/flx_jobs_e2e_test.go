//go:build linux

package app

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/shared/flx"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// TestFlxJobEndToEnd: a .flx job through the real run queue and a real
// agent. `job create --flx` defines it (the FlexPBX retention by default);
// each run is an flx-backup task whose snapshot the coordinator keeps in
// the job's folder; the job's retention (here one a day) removes the older
// one and says so in the event log; a one-off snapshot stays; `flx list`
// shows them; a kept snapshot opens and restores onto a server like a
// dropped file.
func TestFlxJobEndToEnd(t *testing.T) {
	t.Parallel() // its own coordinator, agent, ports and data dir
	f := startFleet(t)
	web1 := f.enroll("web1")
	f.run(web1)

	var def store.Job
	f.mustJSON(&def, "job", "create", "--server", "web1", "--name", "conf", "--flx", "etc", "--schedule", "0 3 * * *")
	var spec agentapi.BackupSpec
	var keep borg.Keep
	json.Unmarshal([]byte(def.Spec), &spec)
	json.Unmarshal([]byte(def.Keep), &keep)
	if def.Kind != agentapi.KindFlx || spec.Flx == nil || spec.Flx.Profile != "etc" || spec.Flx.KeepSecrets || keep != (borg.Keep{Daily: 7, Weekly: 4, Monthly: 12}) {
		t.Fatalf("job create --flx etc = kind %s, spec %s, keep %s; want a sanitized etc snapshot kept 7/4/12", def.Kind, def.Spec, def.Keep)
	}
	if r := f.cli("job", "create", "--server", "web1", "--name", "bad", "--flx", "nope"); r.code == 0 || !strings.Contains(r.stderr, "etc or flexpbx") {
		t.Errorf("job create --flx nope = %+v; want a refusal naming the profiles", r)
	}
	var job store.Job
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "pbx", "--flx", "etc", "--flx-type", "flxx", "--sanitize=false", "--keep-daily", "1")
	json.Unmarshal([]byte(job.Spec), &spec)
	if spec.Flx == nil || spec.Flx.Type != "flxx" || !spec.Flx.KeepSecrets || job.Keep != `{"daily":1}` {
		t.Fatalf("job create = spec %s, keep %s; want an unsanitized .flxx kept one a day", job.Spec, job.Keep)
	}

	var oneOff store.Task
	f.mustJSON(&oneOff, "flx", "create", "--server", "web1", "--profile", "etc")
	var runs []store.Run
	for range 2 {
		var r store.Run
		f.mustJSON(&r, "job", "run", "pbx", "--wait")
		if r.Status != store.RunSucceeded || !strings.HasSuffix(r.Archive, ".flxx.gz") && !strings.HasSuffix(r.Archive, ".flxx") {
			t.Fatalf("run = %s %q (%s); want a succeeded run whose archive is the .flxx snapshot", r.Status, r.Archive, r.Error)
		}
		runs = append(runs, r)
	}
	jobDir := filepath.Join(f.data, "flx", "servers", f.uuid("web1"), "job-"+jsonInt(job.ID))
	newest := filepath.Join(jobDir, runs[1].Archive)
	// The retention runs once the second run is recorded; the event log
	// says when it has.
	waitFor(t, 30*time.Second, "flx:stored for the second run", func() bool {
		var evs []store.Event
		f.mustJSON(&evs, "events")
		return slices.ContainsFunc(evs, func(e store.Event) bool {
			var d struct {
				RunID int64 `json:"run_id"`
			}
			json.Unmarshal(e.Data, &d)
			return e.Kind == "flx:stored" && d.RunID == runs[1].ID
		})
	})
	var history []store.Run
	f.mustJSON(&history, "job", "runs", "pbx")
	for _, r := range history {
		if pruned := r.PrunedAt != nil; pruned != (r.ID == runs[0].ID) {
			t.Errorf("run %d (%s): pruned %v; want only the first run's snapshot marked as removed", r.ID, r.Archive, pruned)
		}
	}
	var list []string
	f.mustJSON(&list, "flx", "list", "web1")
	var inJob, others []string
	for _, p := range list {
		if filepath.Dir(p) == jobDir {
			inJob = append(inJob, p)
		} else {
			others = append(others, p)
		}
	}
	if !slices.Equal(inJob, []string{newest}) {
		t.Errorf("the job's snapshots after two runs today, one kept a day = %v; want only the newest, %s", inJob, newest)
	}
	if len(others) != 1 || !strings.HasSuffix(others[0], ".flx.gz") && !strings.HasSuffix(others[0], ".flx") {
		t.Errorf("the one-off snapshot = %v; want it kept apart from the job's retention", others)
	}
	if r := f.cli("flx", "list", "web1"); r.code != 0 || !strings.Contains(r.stdout, runs[1].Archive) {
		t.Errorf("flx list web1 = %+v; want the newest snapshot named", r)
	}

	// The catalog finds the kept snapshots' files: the newest of the job,
	// where the coordinator keeps it, and not the one its retention removed.
	in, err := flx.InspectPage(newest, flx.InspectOptions{Limit: 1})
	if err != nil || len(in.Files) == 0 {
		t.Fatalf("inspect %s: %v", newest, err)
	}
	var hits []catalog.Hit
	f.mustJSON(&hits, "find", path.Base(in.Files[0].Path), "--server", "web1")
	snaps := map[string]string{}
	for _, h := range hits {
		for _, v := range h.Versions {
			if v.Snapshot {
				snaps[v.Archive] = v.File
			}
		}
	}
	jobName := "job-" + jsonInt(job.ID) + "/"
	if snaps[jobName+runs[1].Archive] != newest || snaps[jobName+runs[0].Archive] != "" {
		t.Errorf("find %s = snapshots %v; want the job's newest (%s) and not the removed one", path.Base(in.Files[0].Path), snaps, newest)
	}

	if r := f.cli("job", "prune", "pbx"); r.code == 0 || !strings.Contains(r.stderr, "makes .flx snapshots") {
		t.Errorf("job prune of a .flx job = %+v; want a refusal that says its retention runs after each run", r)
	}

	// A kept snapshot goes onto a server like a dropped one (here a dry
	// run under a scratch root).
	if r := f.cli("flx", "restore", "--server", "web1", "--root", t.TempDir(), "--dry-run", "-m", "fresh", newest); r.code != 0 || !strings.Contains(r.stdout, "dry run on web1") {
		t.Errorf("flx restore of the job's snapshot = %+v", r)
	}

	// Deleted with its archives, the job takes its snapshots along; the
	// one-off stays.
	var rep map[string]any
	f.mustJSON(&rep, "job", "delete", "pbx", "--with-archives", "--confirm", "pbx")
	if _, err := os.Stat(newest); !os.IsNotExist(err) {
		t.Errorf("the job's snapshot is still there after job delete --with-archives (%v)", err)
	}
	list = nil
	f.mustJSON(&list, "flx", "list", "web1")
	if !slices.Equal(list, others) {
		t.Errorf("flx list after the job's deletion = %v; want only the one-off %v", list, others)
	}
	hits = nil
	f.mustJSON(&hits, "find", path.Base(in.Files[0].Path), "--server", "web1")
	for _, h := range hits {
		for _, v := range h.Versions {
			if strings.HasPrefix(v.Archive, jobName) {
				t.Errorf("find after the job's deletion still finds %s in %s", h.Path, v.Archive)
			}
		}
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
