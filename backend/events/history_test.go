package events

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

// fleet is a store with two servers (web1, db1), a job on each and a run of
// web1's job.
type fleet struct {
	st      *store.Store
	log     Log
	h       History
	web, db store.Server
	files   store.Job
	dump    store.Job
	run     store.Run
	start   time.Time
	clock   time.Time
}

func newFleet(t testing.TB) *fleet {
	t.Helper()
	f, err := openFleet(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	return f
}

func openFleet(dir string) (*fleet, error) {
	ctx := context.Background()
	f := &fleet{start: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.clock = f.start
	st, err := store.Open(ctx, filepath.Join(dir, "borgdesk.db"), store.Options{Now: func() time.Time { return f.clock }})
	if err != nil {
		return nil, err
	}
	f.st, f.h = st, History{Store: st}
	f.log = Log{Store: st, Bus: NewBus(), Now: func() time.Time { return f.clock }}
	steps := []func() error{
		func() (err error) {
			f.web, err = st.CreateServer(ctx, store.Server{UUID: "uuid-web1", Name: "web1"})
			return
		},
		func() (err error) {
			f.db, err = st.CreateServer(ctx, store.Server{UUID: "uuid-db1", Name: "db1"})
			return
		},
		func() (err error) {
			f.files, err = st.CreateJob(ctx, store.Job{ServerID: f.web.ID, Name: "files", Kind: "files"})
			return
		},
		func() (err error) {
			f.dump, err = st.CreateJob(ctx, store.Job{ServerID: f.db.ID, Name: "dump", Kind: "mysql"})
			return
		},
		func() (err error) { f.run, err = st.QueueRun(ctx, f.files.ID, "manual", 1); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			st.Close()
			return nil, err
		}
	}
	return f, nil
}

// publish writes one event a minute after the last.
func (f *fleet) publish(t testing.TB, kind, subject, msg string, data any) {
	t.Helper()
	f.clock = f.clock.Add(time.Minute)
	if err := f.log.Publish(context.Background(), kind, subject, msg, data); err != nil {
		t.Fatal(err)
	}
}

func (f *fleet) query(t *testing.T, q Query) Page {
	t.Helper()
	p, err := f.h.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("Query(%+v): %v", q, err)
	}
	return p
}

func messages(evs []store.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.Message)
	}
	return out
}

func TestPublishFindsServerJobAndSeverity(t *testing.T) {
	f := newFleet(t)
	f.publish(t, RunProgress, "", "run 1 of web1/files failed: disk full", map[string]any{"run_id": f.run.ID, "status": "failed"})
	f.publish(t, ServerChanged, f.db.UUID, "server db1 is offline (no heartbeat for 2m)", map[string]any{"id": f.db.ID, "status": "offline"})
	f.publish(t, JobChanged, f.web.UUID, "job files created for web1", map[string]any{"job_id": f.files.ID})
	f.publish(t, SettingsChanged, "rpo.default", "rpo.default changed", map[string]string{"key": "rpo.default"})
	got := f.query(t, Query{}).Events
	type row struct {
		sev           string
		server, job   int64
		serverN, jobN string
	}
	want := []row{
		{Info, 0, 0, "", ""},
		{Info, f.web.ID, f.files.ID, "web1", "files"},
		{Warning, f.db.ID, 0, "db1", ""},
		{Error, f.web.ID, f.files.ID, "web1", "files"}, // through the run, and the job's server
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events; want %d", len(got), len(want))
	}
	for i, ev := range got {
		if r := (row{ev.Severity, ev.ServerID, ev.JobID, ev.ServerName, ev.JobName}); r != want[i] {
			t.Errorf("event %q: got %+v; want %+v", ev.Message, r, want[i])
		}
	}
}

func TestSeverityTable(t *testing.T) {
	for _, c := range []struct{ kind, status, want string }{
		{RunProgress, "succeeded", Info},
		{RunProgress, "warning", Warning},
		{RunProgress, "failed", Error},
		{TaskChanged, "failed", Error},
		{DrillChanged, "failed", Error},
		{DrillChanged, "passed", Info},
		{ReplicaChanged, "failing", Error},
		{ServerChanged, "offline", Warning},
		{Notification, "", Warning},
		{"something:new", "failed", Info},
	} {
		if got := Severity(c.kind, c.status); got != c.want {
			t.Errorf("Severity(%q, %q) = %q; want %q", c.kind, c.status, got, c.want)
		}
	}
}

