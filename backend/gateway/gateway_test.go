package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestHealthIsOpen(t *testing.T) {
	f := newFixture(t)
	var h agentapi.Health
	status, body := f.get(f.anon(), agentapi.PathHealth, &h)
	if status != 200 || h.ProtocolVersion != agentapi.ProtocolVersion {
		t.Errorf("health = %d %s", status, body)
	}
	if strings.Contains(body, `"version"`) || strings.Contains(body, "test") {
		t.Errorf("health tells a stranger the coordinator's version: %s", body)
	}
}

func TestEnrolledAgentWorks(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	var hb agentapi.HeartbeatResponse
	status, body := f.post(a.hc, agentapi.PathHeartbeat, agentapi.HeartbeatRequest{AgentVersion: "v1", ProtocolVersion: 1,
		Capabilities: agentapi.Capabilities{Hostname: "web1.lan", Arch: "amd64"}, Metrics: agentapi.Metrics{CPUPercent: 12.5}}, &hb)
	if status != 200 {
		t.Fatalf("heartbeat = %d %s", status, body)
	}
	sv, err := f.st.ServerByUUID(context.Background(), a.uuid)
	if err != nil {
		t.Fatal(err)
	}
	if !sv.Online || sv.Hostname != "web1.lan" || sv.Version != "v1" || sv.LastSeen == nil || sv.CertNotAfter == nil {
		t.Errorf("after heartbeat: %+v", sv)
	}
	if !strings.Contains(string(sv.Metrics), `"cpu_percent":12.5`) {
		t.Errorf("metrics = %s", sv.Metrics)
	}
	// Silent for longer than three heartbeats: offline.
	f.clock.Add(4 * time.Minute)
	if err := f.svc.MarkOffline(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sv, _ := f.st.ServerByUUID(context.Background(), a.uuid); sv.Online || sv.Status != store.ServerOffline {
		t.Errorf("after silence: status %s", sv.Status)
	}
}

func TestNoClientCertificateIsRefused(t *testing.T) {
	f := newFixture(t)
	f.enroll("web1")
	for _, path := range []string{agentapi.PathTasks, "/api/agent/tasks/1/start"} {
		method := http.MethodGet
		if strings.HasSuffix(path, "start") {
			method = http.MethodPost
		}
		status, body, err := f.do(f.anon(), method, path, nil, 1)
		if err != nil || status != http.StatusUnauthorized || errCode(t, string(body)) != agentapi.CodeUnauthorized {
			t.Errorf("%s without certificate = %d %s %v; want 401 unauthorized", path, status, body, err)
		}
	}
}

func TestForeignCAIsRefusedAtHandshake(t *testing.T) {
	f := newFixture(t)
	real := f.enroll("web1")
	// Another CA issues a certificate naming the real agent's UUID.
	other, err := ca.LoadOrCreate(filepath.Join(t.TempDir(), "other"), nil)
	if err != nil {
		t.Fatal(err)
	}
	key, csr := newCSR(t)
	certPEM, _, err := other.SignAgent([]byte(csr), real.uuid)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	forged, _ := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	_, _, err = f.do(f.client(&forged), http.MethodGet, agentapi.PathTasks+"?wait=0", nil, 1)
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("foreign CA: err = %v; want a TLS handshake failure", err)
	}
}

func TestExpiredCertificateIsRefusedAtHandshake(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	f.clock.Add(366 * 24 * time.Hour)
	_, _, err := f.do(a.hc, http.MethodGet, agentapi.PathTasks+"?wait=0", nil, 1)
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("expired certificate: err = %v; want a TLS handshake failure", err)
	}
}

