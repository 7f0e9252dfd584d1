package snapshots

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// TestJobSnapshotsKeptByTheJob: a .flx job's uploads land in the job's own
// folder (two in the same second both kept), the server's list shows them
// with the one-off ones, and the job's retention removes only the job's
// older snapshots, saying so in flx:stored.
func TestJobSnapshotsKeptByTheJob(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	// A one-off snapshot is no job's, whatever the caller says.
	oneOff, err := f.x.Create(ctx, "web1", agentapi.FlxBackupPayload{Profile: "etc", JobID: 5})
	if err != nil {
		t.Fatal(err)
	}
	var p agentapi.FlxBackupPayload
	json.Unmarshal(oneOff.Payload, &p)
	if p.JobID != 0 {
		t.Fatalf("a one-off snapshot's task carries job %d; want none", p.JobID)
	}
	f.start(t, f.web1, oneOff)
	kept1, err := f.x.StoreUpload(ctx, f.web1.UUID, oneOff.ID, "web1-2026-12-01_03-00-00.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	os.Chtimes(kept1, time.Now().AddDate(0, 0, -30), time.Now().AddDate(0, 0, -30))

	raw, _ := json.Marshal(agentapi.FlxBackupPayload{Profile: "etc", Type: "flxx", JobID: 5})
	run, err := f.st.CreateTask(ctx, f.web1.ID, agentapi.TaskFlxBackup, raw)
	if err != nil {
		t.Fatal(err)
	}
	f.start(t, f.web1, run)
	first, err := f.x.StoreUpload(ctx, f.web1.UUID, run.ID, "web1-2026-12-07_03-00-00.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.x.StoreUpload(ctx, f.web1.UUID, run.ID, "web1-2026-12-07_03-00-00.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	jobDir := f.layout.Flx("servers", f.web1.UUID, "job-5")
	if want := filepath.Join(jobDir, "web1-2026-12-07_03-00-00.flxx"); first != want {
		t.Errorf("the job's upload is kept as %s; want %s", first, want)
	}
	if want := filepath.Join(jobDir, "web1-2026-12-07_03-00-00-2.flxx"); second != want {
		t.Errorf("a second upload of the same name is kept as %s; want %s (never replacing the first)", second, want)
	}
	// Ten older snapshots of the job, one a day.
	y, m, dd := time.Now().Date()
	now := time.Date(y, m, dd, 12, 0, 0, 0, time.Local) // noon: a minute either side is the same day
	os.Chtimes(second, now, now)
	os.Chtimes(first, now.Add(-time.Minute), now.Add(-time.Minute))
	var old []string
	for i := 1; i <= 10; i++ {
		p := filepath.Join(jobDir, fmt.Sprintf("web1-old-%02d.flxx", i))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		at := now.AddDate(0, 0, -i)
		os.Chtimes(p, at, at)
		old = append(old, p)
	}
	list, err := f.x.List(ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{second, first}, append(old, kept1)...); !slices.Equal(list, want) {
		t.Errorf("List =\n%v\nwant newest first\n%v", list, want)
	}

	var marked []string
	got, err := f.x.KeepJob(ctx, JobRun{ServerUUID: f.web1.UUID, ServerName: "web1", JobID: 5, JobName: "pbx", RunID: 9, Snapshot: filepath.Base(second)}, borg.Keep{Daily: 3}, now, func(_ context.Context, removed []string) error {
		marked = removed
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Newest of today, of yesterday and of the day before; the rest go.
	wantKept := []string{old[0], old[1], second}
	slices.Sort(got.Kept)
	slices.Sort(wantKept)
	if !slices.Equal(got.Kept, wantKept) {
		t.Errorf("kept %v; want %v", got.Kept, wantKept)
	}
	if len(got.Removed) != 9 || !slices.Equal(marked, got.Removed) {
		t.Errorf("removed %v (marked %v); want the 9 others, marked before the event", got.Removed, marked)
	}
	for _, p := range append([]string{first}, old[2:]...) {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v); the retention removes it", p, err)
		}
	}
	if _, err := os.Stat(kept1); err != nil {
		t.Errorf("the one-off snapshot went with the job's retention: %v", err)
	}
	evs, _ := f.st.ListEvents(ctx, 10)
	i := slices.IndexFunc(evs, func(e store.Event) bool { return e.Kind == events.FlxStored })
	if i < 0 {
		t.Fatalf("no flx:stored event in %v", evs)
	}
	var d struct {
		JobID   int64    `json:"job_id"`
		Job     string   `json:"job"`
		Removed []string `json:"removed"`
	}
	json.Unmarshal(evs[i].Data, &d)
	if evs[i].Subject != f.web1.UUID || d.JobID != 5 || d.Job != "pbx" || len(d.Removed) != 9 {
		t.Errorf("flx:stored = %s %s; want web1's uuid, job 5 (pbx), 9 removed", evs[i].Subject, evs[i].Data)
	}

	// The job deleted with its archives: its snapshots go, the one-off stays.
	gone, err := f.x.DeleteJob(ctx, f.web1.UUID, 5)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(gone)
	want := []string{filepath.Base(old[0]), filepath.Base(old[1]), filepath.Base(second)}
	slices.Sort(want)
	if !slices.Equal(gone, want) {
		t.Errorf("DeleteJob = %v; want %v", gone, want)
	}
	if l, _ := f.x.List(ctx, "web1"); !slices.Equal(l, []string{kept1}) {
		t.Errorf("List after the job's deletion = %v; want only the one-off %s", l, kept1)
	}
}