func TestQueryFilters(t *testing.T) {
	f := newFleet(t)
	f.publish(t, RunProgress, f.web.UUID, "run 1 of web1/files queued (manual)", map[string]any{"run_id": f.run.ID, "status": "queued"})
	f.publish(t, RunProgress, f.web.UUID, "run 1 of web1/files failed: 100% of disk used", map[string]any{"run_id": f.run.ID, "status": "failed"})
	f.publish(t, JobChanged, f.db.UUID, "job dump created for db1", map[string]any{"job_id": f.dump.ID})
	f.publish(t, ServerChanged, f.db.UUID, "server db1 is offline (no heartbeat for 2m)", map[string]any{"id": f.db.ID, "status": "offline"})
	f.publish(t, Notification, f.web.UUID, "prune of web1/files held: 1 archive in use_by a restore", nil)
	at := func(i int) string { return f.start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339) }
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"server by name", Query{Server: "db1"}, []string{"server db1 is offline (no heartbeat for 2m)", "job dump created for db1"}},
		{"server by uuid", Query{Server: f.db.UUID, Kinds: []string{JobChanged}}, []string{"job dump created for db1"}},
		{"job", Query{Job: "web1/files"}, []string{"run 1 of web1/files failed: 100% of disk used", "run 1 of web1/files queued (manual)"}},
		{"kinds", Query{Kinds: []string{JobChanged, ServerChanged}}, []string{"server db1 is offline (no heartbeat for 2m)", "job dump created for db1"}},
		{"at least warning", Query{Severity: Warning}, []string{"prune of web1/files held: 1 archive in use_by a restore", "server db1 is offline (no heartbeat for 2m)", "run 1 of web1/files failed: 100% of disk used"}},
		{"errors", Query{Severity: Error}, []string{"run 1 of web1/files failed: 100% of disk used"}},
		{"from", Query{From: at(4)}, []string{"prune of web1/files held: 1 archive in use_by a restore", "server db1 is offline (no heartbeat for 2m)"}},
		{"until", Query{Until: at(2)}, []string{"run 1 of web1/files queued (manual)"}},
		{"range", Query{From: at(2), Until: at(4)}, []string{"job dump created for db1", "run 1 of web1/files failed: 100% of disk used"}},
		{"search, any case", Query{Search: "OFFLINE"}, []string{"server db1 is offline (no heartbeat for 2m)"}},
		{"search % is plain", Query{Search: "100%"}, []string{"run 1 of web1/files failed: 100% of disk used"}},
		{"search _ is plain", Query{Search: "use_by"}, []string{"prune of web1/files held: 1 archive in use_by a restore"}},
		{"search the subject", Query{Search: "uuid-db"}, []string{"server db1 is offline (no heartbeat for 2m)", "job dump created for db1"}},
		{"search _ matches no other", Query{Search: "in_use"}, []string{}},
		{"all filters", Query{Server: "web1", Job: "files", Kinds: []string{RunProgress}, Severity: Error, From: at(1), Until: at(9), Search: "disk"}, []string{"run 1 of web1/files failed: 100% of disk used"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := messages(f.query(t, c.q).Events)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q; want %q", got, c.want)
			}
		})
	}
}

func TestQueryRefusesBadInput(t *testing.T) {
	f := newFleet(t)
	for _, c := range []struct {
		q    Query
		want error
		says string
	}{
		{Query{Severity: "fatal"}, fault.ErrInvalid, "use info, warning or error"},
		{Query{From: "yesterday"}, fault.ErrInvalid, "2025-03-01T14:00:00Z"},
		{Query{From: "2025-03-02", Until: "2025-03-01"}, fault.ErrInvalid, "swap them"},
		{Query{Limit: -1}, fault.ErrInvalid, "1 to 1000"},
		{Query{Server: "nope"}, fault.ErrNotFound, `server "nope"`},
		{Query{Job: "nope"}, fault.ErrNotFound, `job "nope"`},
	} {
		_, err := f.h.Query(context.Background(), c.q)
		if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.says) {
			t.Errorf("Query(%+v) = %v; want %v saying %q", c.q, err, c.want, c.says)
		}
	}
}

func TestOlderEventsAreClassifiedWhenRead(t *testing.T) {
	f := newFleet(t)
	ctx := context.Background()
	// As written before schema 12: no severity.
	if _, err := f.st.AppendEvents(ctx, []store.Event{
		{Kind: RunProgress, Subject: f.web.UUID, Message: "old failure", Data: []byte(`{"run_id":1,"status":"failed"}`)},
		{Kind: RunProgress, Subject: f.web.UUID, Message: "old success", Data: []byte(`{"run_id":1,"status":"succeeded"}`)},
		{Kind: ReplicaChanged, Subject: f.web.UUID, Message: "old replica", Data: []byte(`{"server_id":1,"state":"failing"}`)},
		{Kind: Notification, Message: "old notice", Data: []byte(`not json`)},
	}); err != nil {
		t.Fatal(err)
	}
	got := f.query(t, Query{Severity: Warning}).Events
	if want := []string{"old notice", "old replica", "old failure"}; strings.Join(messages(got), ",") != strings.Join(want, ",") {
		t.Errorf("warnings and errors: %q; want %q", messages(got), want)
	}
	left, err := f.st.UnclassifiedEvents(ctx)
	if err != nil || len(left) != 0 {
		t.Errorf("unclassified after a query: %v, %v", left, err)
	}
}

