package ca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

func csrFor(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "evil-admin"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestCreateThenLoadSameCA(t *testing.T) {
	dir := t.TempDir()
	c1, err := LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, KeyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode = %v; want 0600", fi.Mode().Perm())
	}
	cert := c1.Certificate()
	if !cert.IsCA || cert.PublicKeyAlgorithm != x509.ECDSA || cert.NotAfter.Sub(cert.NotBefore) < 9*365*24*time.Hour {
		t.Errorf("root = CA %v, %v, lifetime %v", cert.IsCA, cert.PublicKeyAlgorithm, cert.NotAfter.Sub(cert.NotBefore))
	}
	c2, err := LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Fingerprint() != c2.Fingerprint() || !strings.HasPrefix(c1.Fingerprint(), "SHA256:") {
		t.Errorf("fingerprints %s vs %s", c1.Fingerprint(), c2.Fingerprint())
	}
}

func TestRefusesIncompleteOrExposedCA(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir, nil); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, err := LoadOrCreate(dir, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: err = %v", err)
	}
	os.Remove(filepath.Join(dir, KeyFile))
	_, err := LoadOrCreate(dir, nil)
	if err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Fatalf("missing key: err = %v; want a refusal, not a new CA", err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); !os.IsNotExist(err) {
		t.Error("a new key was written over an incomplete CA")
	}
}

func TestSignAgentUsesOnlyTheCSRKeyAndOurName(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	c, err := LoadOrCreate(t.TempDir(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, cert, err := c.SignAgent(csrFor(t, key), "0b6f2c6e-1111-2222-3333-444455556666")
	if err != nil {
		t.Fatal(err)
	}
	if !cert.PublicKey.(*ecdsa.PublicKey).Equal(&key.PublicKey) {
		t.Error("certificate is not for the CSR's key")
	}
	if id, ok := AgentUUID(cert); !ok || id != "0b6f2c6e-1111-2222-3333-444455556666" {
		t.Errorf("AgentUUID = %q, %v", id, ok)
	}
	if cert.Subject.CommonName == "evil-admin" {
		t.Error("the CSR chose its own name")
	}
	if got := cert.NotAfter.Sub(now); got < 364*24*time.Hour || got > 366*24*time.Hour {
		t.Errorf("lifetime = %v; want a year", got)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || cert.IsCA {
		t.Errorf("usage = %v, CA %v", cert.ExtKeyUsage, cert.IsCA)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: c.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CurrentTime: now}); err != nil {
		t.Errorf("does not verify against the CA: %v", err)
	}
}

func TestParseCSRRefusals(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	good, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tampered := csrFor(t, good)
	b, _ := pem.Decode(tampered)
	b.Bytes[len(b.Bytes)-5] ^= 0xff
	tests := map[string][]byte{
		"not pem":   []byte("hello"),
		"rsa":       csrFor(t, rsaKey),
		"p384":      csrFor(t, p384),
		"tampered":  pem.EncodeToMemory(b),
		"wrong pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}),
	}
	for name, in := range tests {
		if _, err := ParseCSR(in); !errors.Is(err, ErrBadCSR) {
			t.Errorf("%s: err = %v; want ErrBadCSR", name, err)
		}
	}
}

func TestServingCertificateNamesHosts(t *testing.T) {
	c, _ := LoadOrCreate(t.TempDir(), nil)
	certPEM, _, err := c.ServingCertificate([]string{"coord.example", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(certPEM)
	cert, _ := x509.ParseCertificate(b.Bytes)
	for _, h := range []string{"coord.example", "127.0.0.1"} {
		if err := cert.VerifyHostname(h); err != nil {
			t.Errorf("VerifyHostname(%s): %v", h, err)
		}
	}
	if err := cert.VerifyHostname("other.example"); err == nil {
		t.Error("certificate valid for a host it does not name")
	}
}

func TestExposedGatewayKeyIsRefused(t *testing.T) {
	dir := t.TempDir()
	c, err := LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ServingCertificate([]string{"localhost"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ServingKeyFile)
	os.Chmod(path, 0o640)
	if _, _, err := c.ServingCertificate([]string{"localhost"}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("group-readable gateway key: err = %v; want a refusal that says chmod 600", err)
	}
	os.Chmod(path, 0o600)
	t.Run("another user's key", func(t *testing.T) {
		testenv.NeedRoot(t, "chown the key to another user")
		os.Chown(path, 4242, 4242)
		if _, _, err := c.ServingCertificate([]string{"localhost"}); err == nil || !strings.Contains(err.Error(), "belongs to user 4242") {
			t.Errorf("gateway key of another user: err = %v; want a refusal naming the owner", err)
		}
	})
}
