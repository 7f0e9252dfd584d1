// Package ca is the fleet's certificate authority: a root key that never
// leaves the coordinator's data dir, agent certificates issued only from
// CSRs the agents made themselves, and the gateway's serving certificate.
//
// It never generates or sees an agent's private key. Revocation is the
// gateway's job (it checks the store on every handshake); this package only
// issues and identifies.
package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
)

// Lifetimes.
const (
	RootLifetime  = 10 * 365 * 24 * time.Hour
	AgentLifetime = 365 * 24 * time.Hour
	// RenewBefore is how long before expiry an agent renews.
	RenewBefore = 30 * 24 * time.Hour
)

// File names inside the CA directory.
const (
	CertFile = "ca.crt"
	KeyFile  = "ca.key"
)

// agentURIPrefix names an agent in its certificate's URI SAN.
const agentURIPrefix = "urn:borgdesk:agent:"

// ErrBadCSR is returned for a CSR that is malformed, badly signed or uses a
// key type the CA does not accept.
var ErrBadCSR = errors.New("invalid certificate request")

// CA is a loaded certificate authority.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	now  func() time.Time
	// dir keeps the gateway's serving key, so its public key (which the
	// one-line install command pins) survives restarts.
	dir string
}

// LoadOrCreate loads the CA from dir, creating it (ECDSA P-256, 10 years)
// on first start. The key file is written 0600 and must stay so.
func LoadOrCreate(dir string, now func() time.Time) (*CA, error) {
	c, err := loadOrCreate(dir, now)
	if c != nil {
		c.dir = dir
	}
	return c, err
}

func loadOrCreate(dir string, now func() time.Time) (*CA, error) {
	if now == nil {
		now = time.Now
	}
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		return parse(certPEM, keyPEM, keyPath, now)
	case errors.Is(certErr, os.ErrNotExist) && errors.Is(keyErr, os.ErrNotExist):
		return create(dir, certPath, keyPath, now)
	case certErr != nil && !errors.Is(certErr, os.ErrNotExist):
		return nil, fmt.Errorf("read CA certificate: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, os.ErrNotExist):
		return nil, fmt.Errorf("read CA key: %w", keyErr)
	default:
		return nil, fmt.Errorf("the CA in %s is incomplete (one of %s and %s is missing); restore both from a backup — creating a new CA would lock every enrolled agent out", dir, CertFile, KeyFile)
	}
}

func create(dir, certPath, keyPath string, now func() time.Time) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CA dir: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	start := now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Borgdesk fleet CA (" + host + ")", Organization: []string{"Borgdesk"}},
		NotBefore:             start,
		NotAfter:              start.Add(RootLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// Key first: a cert without its key is reported as incomplete, never
	// silently replaced.
	if err := atomicfile.Write(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write CA key: %w", err)
	}
	if err := atomicfile.Write(certPath, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("write CA certificate: %w", err)
	}
	return parse(certPEM, keyPEM, keyPath, now)
}

func parse(certPEM, keyPEM []byte, keyPath string, now func() time.Time) (*CA, error) {
	if err := CheckKeyFile(keyPath, "CA key", "consider the CA compromised if they did"); err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("CA certificate: no PEM certificate found; restore ca.crt from a backup")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("CA key: no PEM key found; restore ca.key from a backup")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("CA key does not match the CA certificate; restore both from the same backup")
	}
	return &CA{cert: cert, key: key, pem: certPEM, now: now}, nil
}

// Certificate is the root certificate.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// CertPEM is the root certificate in PEM.
func (c *CA) CertPEM() []byte { return c.pem }

// Pool is a cert pool holding only the root.
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// Fingerprint is the root's SHA-256 fingerprint, "SHA256:<base64>", the pin
// an install command carries.
func (c *CA) Fingerprint() string { return Fingerprint(c.cert) }

// Fingerprint formats a certificate's pin; see agentapi.Fingerprint.
func Fingerprint(cert *x509.Certificate) string { return agentapi.Fingerprint(cert.Raw) }

// SignAgent issues a one-year client certificate naming agent uuid, for the
// public key in csrPEM. The CSR's own subject is ignored: the CA decides the
// name.
func (c *CA) SignAgent(csrPEM []byte, uuid string) ([]byte, *x509.Certificate, error) {
	csr, err := ParseCSR(csrPEM)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(agentURIPrefix + uuid)
	if err != nil {
		return nil, nil, fmt.Errorf("agent uuid %q: %w", uuid, err)
	}
	start := c.now().Add(-5 * time.Minute)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: uuid, Organization: []string{"Borgdesk agents"}},
		URIs:         []*url.URL{u},
		NotBefore:    start,
		NotAfter:     start.Add(AgentLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return c.sign(tmpl, csr.PublicKey)
}

