package adminapi

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

func benchFleet(b *testing.B) (*service.Service, *Client) {
	b.Helper()
	dir := b.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 500 {
		st.CreateServer(ctx, store.Server{UUID: fmt.Sprint("u", i), Name: fmt.Sprintf("srv%03d", i)})
	}
	svc := service.New(service.Config{Store: st})
	ln, err := Listen(filepath.Join(dir, "s.sock"))
	if err != nil {
		b.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { NewServer(svc, nil).Serve(sctx, ln); close(done) }()
	b.Cleanup(func() { cancel(); <-done; st.Close() })
	return svc, NewClient(filepath.Join(dir, "s.sock"))
}

// BenchmarkListServers500Direct is the service call the window's bindings make.
func BenchmarkListServers500Direct(b *testing.B) {
	svc, _ := benchFleet(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if s, err := svc.ListServers(ctx); err != nil || len(s) != 500 {
			b.Fatal(err)
		}
	}
}

// BenchmarkListServers500Socket is the same call from the CLI, over the admin socket.
func BenchmarkListServers500Socket(b *testing.B) {
	_, c := benchFleet(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if s, err := c.ListServers(ctx); err != nil || len(s) != 500 {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusSocket is the smallest admin round trip.
func BenchmarkStatusSocket(b *testing.B) {
	_, c := benchFleet(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Status(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
