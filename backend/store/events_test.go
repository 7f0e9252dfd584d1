package store

import (
	"context"
	"strconv"
	"testing"
)

// eventHistorySchema is the schema whose migration made the event log a
// history (severity, server, job, full-text index).
const eventHistorySchema = 12

// TestEventHistoryMigrationFindsServerAndJobOfOlderEvents writes events as
// a Borgdesk before that schema did, then migrates: each event gets the
// server and job it is about, and no severity until the events room
// classifies it.
func TestEventHistoryMigrationFindsServerAndJobOfOlderEvents(t *testing.T) {
	ctx := context.Background()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:eventHistorySchema-1]
	st, path := openTest(t)
	migrations = saved
	sv, _ := st.CreateServer(ctx, Server{UUID: "uuid-web1", Name: "web1"})
	j, _ := st.CreateJob(ctx, Job{ServerID: sv.ID, Name: "files", Kind: "files"})
	r, _ := st.QueueRun(ctx, j.ID, "manual", 1)
	d, err := st.StartDrill(ctx, j, "files@1", "sample")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []struct{ kind, subject, data string }{
		{"run:progress", "", `{"run_id":` + itoa(r.ID) + `,"status":"failed"}`},
		{"job:changed", "uuid-web1", `{"job_id":` + itoa(j.ID) + `}`},
		{"drill:changed", "uuid-web1", `{"id":` + itoa(d.ID) + `,"status":"passed"}`},
		{"server:changed", "uuid-web1", `{"id":1}`},
		{"settings:changed", "rpo.default", `{"key":"rpo.default"}`},
		{"notification", "", `null`},
	} {
		if _, err := st.db.ExecContext(ctx, `INSERT INTO events (at, kind, subject, message, data_json) VALUES ('2025-03-01T12:00:00Z', ?, ?, 'm', ?)`, ev.kind, ev.subject, ev.data); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	st, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.QueryEvents(ctx, EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		kind         string
		server, job  int64
		sname, jname string
		severity     string
	}
	want := []got{
		{"notification", 0, 0, "", "", ""},
		{"settings:changed", 0, 0, "", "", ""},
		{"server:changed", sv.ID, 0, "web1", "", ""},
		{"drill:changed", sv.ID, j.ID, "web1", "files", ""},
		{"job:changed", sv.ID, j.ID, "web1", "files", ""},
		{"run:progress", sv.ID, j.ID, "web1", "files", ""}, // the run's job, the job's server
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events; want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		if g := (got{ev.Kind, ev.ServerID, ev.JobID, ev.ServerName, ev.JobName, ev.Severity}); g != want[i] {
			t.Errorf("event %d: %+v; want %+v", i, g, want[i])
		}
	}
	classes, err := st.UnclassifiedEvents(ctx)
	if err != nil || len(classes) != 6 {
		t.Errorf("unclassified: %v, %v; want the six", classes, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
