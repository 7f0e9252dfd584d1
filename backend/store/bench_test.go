package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	st, err := Open(context.Background(), filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkAppendEvent is one durable event write (WAL, synchronous=NORMAL).
func BenchmarkAppendEvent(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := st.AppendEvent(ctx, Event{Kind: "bench", Message: fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListServers500 reads a 500-server fleet, the design's upper bound.
func BenchmarkListServers500(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	for i := range 500 {
		if _, err := st.CreateServer(ctx, Server{UUID: fmt.Sprint("u", i), Name: fmt.Sprintf("srv%03d", i), Host: "10.0.0.1"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		servers, err := st.ListServers(ctx)
		if err != nil || len(servers) != 500 {
			b.Fatalf("ListServers = %d, %v", len(servers), err)
		}
	}
}

// BenchmarkDashboardQueries500 is what the dashboard's first paint asks the
// database for on a 500-server fleet with 100,000 runs: the servers, each
// server's newest successful backup, and the newest runs.
func BenchmarkDashboardQueries500(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := ts(st.now())
	for i := range 500 {
		res, err := tx.ExecContext(ctx, `INSERT INTO servers (uuid, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, fmt.Sprint("u", i), fmt.Sprintf("srv%03d", i), now, now)
		if err != nil {
			b.Fatal(err)
		}
		sid, _ := res.LastInsertId()
		res, err = tx.ExecContext(ctx, `INSERT INTO jobs (server_id, name, kind, created_at, updated_at) VALUES (?, 'files', 'files', ?, ?)`, sid, now, now)
		if err != nil {
			b.Fatal(err)
		}
		jid, _ := res.LastInsertId()
		for r := range 200 {
			status := RunSucceeded
			if r%10 == 9 {
				status = RunFailed
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO runs (job_id, status, started_at, finished_at) VALUES (?, ?, ?, ?)`, jid, status, now, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		servers, err := st.ListServers(ctx)
		if err != nil || len(servers) != 500 {
			b.Fatalf("servers: %d, %v", len(servers), err)
		}
		facts, err := st.JobRunFacts(ctx)
		if err != nil || len(facts) != 500 {
			b.Fatalf("job run facts: %d, %v", len(facts), err)
		}
		if runs, err := st.ListRuns(ctx, 50); err != nil || len(runs) != 50 {
			b.Fatalf("runs: %d, %v", len(runs), err)
		}
	}
}

// BenchmarkRunByTask500 is the lookup every progress report and every
// finished backup makes (the run of an agent's task) in a store of 500
// jobs with 100,000 runs.
func BenchmarkRunByTask500(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := ts(st.now())
	var last int64
	for i := range 500 {
		res, err := tx.ExecContext(ctx, `INSERT INTO servers (uuid, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, fmt.Sprint("u", i), fmt.Sprintf("srv%03d", i), now, now)
		if err != nil {
			b.Fatal(err)
		}
		sid, _ := res.LastInsertId()
		res, err = tx.ExecContext(ctx, `INSERT INTO jobs (server_id, name, kind, created_at, updated_at) VALUES (?, 'files', 'files', ?, ?)`, sid, now, now)
		if err != nil {
			b.Fatal(err)
		}
		jid, _ := res.LastInsertId()
		for range 200 {
			res, err := tx.ExecContext(ctx, `INSERT INTO tasks (server_id, type, payload_json, status, created_at) VALUES (?, 'backup', '{}', 'succeeded', ?)`, sid, now)
			if err != nil {
				b.Fatal(err)
			}
			last, _ = res.LastInsertId()
			if _, err := tx.ExecContext(ctx, `INSERT INTO runs (job_id, status, task_id, started_at, finished_at) VALUES (?, 'succeeded', ?, ?, ?)`, jid, last, now, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if r, err := st.RunByTask(ctx, last); err != nil || r.TaskID != last {
			b.Fatalf("RunByTask = %+v, %v", r, err)
		}
	}
}
