package coordinator

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/ca"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/operators"
	"borgdesk/backend/remote"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// clock is the coordinator's time, moved on by the tests (invites expire).
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// opsFixture is a running coordinator with its operator listener on, the
// local admin's socket client, and its CA (to forge certificates with).
type opsFixture struct {
	t      *testing.T
	c      *Coordinator
	local  *adminapi.Client
	clock  *clock
	ca     *ca.CA
	caFile string
	url    string
}

func newOpsFixture(t *testing.T) *opsFixture {
	t.Helper()
	dir := t.TempDir()
	ready := make(chan struct{})
	clk := &clock{}
	socket := filepath.Join(dir, datadir.SocketFile)
	c, err := Open(context.Background(), Options{DataDir: dir, Socket: socket, Now: clk.now,
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", OperatorsListen: "127.0.0.1:0", Ready: func() { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := runUntilReady(t, c, ready); err != nil {
		t.Fatal(err)
	}
	authority, err := ca.LoadOrCreate(datadir.At(dir).CA(), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	f := &opsFixture{t: t, c: c, local: adminapi.NewClient(socket), clock: clk, ca: authority,
		caFile: filepath.Join(datadir.At(dir).CA(), ca.CertFile)}
	for _, a := range c.Service().Addresses() {
		if a.Key == service.KeyOperatorsListen {
			f.url = "https://" + a.InUse
		}
	}
	if f.url == "" {
		t.Fatalf("addresses %+v name no operator listener", c.Service().Addresses())
	}
	return f
}

// connect invites name with role and connects from a config dir of its
// own, as another machine would; it returns the profile and its client.
func (f *opsFixture) connect(name string, role operators.Role) (remote.Profile, *adminapi.Client) {
	f.t.Helper()
	ctx := context.Background()
	inv, err := f.local.InviteOperator(ctx, name, role, 0)
	if err != nil {
		f.t.Fatalf("invite %s: %v", name, err)
	}
	p, err := remote.Connect(ctx, "", inv.Code, f.t.TempDir(), "")
	if err != nil {
		f.t.Fatalf("connect %s: %v", name, err)
	}
	cfg, err := p.TLSConfig()
	if err != nil {
		f.t.Fatal(err)
	}
	return p, adminapi.NewRemoteClient(p.URL, cfg)
}

func wantForbidden(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if !errors.Is(err, adminapi.ErrForbidden) {
		t.Errorf("%s: err = %v; want a 403 refusal", what, err)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: refusal %q does not say %q", what, err, w)
		}
	}
}

func TestOperatorRolesOverMutualTLS(t *testing.T) {
	f := newOpsFixture(t)
	ctx := context.Background()
	vp, vera := f.connect("vera", operators.Viewer)
	_, otto := f.connect("otto", operators.Operator)
	_, ada := f.connect("ada", operators.Admin)

	for name, c := range map[string]*adminapi.Client{"vera": vera, "otto": otto, "ada": ada} {
		me, err := c.WhoAmI(ctx)
		if err != nil || me.Name != name || !me.Remote {
			t.Errorf("%s: WhoAmI = %+v, %v; want %s over the network", name, me, err, name)
		}
		if _, err := c.ListServers(ctx); err != nil {
			t.Errorf("%s lists servers: %v", name, err)
		}
	}
	if vp.Role != operators.Viewer || vp.CAFingerprint != f.ca.Fingerprint() {
		t.Errorf("vera's profile = %+v; want viewer pinned to %s", vp, f.ca.Fingerprint())
	}
	for name, want := range map[string]os.FileMode{"": 0o700, remote.KeyFile: 0o600, remote.CertFile: 0o600, remote.CAFile: 0o600, remote.ProfileFile: 0o600} {
		if fi, err := os.Stat(filepath.Join(vp.Dir, name)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", filepath.Join(vp.Dir, name), fi.Mode(), err, want)
		}
	}

	// The viewer is refused a run with a sentence; the operator gets past
	// the role check (the job does not exist) and is refused a setting.
	_, err := vera.RunJob(ctx, "web1/files")
	wantForbidden(t, "vera runs a job", err, "vera has the role viewer", "needs the role operator")
	if _, err := otto.RunJob(ctx, "web1/files"); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("otto runs a job that does not exist: %v; want not found (the role allows it)", err)
	}
	wantForbidden(t, "otto sets a setting", otto.SetSetting(ctx, "drill.stale_days", "9"), "needs the role admin")
	_, err = otto.InviteOperator(ctx, "eve", operators.Admin, 0)
	wantForbidden(t, "otto invites", err, "needs the role admin")
	if err := ada.SetSetting(ctx, "drill.stale_days", "9"); err != nil {
		t.Errorf("ada sets a setting: %v", err)
	}

	// A role change applies to the next call.
	if _, err := f.local.SetOperatorRole(ctx, "otto", operators.Viewer); err != nil {
		t.Fatal(err)
	}
	_, err = otto.RunJob(ctx, "web1/files")
	wantForbidden(t, "otto, now a viewer, runs a job", err, "otto has the role viewer")

	// Everything refused and everything changed is in the audit log, and
	// in the event log the Events page reads.
	audit, err := f.local.Audit(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"vera POST jobs/{ref}/run refused":    false,
		"otto PUT settings/{key} refused":     false,
		"otto POST operators/invites refused": false,
		"ada PUT settings/{key} ok":           false,
		"otto POST jobs/{ref}/run failed":     false, // not found, after the role check
	}
	for _, a := range audit {
		key := a.Operator + " " + a.Action + " " + a.Result
		if _, ok := want[key]; ok {
			want[key] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("the audit log has no %q; it has %+v", k, audit)
		}
	}
	page, err := f.local.QueryEvents(ctx, events.Query{Kinds: []string{events.Audit}, Search: "vera"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range page.Events {
		found = found || (strings.Contains(ev.Message, "jobs/{ref}/run") && ev.Severity == events.Warning)
	}
	if !found {
		t.Errorf("the event log has no warning for vera's refused run: %+v", page.Events)
	}
	// A viewer reads the audit log but changes no one.
	if _, err := vera.Audit(ctx, "", 5); err != nil {
		t.Errorf("vera reads the audit log: %v", err)
	}
	_, err = vera.RevokeOperator(ctx, "ada")
	wantForbidden(t, "vera revokes ada", err, "needs the role admin")

	// Renewal is only in the last 30 days of a certificate's life.
	if _, err := vera.RenewOperator(ctx, "csr"); !errors.Is(err, service.ErrConflict) && !errors.Is(err, service.ErrInvalid) {
		t.Errorf("vera renews a new certificate: %v; want a refusal", err)
	}
}

func TestOperatorInvitesAreOneTimeAndExpire(t *testing.T) {
	f := newOpsFixture(t)
	ctx := context.Background()
	inv, err := f.local.InviteOperator(ctx, "vera", operators.Viewer, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Connect(ctx, "", inv.Code, t.TempDir(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Connect(ctx, "", inv.Code, t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "already used or has expired") {
		t.Errorf("reused invite: %v; want a refusal that says it was used", err)
	}
	// An active operator cannot be invited again until revoked.
	if _, err := f.local.InviteOperator(ctx, "vera", operators.Admin, 0); !errors.Is(err, service.ErrConflict) {
		t.Errorf("invite an active operator again: %v; want a conflict", err)
	}
	late, err := f.local.InviteOperator(ctx, "late", operators.Viewer, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(2 * time.Minute)
	if _, err := remote.Connect(ctx, "", late.Code, t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired invite: %v; want a refusal that says it expired", err)
	}
	// A code for another coordinator's CA is refused before anything is sent.
	other, err := ca.LoadOrCreate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	forged := operators.InviteCode{URL: f.url, CAFingerprint: other.Fingerprint(), Token: "x"}.Encode()
	if _, err := remote.Connect(ctx, "", forged, t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "not the coordinator the invite names") {
		t.Errorf("invite pinning another CA: %v; want the pin to refuse the coordinator", err)
	}
	if _, err := remote.Connect(ctx, "", "hello", t.TempDir(), ""); !errors.Is(err, service.ErrInvalid) {
		t.Errorf("not an invite: %v", err)
	}
}

// TestRevokedOperatorIsCutAtOnce: a revoke ends the operator's open event
// stream, and their next connection is refused at the handshake.
func TestRevokedOperatorIsCutAtOnce(t *testing.T) {
	f := newOpsFixture(t)
	ctx := context.Background()
	vp, vera := f.connect("vera", operators.Viewer)
	cfg, err := vp.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	// The stream is subscribed once its headers arrive.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, vp.URL+"/v1/events/stream", nil)
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("vera opens the event stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	lines := make(chan string)
	ended := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		ended <- sc.Err()
	}()
	if err := f.local.SetSetting(ctx, "drill.stale_days", "9"); err != nil {
		t.Fatal(err)
	}
	if line := <-lines; !strings.Contains(line, events.SettingsChanged) {
		t.Fatalf("vera's stream got %s; want the setting's change", line)
	}
	if _, err := f.local.RevokeOperator(ctx, "vera"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		t.Logf("vera's stream ended: %v", err)
	case line := <-lines:
		t.Errorf("vera's stream goes on after the revoke: %s", line)
	case <-time.After(30 * time.Second):
		t.Fatal("vera's event stream is still open 30 s after the revoke")
	}
	if _, err := vera.WhoAmI(ctx); err == nil {
		t.Error("a revoked operator's call succeeded")
	}
	ops, err := f.local.ListOperators(ctx)
	if err != nil || len(ops) != 1 || ops[0].RevokedAt == nil {
		t.Errorf("operators = %+v, %v; want vera revoked", ops, err)
	}
}

// TestOperatorListenerRefusalsWithCurlAndOpenSSL uses independent clients:
// no certificate, a viewer's certificate on a mutating call, an agent's
// certificate, another CA's operator certificate, a revoked operator's.
func TestOperatorListenerRefusalsWithCurlAndOpenSSL(t *testing.T) {
	testenv.NeedCommands(t, "curl", "openssl")
	f := newOpsFixture(t)
	ctx := context.Background()
	vp, _ := f.connect("vera", operators.Viewer)
	vCert, vKey := filepath.Join(vp.Dir, remote.CertFile), filepath.Join(vp.Dir, remote.KeyFile)
	curl := func(args ...string) (string, error) {
		base := []string{"-sS", "--cacert", f.caFile, "--tlsv1.3", "-H", "Content-Type: application/json"}
		out, err := exec.Command("curl", append(base, args...)...).CombinedOutput()
		return string(out), err
	}

	out, err := curl(f.url + "/v1/status")
	if err != nil || !strings.Contains(out, `"code":"unauthenticated"`) || !strings.Contains(out, "borgdesk connect") {
		t.Errorf("curl without a certificate: %v %s; want 401 saying how to connect", err, out)
	}
	out, err = curl("--cert", vCert, "--key", vKey, f.url+"/v1/status")
	if err != nil || !strings.Contains(out, `"version"`) {
		t.Errorf("curl as vera reads the status: %v %s", err, out)
	}
	out, err = curl("--cert", vCert, "--key", vKey, "-X", "POST", "-d", "{}", "-w", "\n%{http_code}", f.url+"/v1/jobs/web1%2Ffiles/run")
	if err != nil || !strings.HasSuffix(out, "403") || !strings.Contains(out, "vera has the role viewer") {
		t.Errorf("curl as vera runs a job: %v %s; want 403 with a sentence", err, out)
	}

	// An agent's certificate from the same CA is not an operator's.
	agentCert, agentKey := f.issue(t, func(csr []byte) ([]byte, error) {
		pem, _, err := f.ca.SignAgent(csr, "6f1c1e5e-0000-4000-8000-000000000001")
		return pem, err
	})
	out, err = curl("--cert", agentCert, "--key", agentKey, f.url+"/v1/status")
	if err == nil || strings.Contains(out, `"version"`) {
		t.Errorf("curl with an agent's certificate: %v %s; want the handshake refused", err, out)
	}
	// An operator certificate from another CA.
	other, err := ca.LoadOrCreate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fakeCert, fakeKey := f.issue(t, func(csr []byte) ([]byte, error) {
		pem, _, err := other.SignOperator(csr, "vera")
		return pem, err
	})
	out, err = curl("--cert", fakeCert, "--key", fakeKey, f.url+"/v1/status")
	if err == nil || strings.Contains(out, `"version"`) {
		t.Errorf("curl with another CA's operator certificate: %v %s; want the handshake refused", err, out)
	}
	sclient := func(cert, key string) string {
		cmd := exec.Command("openssl", "s_client", "-connect", strings.TrimPrefix(f.url, "https://"), "-tls1_3", "-quiet",
			"-CAfile", f.caFile, "-cert", cert, "-key", key)
		cmd.Stdin = strings.NewReader("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := sclient(agentCert, agentKey); strings.Contains(out, "HTTP/1.1 200") || !strings.Contains(out, "alert") {
		t.Errorf("openssl s_client with an agent's certificate got:\n%s\nwant a TLS alert and no answer", out)
	}
	if out := sclient(vCert, vKey); !strings.Contains(out, "HTTP/1.1 200") {
		t.Errorf("openssl s_client as vera got:\n%s\nwant 200", out)
	}
	// An operator's certificate is no agent's either: the gateway refuses it.
	out, err = curl("--cert", vCert, "--key", vKey, f.c.Service().GatewayURL()+"/api/agent/heartbeat", "-X", "POST", "-d", "{}")
	if err == nil || strings.Contains(out, "{") {
		t.Errorf("curl to the agent gateway with an operator's certificate: %v %s; want the handshake refused", err, out)
	}
	if _, err := f.local.RevokeOperator(ctx, "vera"); err != nil {
		t.Fatal(err)
	}
	if out := sclient(vCert, vKey); strings.Contains(out, "HTTP/1.1 200") || !strings.Contains(out, "alert") {
		t.Errorf("openssl s_client as revoked vera got:\n%s\nwant a TLS alert and no answer", out)
	}
	out, err = curl("--cert", vCert, "--key", vKey, f.url+"/v1/status")
	if err == nil || strings.Contains(out, `"version"`) {
		t.Errorf("curl as revoked vera: %v %s; want the handshake refused", err, out)
	}
}

// issue makes a key and a CSR, has sign turn it into a certificate, and
// writes both as files for curl and openssl.
func (f *opsFixture) issue(t *testing.T, sign func(csr []byte) ([]byte, error)) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := sign(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "c.crt"), filepath.Join(dir, "c.key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestTwoOperatorsEditingOneJob: the later save of a job two admins opened
// at the same time is told of the conflict instead of overwriting.
func TestTwoOperatorsEditingOneJob(t *testing.T) {
	f := newOpsFixture(t)
	ctx := context.Background()
	_, ada := f.connect("ada", operators.Admin)
	sv, err := f.c.store.CreateServer(ctx, store.Server{UUID: "6f1c1e5e-0000-4000-8000-000000000002", Name: "web1", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.store.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Kind: "files", Spec: `{"kind":"files","paths":["/etc"]}`, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	mine, err := f.local.JobInput(ctx, "web1/files")
	if err != nil {
		t.Fatal(err)
	}
	hers, err := ada.JobInput(ctx, "web1/files")
	if err != nil {
		t.Fatal(err)
	}
	if mine.Version == "" || mine.Version != hers.Version {
		t.Fatalf("versions %q and %q; want the same, not empty", mine.Version, hers.Version)
	}
	mine.Schedule = "0 3 * * *"
	if _, err := f.local.EditJob(ctx, "web1/files", mine, false); err != nil {
		t.Fatalf("the first save: %v", err)
	}
	hers.Spec.Paths = []string{"/etc", "/srv"}
	_, err = ada.EditJob(ctx, "web1/files", hers, false)
	if !errors.Is(err, service.ErrConflict) || !strings.Contains(err.Error(), "changed by someone else since you opened it") {
		t.Fatalf("the later save: %v; want a conflict that says to reload", err)
	}
	again, err := ada.JobInput(ctx, "web1/files")
	if err != nil || again.Schedule != "0 3 * * *" {
		t.Fatalf("reloaded %+v, %v; want the first save's schedule", again, err)
	}
	again.Spec.Paths = []string{"/etc", "/srv"}
	if _, err := ada.EditJob(ctx, "web1/files", again, false); err != nil {
		t.Errorf("the save after a reload: %v", err)
	}
}

// TestOperatorRenewsInTheLastMonth: renewal is refused early; in the last
// 30 days it gives a new key and certificate, the old certificate is
// refused from then on and the new one works.
func TestOperatorRenewsInTheLastMonth(t *testing.T) {
	f := newOpsFixture(t)
	ctx := context.Background()
	vp, _ := f.connect("vera", operators.Viewer)
	if _, err := remote.Renew(ctx, vp); err == nil || !strings.Contains(err.Error(), "renewal opens on") {
		t.Fatalf("renew a new certificate: %v; want 'renewal opens on'", err)
	}
	oldCfg, err := vp.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(oldCfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(time.Until(leaf.NotAfter) - 10*24*time.Hour)
	renewed, err := remote.Renew(ctx, vp)
	if err != nil {
		t.Fatalf("renew 10 days before expiry: %v", err)
	}
	cfg, err := renewed.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if me, err := adminapi.NewRemoteClient(renewed.URL, cfg).WhoAmI(ctx); err != nil || me.Name != "vera" {
		t.Errorf("WhoAmI with the renewed certificate = %+v, %v", me, err)
	}
	if _, err := adminapi.NewRemoteClient(vp.URL, oldCfg).WhoAmI(ctx); err == nil {
		t.Error("the replaced certificate still works")
	}
	// A key others can read is not used.
	if err := os.Chmod(filepath.Join(renewed.Dir, remote.KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := renewed.TLSConfig(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("TLSConfig with a key of mode 0644: %v; want a refusal saying chmod 600", err)
	}
}
