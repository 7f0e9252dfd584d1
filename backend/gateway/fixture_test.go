package gateway

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/ca"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	st    *store.Store
	svc   *service.Service
	ca    *ca.CA
	clock *clock
	url   string
}

// newFixture runs a real gateway over TLS on 127.0.0.1 with a test clock.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	clk := &clock{t: time.Now()}
	st, err := store.Open(context.Background(), filepath.Join(dir, "db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	authority, err := ca.LoadOrCreate(filepath.Join(dir, "ca"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + ln.Addr().String()
	cert, pin, err := Certificate(authority, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Config{Store: st, CA: authority, Now: clk.Now, Heartbeat: time.Minute, GatewayURL: url, GatewayPin: pin})
	gw, err := New(Config{Fleet: svc, CA: authority, Now: clk.Now, Certificate: cert, LongPoll: 20 * time.Second, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { gw.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done; svc.Close(); st.Close() })
	return &fixture{t: t, st: st, svc: svc, ca: authority, clock: clk, url: url}
}

// agent is an enrolled test agent with its own key.
type agent struct {
	uuid string
	cert tls.Certificate
	hc   *http.Client
}

func newCSR(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func sshKey(t *testing.T) string {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(ssh.MarshalAuthorizedKey(k))
}

func (f *fixture) token(name string, ttl time.Duration) string {
	f.t.Helper()
	tok, err := f.svc.CreateEnrollmentToken(context.Background(), name, ttl)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok.Token
}

func (f *fixture) registerReq(name, token string) (agentapi.RegisterRequest, *ecdsa.PrivateKey) {
	key, csr := newCSR(f.t)
	return agentapi.RegisterRequest{Token: token, Name: name, CSR: csr, SSHPublicKey: sshKey(f.t), Hostname: "h-" + name,
		AgentVersion: "v1", ProtocolVersion: agentapi.ProtocolVersion}, key
}

// enroll registers a new agent called name and returns it.
func (f *fixture) enroll(name string) *agent {
	f.t.Helper()
	req, key := f.registerReq(name, f.token(name, time.Hour))
	var resp agentapi.RegisterResponse
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, &resp); status != http.StatusOK {
		f.t.Fatalf("register %s: %d %s", name, status, body)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	cert, err := tls.X509KeyPair([]byte(resp.Certificate), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		f.t.Fatal(err)
	}
	return &agent{uuid: resp.AgentUUID, cert: cert, hc: f.client(&cert)}
}

// client is an HTTPS client trusting the fleet CA, with cert if given.
func (f *fixture) client(cert *tls.Certificate) *http.Client {
	conf := &tls.Config{RootCAs: f.ca.Pool(), MinVersion: tls.VersionTLS13}
	if cert != nil {
		conf.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: conf}, Timeout: 30 * time.Second}
}

func (f *fixture) anon() *http.Client { return f.client(nil) }

// do sends a request with the protocol header and returns status and body.
func (f *fixture) do(hc *http.Client, method, path string, body io.Reader, proto int) (int, []byte, error) {
	req, _ := http.NewRequest(method, f.url+path, body)
	req.Header.Set(agentapi.ProtocolHeader, strconv.Itoa(proto))
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, nil
}

func (f *fixture) post(hc *http.Client, path string, in, out any) (int, string) {
	f.t.Helper()
	raw, _ := json.Marshal(in)
	status, body, err := f.do(hc, http.MethodPost, path, bytes.NewReader(raw), agentapi.ProtocolVersion)
	if err != nil {
		f.t.Fatalf("POST %s: %v", path, err)
	}
	if out != nil && status == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			f.t.Fatalf("POST %s: decode %s: %v", path, body, err)
		}
	}
	return status, string(body)
}

func (f *fixture) get(hc *http.Client, path string, out any) (int, string) {
	f.t.Helper()
	status, body, err := f.do(hc, http.MethodGet, path, nil, agentapi.ProtocolVersion)
	if err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	if out != nil && status == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			f.t.Fatalf("GET %s: decode: %v", path, err)
		}
	}
	return status, string(body)
}

func errCode(t *testing.T, body string) string {
	t.Helper()
	var e agentapi.Error
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Code
}

// waitParked waits until a long poll of the server's agent is parked,
// waiting for work, in the service.
func (f *fixture) waitParked(server string) {
	f.t.Helper()
	waitUntil(f.t, "a parked long poll of "+server, func() bool {
		n, err := f.svc.ParkedPolls(context.Background(), server)
		if err != nil {
			f.t.Fatal(err)
		}
		return n > 0
	})
}
