package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
)

// limited serves f's service on a second gateway that admits at most max
// connections without a client certificate.
func (f *fixture) limited(max int) (*Gateway, string) {
	f.t.Helper()
	gw, err := New(Config{Fleet: f.svc, CA: f.ca, Now: f.clock.Now, Hosts: []string{"127.0.0.1"}, MaxUnauthenticated: max})
	if err != nil {
		f.t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { gw.Serve(ctx, ln); close(done) }()
	f.t.Cleanup(func() { cancel(); <-done })
	return gw, ln.Addr().String()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// handshake completes a TLS handshake without a client certificate on c,
// which proves the server still serves it.
func (f *fixture) handshake(c net.Conn) error {
	tc := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	return tc.Handshake()
}

// closedByServer reports whether the server closed c (EOF or reset) rather
// than keeping it open past the wait.
func closedByServer(c net.Conn, wait time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestStrangersCannotHoldEverySocket(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	gw, addr := f.limited(3)
	f.url = "https://" + addr

	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	waitUntil(t, "three unauthenticated connections", func() bool { return gw.conns.unauthenticated() == 3 })
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if !closedByServer(extra, 5*time.Second) {
		t.Error("a fourth connection without a certificate was kept open; want it closed at once")
	}
	// The connections within the limit are still served: a handshake on
	// one completes (a closed one would fail it at once).
	if err := f.handshake(held[0]); err != nil {
		t.Errorf("a connection within the limit was not served after a fourth was refused: %v", err)
	}

	// Once one leaves, an agent gets in, and its authenticated connection
	// stops counting against strangers.
	held[0].Close()
	waitUntil(t, "a free slot", func() bool { return gw.conns.unauthenticated() == 2 })
	if status, body := f.get(a.hc, agentapi.PathTasks+"?wait=0", nil); status != 200 {
		t.Fatalf("agent with a free slot = %d %s", status, body)
	}
	if n := gw.conns.unauthenticated(); n != 2 {
		t.Errorf("unauthenticated connections with the agent connected = %d; want 2", n)
	}
	another, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer another.Close()
	waitUntil(t, "the stranger counted", func() bool { return gw.conns.unauthenticated() == 3 })
	if err := f.handshake(another); err != nil {
		t.Errorf("the agent's connection counted against the strangers' limit: a third stranger was not served: %v", err)
	}
}
