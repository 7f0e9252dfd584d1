package gateway

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server limits. A long poll holds a request for agentapi.LongPoll with no
// body to read, so reads are bounded tightly; only an agent's upload of a
// snapshot extends its own read deadline (see extendRead).
const (
	readHeaderTimeout = 10 * time.Second // also bounds the TLS handshake
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	uploadReadTimeout = time.Hour
	// DefaultMaxUnauthenticated bounds the connections that present no
	// client certificate (handshakes in progress, health, install, enrollment).
	DefaultMaxUnauthenticated = 256
)

// connLimit closes connections beyond max that have not authenticated with
// a client certificate, so that strangers cannot hold every socket.
// Connections whose handshake presented a certificate stop counting.
type connLimit struct {
	max int

	mu     sync.Mutex
	unauth map[net.Conn]bool
}

// LimitUnauthenticated is an http.Server ConnState hook that closes
// connections beyond max that presented no client certificate, for other
// mutual-TLS listeners (the operator listener).
func LimitUnauthenticated(max int) func(net.Conn, http.ConnState) { return newConnLimit(max).track }

func newConnLimit(max int) *connLimit {
	return &connLimit{max: max, unauth: map[net.Conn]bool{}}
}

// track is an http.Server ConnState hook.
func (l *connLimit) track(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew:
		if len(l.unauth) >= l.max {
			c.Close() // the server reports it closed; it was never counted
			return
		}
		l.unauth[c] = true
	case http.StateActive:
		if l.unauth[c] && presentedCertificate(c) {
			delete(l.unauth, c)
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.unauth, c)
	}
}

func (l *connLimit) unauthenticated() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.unauth)
}

func presentedCertificate(c net.Conn) bool {
	tc, ok := c.(*tls.Conn)
	return ok && len(tc.ConnectionState().PeerCertificates) > 0
}

// extendRead lets one request read its body for longer than readTimeout.
func extendRead(w http.ResponseWriter, d time.Duration) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
}