func TestRevokeTakesEffectAtOnce(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	if status, body := f.get(a.hc, agentapi.PathTasks+"?wait=0", nil); status != 200 {
		t.Fatalf("before revoke: %d %s", status, body)
	}
	// A long poll is waiting when the revoke happens.
	polled := make(chan int, 1)
	go func() {
		status, _, _ := f.do(a.hc, http.MethodGet, agentapi.PathTasks+"?wait=15", nil, 1)
		polled <- status
	}()
	f.waitParked("web1")
	if _, err := f.svc.RevokeServer(context.Background(), "web1"); err != nil {
		t.Fatal(err)
	}
	select {
	case status := <-polled:
		if status != http.StatusForbidden {
			t.Errorf("waiting long poll ended with %d; want 403", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting long poll was not ended by the revoke")
	}
	// The kept-alive connection is refused on its next request…
	status, body, err := f.do(a.hc, http.MethodGet, agentapi.PathTasks+"?wait=0", nil, 1)
	if err == nil && (status != http.StatusForbidden || errCode(t, string(body)) != agentapi.CodeForbidden) {
		t.Errorf("kept-alive connection after revoke = %d %s", status, body)
	}
	// …and a new connection fails its handshake.
	_, _, err = f.do(f.client(&a.cert), http.MethodGet, agentapi.PathTasks+"?wait=0", nil, 1)
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("new connection after revoke: err = %v; want a TLS handshake failure", err)
	}
}

func TestTokenRules(t *testing.T) {
	f := newFixture(t)
	used := f.token("web1", time.Hour)
	req, _ := f.registerReq("web1", used)
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, nil); status != 200 {
		t.Fatalf("first use: %d %s", status, body)
	}
	expired := f.token("web2", time.Minute)
	other := f.token("web3", time.Hour)
	f.clock.Add(2 * time.Minute)
	tests := []struct {
		name, server, token, want string
	}{
		{"reused", "web1b", used, "already used"},
		{"reused same name", "web1", used, "already used"},
		{"expired", "web2", expired, "expired"},
		{"another name", "web4", other, "another name"},
		{"unknown", "web3", "bm90LWEtdG9rZW4", "not known"},
		{"empty", "web3", "", "no token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := f.registerReq(tt.server, tt.token)
			status, body := f.post(f.anon(), agentapi.PathRegister, req, nil)
			if status != http.StatusForbidden || errCode(t, body) != agentapi.CodeTokenInvalid || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s; want 403 token_invalid mentioning %q", status, body, tt.want)
			}
		})
	}
	// The refused tries did not spend the valid token for web3.
	req, _ = f.registerReq("web3", other)
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, nil); status != 200 {
		t.Errorf("valid token after refusals: %d %s", status, body)
	}
}

