// Package gatewaytest is a fake coordinator gateway for the agent's tests:
// an httptest TLS server on 127.0.0.1 that speaks agentapi, with a CA of
// its own made for the test. It enrolls agents with one-time tokens,
// requires their client certificates (and refuses one a renewal replaced,
// as the real gateway does), hands out the tasks a test queues, and
// records what the agent sends. It is not the coordinator: what the
// coordinator does with these messages is tested in backend/gateway and
// end to end with the built agent in app. Only tests import it;
// agent/deps_test.go keeps it out of the binary.
package gatewaytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/shared/agentapi"
)

// Gateway is a running fake gateway.
type Gateway struct {
	// URL is the gateway's https://127.0.0.1:PORT.
	URL string
	// CAFingerprint pins its CA, as an install command does.
	CAFingerprint string

	now   func() time.Time
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	caPEM []byte

	mu         sync.Mutex
	tokens     map[string]bool     // unspent tokens
	registered int                 // accepted enrollments
	live       map[string]*big.Int // agent UUID → serial of its live certificate
	lastPeer   *x509.Certificate   // the certificate of the last authenticated request
	nextTask   int64
	completes  map[int64]chan agentapi.TaskComplete
	tasks      chan agentapi.Task
	heartbeats chan agentapi.HeartbeatRequest
}

// New starts a gateway whose clock (certificate validity, renewal) is now
// (time.Now when nil); it stops when the test ends.
func New(t testing.TB, now func() time.Time) *Gateway {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	g := &Gateway{now: now, tokens: map[string]bool{}, live: map[string]*big.Int{}, completes: map[int64]chan agentapi.TaskComplete{},
		tasks: make(chan agentapi.Task, 16), heartbeats: make(chan agentapi.HeartbeatRequest, 64)}
	if err := g.makeCA(); err != nil {
		t.Fatal(err)
	}
	leaf, err := g.serverCert()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(g.ca)
	srv := httptest.NewUnstartedServer(g.routes())
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{leaf},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, Time: now}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	g.CAFingerprint = agentapi.Fingerprint(g.ca.Raw)
	return g
}

// Token is a new one-time enrollment token.
func (g *Gateway) Token() string {
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	g.mu.Lock()
	g.tokens[tok] = true
	g.mu.Unlock()
	return tok
}

// Registered is how many enrollment tokens the gateway accepted.
func (g *Gateway) Registered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.registered
}

// LastPeer is the client certificate of the last request the gateway
// accepted (nil before any).
func (g *Gateway) LastPeer() *x509.Certificate {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lastPeer
}

// Heartbeats delivers every heartbeat the gateway accepted, in order.
func (g *Gateway) Heartbeats() <-chan agentapi.HeartbeatRequest { return g.heartbeats }

// Queue hands a task of type typ to the next task poll; the channel gets
// its outcome when the agent completes it.
func (g *Gateway) Queue(typ string, payload any) (<-chan agentapi.TaskComplete, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	done := make(chan agentapi.TaskComplete, 1)
	g.mu.Lock()
	g.nextTask++
	id := g.nextTask
	g.completes[id] = done
	g.mu.Unlock()
	g.tasks <- agentapi.Task{ID: id, Type: typ, Payload: raw, CreatedAt: g.now()}
	return done, nil
}

func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+agentapi.PathRegister, g.register)
	mux.Handle("POST "+agentapi.PathHeartbeat, g.agent(g.heartbeat))
	mux.Handle("GET "+agentapi.PathTasks, g.agent(g.poll))
	mux.Handle("POST "+agentapi.PathTaskStart, g.agent(func(w http.ResponseWriter, r *http.Request, _ string) { reply(w, struct{}{}) }))
	mux.Handle("POST "+agentapi.PathTaskProgress, g.agent(func(w http.ResponseWriter, r *http.Request, _ string) { reply(w, struct{}{}) }))
	mux.Handle("POST "+agentapi.PathTaskComplete, g.agent(g.complete))
	mux.Handle("POST "+agentapi.PathRenew, g.agent(g.renew))
	mux.Handle("POST "+agentapi.PathUpdateCheck, g.agent(func(w http.ResponseWriter, r *http.Request, _ string) {
		reply(w, agentapi.UpdateCheckResponse{Available: false})
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, agentapi.CodeNotFound, "the fake gateway does not serve "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// agent requires the live client certificate of an enrolled agent.
func (g *Gateway) agent(h func(w http.ResponseWriter, r *http.Request, agent string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			fail(w, http.StatusUnauthorized, agentapi.CodeUnauthorized, "a client certificate is required")
			return
		}
		if v := r.Header.Get(agentapi.ProtocolHeader); v != strconv.Itoa(agentapi.ProtocolVersion) {
			fail(w, http.StatusBadRequest, agentapi.CodeProtocolMismatch, "protocol "+v)
			return
		}
		cert := r.TLS.PeerCertificates[0]
		id := cert.Subject.CommonName
		g.mu.Lock()
		live, ok := g.live[id]
		if ok && live.Cmp(cert.SerialNumber) == 0 {
			g.lastPeer = cert
		}
		g.mu.Unlock()
		switch {
		case !ok:
			fail(w, http.StatusForbidden, agentapi.CodeForbidden, "not enrolled")
		case live.Cmp(cert.SerialNumber) != 0:
			fail(w, http.StatusForbidden, agentapi.CodeSuperseded, "this certificate was renewed")
		default:
			h(w, r, id)
		}
	})
}

func (g *Gateway) register(w http.ResponseWriter, r *http.Request) {
	var req agentapi.RegisterRequest
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, "bad JSON")
		return
	}
	g.mu.Lock()
	ok := g.tokens[req.Token]
	delete(g.tokens, req.Token)
	if ok {
		g.registered++
	}
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", g.registered)
	g.mu.Unlock()
	if !ok {
		fail(w, http.StatusUnauthorized, agentapi.CodeTokenInvalid, "unknown or spent token")
		return
	}
	cert, err := g.sign(id, req.CSR)
	if err != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, err.Error())
		return
	}
	reply(w, agentapi.RegisterResponse{AgentUUID: id, Name: req.Name, Certificate: cert, CACertificate: string(g.caPEM), HeartbeatEvery: 60})
}

