package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"

	"borgdesk/backend/shared/agentapi"
)

// ErrPinMismatch means the coordinator presented a CA other than the one the
// install command named: a wrong command, or someone in the middle.
var ErrPinMismatch = errors.New("the coordinator's CA does not match the fingerprint given")

// Pinned is the TLS configuration for enrollment, before the agent has the
// CA: the server must present, in its chain, a CA certificate whose SHA-256
// fingerprint is pin, and its certificate must verify against that CA for
// serverName. The standard verification is replaced, not skipped: the
// custom check below does the full chain and name verification, against
// the pinned CA only. CA returns the pinned certificate once seen.
type Pinned struct {
	pin string
	mu  sync.Mutex
	ca  *x509.Certificate
}

// NewPinned returns a pinning verifier for fingerprint "SHA256:…".
func NewPinned(pin string) *Pinned { return &Pinned{pin: pin} }

// Config returns a TLS configuration that trusts only the pinned CA.
func (p *Pinned) Config(serverName string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		ServerName: serverName,
		// The default verifier needs a root pool we do not have yet;
		// VerifyConnection below performs the whole verification.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return p.verify(cs, serverName)
		},
	}
}

func (p *Pinned) verify(cs tls.ConnectionState, serverName string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the coordinator presented no certificate")
	}
	var root *x509.Certificate
	var seen []string
	for _, c := range cs.PeerCertificates {
		fp := agentapi.Fingerprint(c.Raw)
		if c.IsCA && fp == p.pin {
			root = c
		}
		if c.IsCA {
			seen = append(seen, fp)
		}
	}
	if root == nil {
		return fmt.Errorf("%w (expected %s, got %v): check the install command; nothing was changed", ErrPinMismatch, p.pin, seen)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	if _, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: serverName}); err != nil {
		return fmt.Errorf("the coordinator's certificate does not verify against the pinned CA: %w", err)
	}
	p.mu.Lock()
	p.ca = root
	p.mu.Unlock()
	return nil
}

// CA is the pinned CA certificate, once a handshake has verified it.
func (p *Pinned) CA() *x509.Certificate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ca
}