func TestRequestBodies(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	big := bytes.Repeat([]byte(" "), agentapi.MaxBodyBytes+10)
	tests := []struct {
		name       string
		body       []byte
		wantStatus int
		wantCode   string
	}{
		{"oversized", append([]byte(`{"agent_version":"`), append(big, '"', '}')...), 413, agentapi.CodeTooLarge},
		{"malformed", []byte(`{"agent_version":`), 400, agentapi.CodeBadRequest},
		{"unknown field", []byte(`{"agent_version":"v1","protocol_version":1,"is_admin":true}`), 400, agentapi.CodeBadRequest},
		{"trailing data", []byte(`{"agent_version":"v1","protocol_version":1} {"x":1}`), 400, agentapi.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := f.do(a.hc, http.MethodPost, agentapi.PathHeartbeat, bytes.NewReader(tt.body), 1)
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.wantStatus || errCode(t, string(body)) != tt.wantCode {
				t.Errorf("got %d %s; want %d %s", status, body, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestNewerProtocolIsRefusedClearly(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	status, body, err := f.do(a.hc, http.MethodGet, agentapi.PathTasks+"?wait=0", nil, agentapi.ProtocolVersion+1)
	if err != nil || status != 400 || errCode(t, string(body)) != agentapi.CodeProtocolMismatch || !strings.Contains(string(body), "upgrade Borgdesk") {
		t.Errorf("newer protocol header = %d %s %v", status, body, err)
	}
	req, _ := f.registerReq("web2", f.token("web2", time.Hour))
	req.ProtocolVersion = agentapi.ProtocolVersion + 1
	if status, body := f.post(f.anon(), agentapi.PathRegister, req, nil); status != 400 || errCode(t, body) != agentapi.CodeProtocolMismatch {
		t.Errorf("register with newer protocol = %d %s", status, body)
	}
}

func TestTaskLifecycleAndLongPollWakeup(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	b := f.enroll("db1")
	got := make(chan agentapi.TasksResponse, 1)
	go func() {
		var resp agentapi.TasksResponse
		f.get(a.hc, agentapi.PathTasks+"?max=2&wait=20", &resp)
		got <- resp
	}()
	f.waitParked("web1") // so the queued task must wake it
	task, err := f.svc.QueueTask(context.Background(), "web1", agentapi.TaskTest, agentapi.TestPayload{Message: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	var resp agentapi.TasksResponse
	select {
	case resp = <-got:
	case <-time.After(15 * time.Second):
		t.Fatal("the long poll was not woken by the queued task")
	}
	if len(resp.Tasks) != 1 || resp.Tasks[0].ID != task.ID || !strings.Contains(string(resp.Tasks[0].Payload), `"hi"`) {
		t.Fatalf("poll returned %+v", resp)
	}
	id := strconv.FormatInt(task.ID, 10)
	// Another agent cannot touch it.
	if status, body := f.post(b.hc, "/api/agent/tasks/"+id+"/start", struct{}{}, nil); status != http.StatusNotFound {
		t.Errorf("other agent's start = %d %s; want 404", status, body)
	}
	if status, body := f.post(a.hc, "/api/agent/tasks/"+id+"/start", struct{}{}, nil); status != 200 {
		t.Fatalf("start = %d %s", status, body)
	}
	if status, body := f.post(a.hc, "/api/agent/tasks/"+id+"/start", struct{}{}, nil); status != http.StatusConflict {
		t.Errorf("second start = %d %s; want 409", status, body)
	}
	f.post(a.hc, "/api/agent/tasks/"+id+"/progress", agentapi.TaskProgress{Percent: 50, Message: "half"}, nil)
	result, _ := json.Marshal(agentapi.TestResult{Echo: "hi", Hostname: "web1"})
	if status, body := f.post(a.hc, "/api/agent/tasks/"+id+"/complete", agentapi.TaskComplete{Status: agentapi.TaskSucceeded, Result: result}, nil); status != 200 {
		t.Fatalf("complete = %d %s", status, body)
	}
	done, _ := f.st.Task(context.Background(), task.ID)
	if done.Status != store.TaskSucceeded || !strings.Contains(string(done.Result), `"echo":"hi"`) || !strings.Contains(string(done.Progress), `"half"`) {
		t.Errorf("task after completion = %+v", done)
	}
}

func TestRenewalIssuesANewCertificateForTheSameAgent(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	f.clock.Add(340 * 24 * time.Hour) // 25 days before expiry
	_, csr := newCSR(t)
	var resp agentapi.RenewResponse
	if status, body := f.post(a.hc, agentapi.PathRenew, agentapi.RenewRequest{CSR: csr}, &resp); status != 200 {
		t.Fatalf("renew = %d %s", status, body)
	}
	b, _ := pem.Decode([]byte(resp.Certificate))
	cert, _ := x509.ParseCertificate(b.Bytes)
	if id, _ := ca.AgentUUID(cert); id != a.uuid {
		t.Errorf("renewed certificate names %q; want %q", id, a.uuid)
	}
	if cert.NotAfter.Before(f.clock.Now().Add(364 * 24 * time.Hour)) {
		t.Errorf("renewed certificate expires %v; want a year from now", cert.NotAfter)
	}
	sv, _ := f.st.ServerByUUID(context.Background(), a.uuid)
	if sv.CertSerial != ca.SerialHex(cert) {
		t.Errorf("store has serial %s; want %s", sv.CertSerial, ca.SerialHex(cert))
	}
}

func TestOldCertificateIsRefusedOnceRenewed(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	f.clock.Add(340 * 24 * time.Hour) // inside the renewal window
	key, csr := newCSR(t)
	var resp agentapi.RenewResponse
	if status, body := f.post(a.hc, agentapi.PathRenew, agentapi.RenewRequest{CSR: csr}, &resp); status != 200 {
		t.Fatalf("renew = %d %s", status, body)
	}
	// The kept-alive connection made with the old certificate is refused
	// on its next request, with a code that tells the agent to reconnect…
	status, body, err := f.do(a.hc, http.MethodGet, agentapi.PathTasks+"?wait=0", nil, agentapi.ProtocolVersion)
	if err != nil || status != http.StatusForbidden || errCode(t, string(body)) != agentapi.CodeSuperseded {
		t.Errorf("kept-alive connection with the old certificate = %d %s %v; want 403 %s", status, body, err, agentapi.CodeSuperseded)
	}
	// …a new connection with it fails its handshake…
	_, _, err = f.do(f.client(&a.cert), http.MethodGet, agentapi.PathTasks+"?wait=0", nil, agentapi.ProtocolVersion)
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("new connection with the old certificate: err = %v; want a TLS handshake failure", err)
	}
	// …it cannot renew again, even on the connection it still holds…
	_, csr2 := newCSR(t)
	raw, _ := json.Marshal(agentapi.RenewRequest{CSR: csr2})
	if status, body, err := f.do(a.hc, http.MethodPost, agentapi.PathRenew, bytes.NewReader(raw), agentapi.ProtocolVersion); err == nil && status == 200 {
		t.Errorf("the old certificate renewed again: %.80s", body)
	}
	// …and the renewed one works.
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	renewed, err := tls.X509KeyPair([]byte(resp.Certificate), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	if status, body := f.get(f.client(&renewed), agentapi.PathTasks+"?wait=0", nil); status != 200 {
		t.Errorf("renewed certificate = %d %s", status, body)
	}
}

func TestRenewalOutsideItsWindowIsRefused(t *testing.T) {
	f := newFixture(t)
	a := f.enroll("web1")
	before, _ := f.st.ServerByUUID(context.Background(), a.uuid)
	f.clock.Add(300 * 24 * time.Hour) // 65 days before expiry: too early
	_, csr := newCSR(t)
	status, body := f.post(a.hc, agentapi.PathRenew, agentapi.RenewRequest{CSR: csr}, nil)
	if status != http.StatusConflict || !strings.Contains(body, "renewal opens on") {
		t.Errorf("early renewal = %d %.120s; want 409 saying when renewal opens", status, body)
	}
	after, _ := f.st.ServerByUUID(context.Background(), a.uuid)
	if after.CertSerial != before.CertSerial {
		t.Errorf("an early renewal changed the stored serial %s → %s", before.CertSerial, after.CertSerial)
	}
	if status, body := f.get(a.hc, agentapi.PathTasks+"?wait=0", nil); status != 200 {
		t.Errorf("the certificate stopped working after a refused renewal: %d %s", status, body)
	}
}

func TestTwoAgentsCannotShareAnSSHKey(t *testing.T) {
	f := newFixture(t)
	first, _ := f.registerReq("web1", f.token("web1", time.Hour))
	if status, body := f.post(f.anon(), agentapi.PathRegister, first, nil); status != 200 {
		t.Fatalf("first enrollment: %d %s", status, body)
	}
	tok := f.token("web2", time.Hour)
	copied, _ := f.registerReq("web2", tok)
	copied.SSHPublicKey = first.SSHPublicKey
	status, body := f.post(f.anon(), agentapi.PathRegister, copied, nil)
	if status != http.StatusConflict || !strings.Contains(body, "belongs to another enrolled agent (web1)") {
		t.Errorf("second agent with web1's SSH key = %d %s; want 409 naming web1", status, body)
	}
	// Nothing was recorded and the token was not spent.
	if _, err := f.st.FindServer(context.Background(), "web2"); err == nil {
		t.Error("the refused enrollment left a server web2")
	}
	own, _ := f.registerReq("web2", tok)
	if status, body := f.post(f.anon(), agentapi.PathRegister, own, nil); status != 200 {
		t.Errorf("web2 with its own key after the refusal: %d %s", status, body)
	}
}