func (g *Gateway) heartbeat(w http.ResponseWriter, r *http.Request, _ string) {
	var req agentapi.HeartbeatRequest
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, "bad JSON")
		return
	}
	select {
	case g.heartbeats <- req:
	default: // nobody is listening: the oldest are enough
	}
	reply(w, agentapi.HeartbeatResponse{ServerTime: g.now(), ProtocolVersion: agentapi.ProtocolVersion, HeartbeatEvery: 60})
}

// poll is the long poll: one queued task, or none after ?wait= seconds.
func (g *Gateway) poll(w http.ResponseWriter, r *http.Request, _ string) {
	wait, _ := strconv.Atoi(r.URL.Query().Get("wait"))
	timer := time.NewTimer(time.Duration(wait) * time.Second)
	defer timer.Stop()
	select {
	case t := <-g.tasks:
		reply(w, agentapi.TasksResponse{Tasks: []agentapi.Task{t}})
	case <-timer.C:
		reply(w, agentapi.TasksResponse{Tasks: []agentapi.Task{}})
	case <-r.Context().Done():
	}
}

func (g *Gateway) complete(w http.ResponseWriter, r *http.Request, _ string) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req agentapi.TaskComplete
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, "bad JSON")
		return
	}
	g.mu.Lock()
	done := g.completes[id]
	delete(g.completes, id)
	g.mu.Unlock()
	if done == nil {
		fail(w, http.StatusConflict, agentapi.CodeConflict, "task not running")
		return
	}
	done <- req
	reply(w, struct{}{})
}

// renew signs a new certificate only inside the renewal window, and from
// then on refuses the one it replaces.
func (g *Gateway) renew(w http.ResponseWriter, r *http.Request, id string) {
	if g.now().Before(r.TLS.PeerCertificates[0].NotAfter.Add(-agentapi.RenewBefore - 24*time.Hour)) {
		fail(w, http.StatusConflict, agentapi.CodeConflict, "too early to renew")
		return
	}
	var req agentapi.RenewRequest
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, "bad JSON")
		return
	}
	cert, err := g.sign(id, req.CSR)
	if err != nil {
		fail(w, http.StatusBadRequest, agentapi.CodeBadRequest, err.Error())
		return
	}
	reply(w, agentapi.RenewResponse{Certificate: cert, CACertificate: string(g.caPEM)})
}

func (g *Gateway) makeCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatewaytest CA"},
		NotBefore: g.now().Add(-time.Hour), NotAfter: g.now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	g.ca, _ = x509.ParseCertificate(der)
	g.caKey = key
	g.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return nil
}

// serverCert is the gateway's certificate for 127.0.0.1, with the CA in
// its chain (the agent finds the pinned CA there at enrollment).
func (g *Gateway) serverCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "gatewaytest"},
		NotBefore: g.now().Add(-time.Hour), NotAfter: g.now().Add(5 * 365 * 24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, g.ca, &key.PublicKey, g.caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, g.ca.Raw}, PrivateKey: key}, nil
}

// sign issues an agent certificate (a year, from the gateway's clock) for
// csrPEM and makes it the agent's live one.
func (g *Gateway) sign(id, csrPEM string) (string, error) {
	block, _ := pem.Decode([]byte(csrPEM))
	if block == nil {
		return "", errors.New("no CSR")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return "", err
	}
	if err := csr.CheckSignature(); err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: id},
		NotBefore: g.now().Add(-time.Minute), NotAfter: g.now().Add(365 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, g.ca, csr.PublicKey, g.caKey)
	if err != nil {
		return "", err
	}
	g.mu.Lock()
	g.live[id] = tmpl.SerialNumber
	g.mu.Unlock()
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set(agentapi.ProtocolHeader, strconv.Itoa(agentapi.ProtocolVersion))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set(agentapi.ProtocolHeader, strconv.Itoa(agentapi.ProtocolVersion))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(agentapi.Error{Code: code, Message: msg})
}
