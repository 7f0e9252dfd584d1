package events

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/store"
)

// bigKinds cycle through the seeded history: event i is of kind
// bigKinds[i%len(bigKinds)]; one in ten runs fails.
var bigKinds = []string{RunProgress, RunProgress, RunProgress, TaskChanged, ServerChanged, JobChanged, Notification}

// seedHistory writes n events a second apart, from f.start on: runs of
// web1's job, tasks and changes of both servers, a notification now and
// then; event i's message holds "#i".
func seedHistory(f *fleet, n int) error {
	ctx := context.Background()
	const batch = 10_000
	for lo := 0; lo < n; lo += batch {
		evs := make([]store.Event, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			kind := bigKinds[i%len(bigKinds)]
			ev := store.Event{At: f.start.Add(time.Duration(i) * time.Second), Kind: kind}
			status := "succeeded"
			if i%10 == 0 {
				status = "failed"
			}
			switch kind {
			case RunProgress:
				ev.Subject, ev.Message = f.web.UUID, fmt.Sprintf("run #%d of web1/files %s", i, status)
				ev.Data = fmt.Appendf(nil, `{"run_id":%d,"status":%q}`, f.run.ID, status)
			case TaskChanged:
				ev.Subject, ev.Message = f.db.UUID, fmt.Sprintf("task #%d on db1 %s", i, status)
				ev.Data = fmt.Appendf(nil, `{"task_id":%d,"status":%q}`, i, status)
			case Notification:
				ev.Subject, ev.Message = f.web.UUID, fmt.Sprintf("prune of web1/files held #%d", i)
			default:
				ev.Subject, ev.Message = f.db.UUID, fmt.Sprintf("%s #%d of db1", kind, i)
				ev.Data = fmt.Appendf(nil, `{"job_id":%d}`, f.dump.ID)
			}
			ev.Severity = Severity(kind, statusOf(ev.Data))
			evs = append(evs, ev)
		}
		if _, err := f.st.AppendEvents(ctx, evs); err != nil {
			return err
		}
	}
	return nil
}

// big is one history of 100,000 events the benchmarks share: written once
// per test binary (about 6 s), in a directory TestMain removes.
var big struct {
	once sync.Once
	dir  string
	f    *fleet
	err  error
}

func bigHistory(b *testing.B) *fleet {
	big.once.Do(func() {
		if big.dir, big.err = os.MkdirTemp("", "borgdesk-events-bench-"); big.err != nil {
			return
		}
		big.f, big.err = openFleet(big.dir)
		if big.err == nil {
			big.err = seedHistory(big.f, 100_000)
		}
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.f
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.f != nil {
		big.f.st.Close()
	}
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

func benchHistory(b *testing.B, q Query) {
	f := bigHistory(b)
	ctx := context.Background()
	if _, err := f.h.Query(ctx, q); err != nil { // and classify nothing, once
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		p, err := f.h.Query(ctx, q)
		if err != nil || len(p.Events) == 0 {
			b.Fatalf("Query = %d events, %v", len(p.Events), err)
		}
	}
}

// The Events page over 100,000 events: its first page, and a filter change
// (each a new first page). make bench reports them.
func BenchmarkEvents100kFirstPage(b *testing.B) { benchHistory(b, Query{}) }
func BenchmarkEvents100kServer(b *testing.B)    { benchHistory(b, Query{Server: "db1"}) }
func BenchmarkEvents100kJob(b *testing.B)       { benchHistory(b, Query{Job: "web1/files"}) }
func BenchmarkEvents100kKind(b *testing.B)      { benchHistory(b, Query{Kinds: []string{Notification}}) }
func BenchmarkEvents100kErrors(b *testing.B)    { benchHistory(b, Query{Severity: Error}) }

// A day long ago: 2025-03-01 12:00 + 10,000 s to + 20,000 s.
func BenchmarkEvents100kOldRange(b *testing.B) {
	benchHistory(b, Query{From: "2025-03-01T14:46:40Z", Until: "2025-03-01T17:33:20Z"})
}

// A search whose only match is the oldest event: the whole log is read.
func BenchmarkEvents100kSearchRare(b *testing.B) { benchHistory(b, Query{Search: "run #0 of"}) }

// A common word: the page fills from the newest events.
func BenchmarkEvents100kSearchCommon(b *testing.B) { benchHistory(b, Query{Search: "db1"}) }

// Page 900 of 1,000 (before an old id).
func BenchmarkEvents100kDeepPage(b *testing.B) { benchHistory(b, Query{Before: 10_000}) }
