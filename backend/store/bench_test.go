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
