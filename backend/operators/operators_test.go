package operators

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/store"
)

type fixture struct {
	ops *Operators
	st  *store.Store
	ca  *ca.CA
	now time.Time
}

// newFixture is the room over a real SQLite store and a real CA, with a
// clock the test moves.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Now()}
	clock := func() time.Time { return f.now }
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "borgdesk.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	authority, err := ca.LoadOrCreate(filepath.Join(dir, "ca"), clock)
	if err != nil {
		t.Fatal(err)
	}
	f.st, f.ca = st, authority
	f.ops = New(Config{Store: st, CA: authority, Events: events.Log{Store: st, Bus: events.NewBus(), Now: clock}, Now: clock,
		URL: func() string { return "https://desk.example.test:8444" }})
	return f
}

func newCSR(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func parseCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("no certificate in %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enroll invites name and enrolls with a fresh key.
func (f *fixture) enroll(t *testing.T, name string, role Role) *x509.Certificate {
	t.Helper()
	ctx := context.Background()
	inv, err := f.ops.Invite(ctx, name, role, 0)
	if err != nil {
		t.Fatal(err)
	}
	code, err := ParseInviteCode(inv.Code)
	if err != nil || code.CAFingerprint != f.ca.Fingerprint() || code.URL != inv.URL {
		t.Fatalf("invite code %+v, %v; want the CA's pin and the URL", code, err)
	}
	got, err := f.ops.Enroll(ctx, EnrollRequest{Token: code.Token, CSR: newCSR(t)})
	if err != nil {
		t.Fatal(err)
	}
	return parseCert(t, got.Certificate)
}

func TestOperatorCertificatesAreNotAgents(t *testing.T) {
	f := newFixture(t)
	cert := f.enroll(t, "vera", Viewer)
	if _, ok := ca.AgentUUID(cert); ok {
		t.Error("an operator certificate names an agent")
	}
	if name, ok := ca.OperatorName(cert); !ok || name != "vera" || cert.Subject.OrganizationalUnit[0] != ca.OperatorUnit {
		t.Errorf("OperatorName = %q, %v (OU %v); want vera, operators", name, ok, cert.Subject.OrganizationalUnit)
	}
	agentPEM, _, err := f.ca.SignAgent([]byte(newCSR(t)), "6f1c1e5e-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ops.Identify(context.Background(), parseCert(t, string(agentPEM))); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "agent") {
		t.Errorf("Identify(an agent's certificate) = %v; want it refused, saying so", err)
	}
}

func TestRenewalOnlyInItsWindowAndOnlyTheLiveCertificate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := f.enroll(t, "otto", Operator)
	if _, err := f.ops.Renew(ctx, first, RenewRequest{CSR: newCSR(t)}); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "renewal opens on") {
		t.Fatalf("renew a new certificate = %v; want 'renewal opens on'", err)
	}
	f.now = first.NotAfter.Add(-10 * 24 * time.Hour)
	got, err := f.ops.Renew(ctx, first, RenewRequest{CSR: newCSR(t)})
	if err != nil {
		t.Fatalf("renew 10 days before expiry: %v", err)
	}
	second := parseCert(t, got.Certificate)
	if c, err := f.ops.Identify(ctx, second); err != nil || c.Name != "otto" || c.Role != Operator {
		t.Errorf("Identify(renewed) = %+v, %v", c, err)
	}
	if _, err := f.ops.Identify(ctx, first); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "renewal replaced") {
		t.Errorf("Identify(the replaced certificate) = %v; want it refused", err)
	}
}

func TestInviteRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		who  string
		role Role
		ttl  time.Duration
		want string
	}{
		{"bad name", "a b", Viewer, 0, "operator name"},
		{"bad role", "vera", "root", 0, "choose admin, operator or viewer"},
		{"too long", "vera", Viewer, 8 * 24 * time.Hour, "choose between 1m and 168h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.ops.Invite(ctx, tt.who, tt.role, tt.ttl); !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Invite = %v; want %q", err, tt.want)
			}
		})
	}
	off := New(Config{Store: f.st, CA: f.ca})
	if _, err := off.Invite(ctx, "vera", Viewer, 0); !errors.Is(err, fault.ErrUnavailable) || !strings.Contains(err.Error(), "--operators-listen") {
		t.Errorf("Invite with the listener off = %v; want it to say how to turn it on", err)
	}
	inv, err := f.ops.Invite(ctx, "vera", Viewer, 0)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := ParseInviteCode(inv.Code)
	if _, err := f.ops.Enroll(ctx, EnrollRequest{Token: code.Token, CSR: "not a csr"}); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("Enroll with a bad CSR = %v", err)
	}
	// A bad CSR did not spend the invite.
	if _, err := f.ops.Enroll(ctx, EnrollRequest{Token: code.Token, CSR: newCSR(t)}); err != nil {
		t.Errorf("Enroll after a bad CSR: %v; want the invite still usable", err)
	}
}