// ServingCertificate issues the gateway's certificate for hosts (DNS names
// or IP addresses), valid for a year, with a fresh key.
func (c *CA) ServingCertificate(hosts []string) (certPEM, keyPEM []byte, err error) {
	key, err := c.servingKey()
	if err != nil {
		return nil, nil, err
	}
	start := c.now().Add(-5 * time.Minute)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "Borgdesk gateway", Organization: []string{"Borgdesk"}},
		NotBefore:    start,
		NotAfter:     start.Add(AgentLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	certPEM, _, err = c.sign(tmpl, &key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func (c *CA) sign(tmpl *x509.Certificate, pub crypto.PublicKey) ([]byte, *x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, pub, c.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert, nil
}

// ParseCSR decodes and checks a PEM CSR: its signature must verify and its
// key must be ECDSA P-256 or Ed25519.
func ParseCSR(csrPEM []byte) (*x509.CertificateRequest, error) {
	b, _ := pem.Decode(csrPEM)
	if b == nil || b.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("%w: no PEM CERTIFICATE REQUEST block", ErrBadCSR)
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCSR, err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrBadCSR, err)
	}
	switch csr.PublicKeyAlgorithm {
	case x509.ECDSA:
		if k, ok := csr.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA keys must use P-256", ErrBadCSR)
		}
	case x509.Ed25519:
	default:
		return nil, fmt.Errorf("%w: key type %v is not accepted (use ECDSA P-256 or Ed25519)", ErrBadCSR, csr.PublicKeyAlgorithm)
	}
	return csr, nil
}

// AgentUUID returns the agent UUID a certificate issued by SignAgent names.
func AgentUUID(cert *x509.Certificate) (string, bool) {
	for _, u := range cert.URIs {
		if s := u.String(); strings.HasPrefix(s, agentURIPrefix) {
			return strings.TrimPrefix(s, agentURIPrefix), true
		}
	}
	return "", false
}

// SerialHex formats a certificate serial for storage.
func SerialHex(cert *x509.Certificate) string { return fmt.Sprintf("%x", cert.SerialNumber) }

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return n.Add(n, big.NewInt(1))
}

// ServingKeyFile holds the gateway's serving key beside the CA.
const ServingKeyFile = "gateway.key"

// servingKey loads the gateway's key from the CA dir, creating it (0600)
// on first use; without a dir (tests) it is a fresh key.
func (c *CA) servingKey() (*ecdsa.PrivateKey, error) {
	if c.dir == "" {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	path := filepath.Join(c.dir, ServingKeyFile)
	if err := CheckKeyFile(path, "gateway key", "remove it and restart to make a new one"); err != nil {
		return nil, err
	}
	if raw, err := os.ReadFile(path); err == nil {
		if b, _ := pem.Decode(raw); b != nil {
			if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
				if ek, ok := k.(*ecdsa.PrivateKey); ok {
					return ek, nil
				}
			}
		}
		return nil, fmt.Errorf("%s is damaged: remove it and restart (agents are not affected; one-line install commands made before must be made again)", path)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// ScheduleContext separates schedule signatures from anything else the CA
// key signs: the signature covers this prefix and the bundle.
const ScheduleContext = "borgdesk schedule bundle v1\n"

// SignSchedule signs a schedule bundle (agentapi.SignedSchedule) with the
// CA key: an agent trusts its offline schedule only with this signature.
func (c *CA) SignSchedule(bundle []byte) ([]byte, error) {
	sum := sha256.Sum256(append([]byte(ScheduleContext), bundle...))
	return ecdsa.SignASN1(rand.Reader, c.key, sum[:])
}

// CheckKeyFile refuses a private key file that others could read or
// replace: mode beyond 0600, or owned by another user than this process's
// (or root). A missing file is not an error (it is made on first use);
// afterwards says what to do besides fixing the mode.
func CheckKeyFile(path, what, afterwards string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s %s is not a regular file (a link?): replace it with the key itself", what, path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s %s has mode %v: others can read it; run `chmod 600 %s` (and %s)", what, path, fi.Mode().Perm(), path, afterwards)
	}
	if uid, ok := FileOwner(fi); ok && uid != os.Getuid() && uid != 0 {
		return fmt.Errorf("%s %s belongs to user %d, not to the user Borgdesk runs as (%d): run `chown %d %s` (and %s)", what, path, uid, os.Getuid(), os.Getuid(), path, afterwards)
	}
	return nil
}
