// Package remote is the operator's side of a coordinator on another
// machine: `borgdesk connect` makes a key and a CSR here, pins the CA
// fingerprint an invite carries, gets a certificate from the coordinator's
// operator listener, and keeps key, certificate and CA in the user's config
// dir (os.UserConfigDir()/borgdesk/coordinators/NAME, 0700, files 0600);
// later commands load that identity to talk to the coordinator over mutual
// TLS.
//
// The private key never leaves this machine. It never trusts a coordinator
// by its host name or the system's CAs: only a serving certificate signed by
// the pinned CA is accepted.
package remote

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"borgdesk/backend/operators"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
)

// EnvCoordinator names a remote coordinator for the CLI (like --coordinator).
const EnvCoordinator = "BORGDESK_COORDINATOR"

// enrollPath is adminapi.EnrollPath (remote does not import the server side).
const enrollPath = "/v1/operators/enroll"

// Files in a coordinator's directory.
const (
	KeyFile     = "operator.key"
	CertFile    = "operator.crt"
	CAFile      = "ca.crt"
	ProfileFile = "coordinator.json"
)

// Profile is one coordinator this user is connected to.
type Profile struct {
	// Name is the directory's name (the coordinator's host and port
	// unless chosen with --name).
	Name          string         `json:"name"`
	URL           string         `json:"url"`
	Operator      string         `json:"operator"`
	Role          operators.Role `json:"role"`
	CAFingerprint string         `json:"ca_fingerprint"`
	ConnectedAt   time.Time      `json:"connected_at"`
	// Dir is where its files are (not stored).
	Dir string `json:"-"`
}

// DefaultDir is os.UserConfigDir()/borgdesk/coordinators.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find your config dir: %w (set XDG_CONFIG_HOME or HOME)", err)
	}
	return filepath.Join(d, "borgdesk", "coordinators"), nil
}

// checkURL accepts https://HOST:PORT and returns it without a trailing slash.
func checkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" || u.User != nil || u.RawQuery != "" {
		return "", fmt.Errorf("%q is not a coordinator address: give https://HOST:PORT (the operator listener, e.g. https://backup.example.com:8444)", raw)
	}
	return u.String(), nil
}

// profileName is a directory name for a URL: host_port.
func profileName(u string) string {
	p, _ := url.Parse(u)
	return strings.NewReplacer(":", "_", "[", "", "]", "").Replace(p.Host)
}

// Connect enrolls this user with the coordinator at rawURL (the invite's
// address when empty) using an invite code, and stores the identity under
// dir/NAME (name defaults to the host and port). A directory of that name
// that holds an identity already is refused: remove it first.
func Connect(ctx context.Context, rawURL, invite, dir, name string) (Profile, error) {
	code, err := operators.ParseInviteCode(invite)
	if err != nil {
		return Profile{}, err
	}
	if rawURL == "" {
		rawURL = code.URL
	}
	u, err := checkURL(rawURL)
	if err != nil {
		return Profile{}, err
	}
	if name == "" {
		name = profileName(u)
	}
	pdir := filepath.Join(dir, name)
	if _, err := os.Stat(filepath.Join(pdir, KeyFile)); err == nil {
		return Profile{}, fmt.Errorf("%s already holds an operator identity: remove that directory first, or choose another name with --name", pdir)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Profile{}, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "borgdesk operator"}}, key)
	if err != nil {
		return Profile{}, fmt.Errorf("make a certificate request: %w", err)
	}
	body, _ := json.Marshal(operators.EnrollRequest{Token: code.Token, CSR: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))})
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: pinned(code.CAFingerprint, nil)}}
	got, err := post(ctx, hc, u+enrollPath, body)
	if err != nil {
		return Profile{}, err
	}
	if err := checkIssued(got, key, code.CAFingerprint); err != nil {
		return Profile{}, err
	}
	p := Profile{Name: name, URL: u, Operator: got.Name, Role: got.Role, CAFingerprint: code.CAFingerprint, ConnectedAt: time.Now().UTC(), Dir: pdir}
	return p, save(p, key, got)
}

// post sends body to url and reads the certificate the coordinator
// answers with, or its refusal as a sentence.
func post(ctx context.Context, hc *http.Client, url string, body []byte) (operators.EnrollResponse, error) {
	var got operators.EnrollResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return got, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return got, fmt.Errorf("connect to %s: %w", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			return got, fmt.Errorf("the coordinator refused: %s", e.Error.Message)
		}
		return got, fmt.Errorf("the coordinator answered %s", resp.Status)
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		return got, fmt.Errorf("read the coordinator's answer: %w", err)
	}
	return got, nil
}

// checkIssued checks that the certificate is for this key and the CA is
// the pinned one, before anything is written.
func checkIssued(got operators.EnrollResponse, key *ecdsa.PrivateKey, fp string) error {
	cb, _ := pem.Decode([]byte(got.Certificate))
	ab, _ := pem.Decode([]byte(got.CACertificate))
	if cb == nil || ab == nil {
		return errors.New("the coordinator's answer holds no certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return fmt.Errorf("the coordinator's certificate: %w", err)
	}
	if agentapi.Fingerprint(ab.Bytes) != fp {
		return fmt.Errorf("the coordinator sent a CA whose fingerprint is not the invite's %s: nothing was stored", fp)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return errors.New("the coordinator's certificate is not for the key made here: nothing was stored")
	}
	return nil
}

func save(p Profile, key *ecdsa.PrivateKey, got operators.EnrollResponse) error {
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", p.Dir, err)
	}
	if err := os.Chmod(p.Dir, 0o700); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	prof, _ := json.MarshalIndent(p, "", "  ")
	for _, f := range []struct {
		name string
		data []byte
	}{
		{KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})},
		{CertFile, []byte(got.Certificate)},
		{CAFile, []byte(got.CACertificate)},
		{ProfileFile, append(prof, '\n')},
	} {
		if err := atomicfile.Write(filepath.Join(p.Dir, f.name), f.data, 0o600); err != nil {
			return fmt.Errorf("store %s: %w", f.name, err)
		}
	}
	return nil
}

// renewPath is adminapi's route for an operator's own renewal.
const renewPath = "/v1/operators/me/renew"

// Renew replaces the profile's key and certificate: a new key and CSR made
// here, signed by the coordinator while the current certificate is in its
// last 30 days. The old files are replaced only once the new certificate
// checks out.
func Renew(ctx context.Context, p Profile) (Profile, error) {
	cfg, err := p.TLSConfig()
	if err != nil {
		return Profile{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Profile{}, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "borgdesk operator"}}, key)
	if err != nil {
		return Profile{}, fmt.Errorf("make a certificate request: %w", err)
	}
	body, _ := json.Marshal(operators.RenewRequest{CSR: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))})
	got, err := post(ctx, &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: cfg}}, p.URL+renewPath, body)
	if err != nil {
		return Profile{}, err
	}
	if err := checkIssued(got, key, p.CAFingerprint); err != nil {
		return Profile{}, err
	}
	p.Role = got.Role
	return p, save(p, key, got)
}
