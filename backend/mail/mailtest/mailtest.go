// Package mailtest starts a real SMTP server for tests: aiosmtpd, from
// Debian's python3-aiosmtpd, with STARTTLS required before AUTH, one user
// (alerts / s3cret), a refused recipient (refused@…), and every message
// saved as a file.
package mailtest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

//go:embed smtpd.py
var script []byte

// User and Password are the server's only account.
const (
	User     = "alerts"
	Password = "s3cret"
)

// SMTPD is a real SMTP server on 127.0.0.1.
type SMTPD struct {
	t *testing.T
	// Port is where it listens (once started); CertFile is its self-signed
	// certificate (for SSL_CERT_FILE); TLS trusts it.
	Port     int
	CertFile string
	TLS      *tls.Config
	dir, out string
	cmd      *exec.Cmd
}

const systemPython = "/usr/bin/python3"

// New prepares a server (not started): a certificate and a port.
func New(t *testing.T) *SMTPD {
	t.Helper()
	if exec.Command(systemPython, "-c", "import aiosmtpd").Run() != nil {
		testenv.Missing(t, "python3-aiosmtpd is not installed for %s", systemPython)
	}
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kder, _ := x509.MarshalECPrivateKey(key)
	cert := filepath.Join(dir, "cert.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(filepath.Join(dir, "smtpd.py"), script, 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &SMTPD{t: t, Port: port, CertFile: cert, dir: dir, out: filepath.Join(dir, "received"), TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	os.MkdirAll(s.out, 0o755)
	return s
}

// Start runs the server until the test ends (or Stop).
func (s *SMTPD) Start() {
	s.t.Helper()
	s.cmd = exec.Command(systemPython, filepath.Join(s.dir, "smtpd.py"), strconv.Itoa(s.Port), s.CertFile, filepath.Join(s.dir, "key.pem"), User, Password, s.out)
	stdin, _ := s.cmd.StdinPipe()
	stdout, _ := s.cmd.StdoutPipe()
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		s.t.Fatalf("smtpd did not start: %q %v", line, err)
	}
	s.t.Cleanup(func() { stdin.Close(); s.Stop() })
}

// Stop stops the server.
func (s *SMTPD) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Received returns every message the server accepted, raw.
func (s *SMTPD) Received() []string {
	entries, _ := os.ReadDir(s.out)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			b, _ := os.ReadFile(filepath.Join(s.out, e.Name()))
			out = append(out, string(b))
		}
	}
	return out
}

// PythonMbox returns the subjects of the messages Python's own mailbox
// module reads in an mbox file: a second, independent mbox reader.
func PythonMbox(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command(systemPython, "-c", `import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print(m["Subject"])`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python mailbox on %s: %v\n%s", path, err, out)
	}
	s := strings.TrimSpace(string(out))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