func TestPagingWalksEveryEventOnce(t *testing.T) {
	f := newFleet(t)
	for i := range 25 {
		f.publish(t, JobChanged, f.web.UUID, fmt.Sprint("event ", i), map[string]any{"job_id": f.files.ID})
	}
	var seen []string
	q := Query{Limit: 10}
	pages := 0
	for {
		p := f.query(t, q)
		pages++
		seen = append(seen, messages(p.Events)...)
		if p.Next == 0 {
			break
		}
		q.Before = p.Next
	}
	if pages != 3 || len(seen) != 25 || seen[0] != "event 24" || seen[24] != "event 0" {
		t.Errorf("%d pages, %d events, first %q, last %q; want 3 pages of 25 events from event 24 to event 0", pages, len(seen), seen[0], seen[len(seen)-1])
	}
	// A page that ends exactly at the last event says there is no next.
	if p := f.query(t, Query{Limit: 25}); p.Next != 0 || len(p.Events) != 25 {
		t.Errorf("a page of all 25: next %d, %d events; want 0, 25", p.Next, len(p.Events))
	}
}

// TestHundredThousandEvents pages through a history of 100,000 events with
// and without filters: every page is newest first, holds what it should,
// and the pages meet without a gap or an overlap.
func TestHundredThousandEvents(t *testing.T) {
	f := newFleet(t)
	n := 100_000
	if raceDetector {
		n = 5_000 // make test-race: the same walk, smaller (see race_on_test.go)
	}
	if err := seedHistory(f, n); err != nil {
		t.Fatal(err)
	}
	// Event i (0-based) has id first+i.
	first := f.query(t, Query{Limit: 1, Before: 0}).Events[0].ID - int64(n) + 1
	walk := func(q Query, keep func(i int) bool, maxPages int) {
		t.Helper()
		want := n - 1
		for page := 0; page < maxPages; page++ {
			p := f.query(t, q)
			for _, ev := range p.Events {
				for want >= 0 && !keep(want) {
					want--
				}
				if i := int(ev.ID - first); i != want {
					t.Fatalf("%+v: page %d holds event %d (%q); want event %d", q, page, i, ev.Message, want)
				}
				want--
			}
			if p.Next == 0 {
				for want >= 0 && !keep(want) {
					want--
				}
				if want >= 0 {
					t.Fatalf("%+v: the last page ends before event %d", q, want)
				}
				return
			}
			q.Before = p.Next
		}
	}
	kindOf := func(i int) string { return bigKinds[i%len(bigKinds)] }
	walk(Query{}, func(int) bool { return true }, 10)                                                                   // the first 10 pages
	walk(Query{Before: first + 500}, func(i int) bool { return i < 500 }, 10)                                           // the oldest pages
	walk(Query{Kinds: []string{Notification}, Limit: 1000}, func(i int) bool { return kindOf(i) == Notification }, 100) // every notification
	walk(Query{Severity: Error, Limit: 1000}, func(i int) bool {
		return i%10 == 0 && (kindOf(i) == RunProgress || kindOf(i) == TaskChanged)
	}, 100)
	walk(Query{Server: "web1", Job: "files", Severity: Error}, func(i int) bool { return i%10 == 0 && kindOf(i) == RunProgress }, 5)
	// A range: seconds 10,000 to 19,999 after the start.
	walk(Query{From: "2025-03-01T14:46:40Z", Until: "2025-03-01T17:33:20Z", Limit: 1000}, func(i int) bool { return i >= 10_000 && i < 20_000 }, 20)
	// Search: "#4242 of" is one event; "#4242" also matches #42420 to #42429.
	p := f.query(t, Query{Search: "#4242 of"})
	if len(p.Events) != 1 || p.Events[0].ID != first+4242 {
		t.Errorf("search #4242: %q", messages(p.Events))
	}
	want := 0 // #4242, and #42420 to #42429 when there are that many
	for i := range n {
		if strings.HasPrefix(strconv.Itoa(i), "4242") {
			want++
		}
	}
	if p := f.query(t, Query{Search: "#4242"}); len(p.Events) != want {
		t.Errorf("search #4242 found %d events; want %d", len(p.Events), want)
	}
}
