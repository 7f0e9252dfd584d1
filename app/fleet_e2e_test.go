package app

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This is the "done when", with real processes: `borgdesk serve`,
// `token create`, `borgdesk-agent enroll` and `run` on one machine; the agent
// comes online, runs a test task, updates itself from a signed build, is
// refused without a certificate, cannot reuse its token, and is refused
// after a revoke.

func buildAgent(t *testing.T, out, version string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-ldflags", "-X borgdesk/backend/shared/version.Version="+version, "-o", out, "borgdesk/agent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build agent %s: %v\n%s", version, err, b)
	}
}

// lockedBuffer collects a process's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type serverJSON struct {
	Name         string     `json:"name"`
	UUID         string     `json:"uuid"`
	Online       bool       `json:"online"`
	Status       string     `json:"status"`
	LastSeen     *time.Time `json:"last_seen"`
	Version      string     `json:"version"`
	CertNotAfter *time.Time `json:"cert_not_after"`
}

func TestFleetEndToEnd(t *testing.T) {
	bin := borgdeskBinary(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	agentDir := filepath.Join(tmp, "dist")
	os.MkdirAll(agentDir, 0o755)
	agentBin := filepath.Join(tmp, "host", "borgdesk-agent")
	os.MkdirAll(filepath.Dir(agentBin), 0o755)
	buildAgent(t, agentBin, "v1.0.0")
	buildAgent(t, filepath.Join(agentDir, "borgdesk-agent-"+runtime.GOOS+"-"+runtime.GOARCH), "v1.1.0")
	v11, _ := os.ReadFile(filepath.Join(agentDir, "borgdesk-agent-"+runtime.GOOS+"-"+runtime.GOARCH))

	serve := exec.Command(bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0", "--agent-dir", agentDir)
	var serveLog lockedBuffer
	serve.Stderr = &serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()
	waitFor(t, 10*time.Second, "the coordinator's socket", func() bool { _, err := os.Stat(filepath.Join(data, "borgdesk.sock")); return err == nil })

	var tok struct {
		Token, InstallCommand, CAFingerprint, ServerURL string
	}
	r := runBin(t, "--data", data, "token", "create", "--name", "web1", "--json")
	if r.code != 0 {
		t.Fatalf("token create: %+v", r)
	}
	var raw map[string]string
	json.Unmarshal([]byte(r.stdout), &raw)
	tok.Token, tok.InstallCommand, tok.CAFingerprint, tok.ServerURL = raw["token"], raw["install_command"], raw["ca_fingerprint"], raw["server_url"]
	if tok.Token == "" || !strings.Contains(raw["enroll_command"], tok.CAFingerprint) || !strings.Contains(tok.InstallCommand, "/api/install/"+tok.Token) ||
		!strings.Contains(tok.InstallCommand, "--pinnedpubkey 'sha256//") || !strings.HasPrefix(tok.CAFingerprint, "SHA256:") {
		t.Fatalf("token create --json = %s", r.stdout)
	}

	cfg := filepath.Join(tmp, "host", "etc", "config.yaml")
	enroll := func(configPath string) (string, error) {
		out, err := exec.Command(agentBin, "enroll", "--config", configPath, "--server", tok.ServerURL, "--name", "web1",
			"--token", tok.Token, "--ca-fingerprint", tok.CAFingerprint).CombinedOutput()
		return string(out), err
	}
	if out, err := enroll(cfg); err != nil {
		t.Fatalf("enroll: %v\n%s", err, out)
	}
	if out, err := enroll(filepath.Join(tmp, "second", "config.yaml")); err == nil || !strings.Contains(out, "already used") {
		t.Errorf("reusing the token: err %v, output %s; want a refusal saying it was used", err, out)
	}

	agent := exec.Command(agentBin, "run", "--config", cfg)
	var agentLog lockedBuffer
	agent.Stdout, agent.Stderr = &agentLog, &agentLog
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s\ncoordinator log:\n%s", agentLog.String(), serveLog.String())
		}
	})
	agentDone := make(chan error, 1)
	go func() { agentDone <- agent.Wait() }()
	defer agent.Process.Kill()

	list := func() serverJSON {
		r := runBin(t, "--data", data, "server", "list", "--json")
		var servers []serverJSON
		if err := json.Unmarshal([]byte(r.stdout), &servers); err != nil || len(servers) != 1 {
			t.Fatalf("server list --json = %+v (%v)", r, err)
		}
		return servers[0]
	}
	start := time.Now()
	waitFor(t, 30*time.Second, "the agent online", func() bool { return list().Online })
	t.Logf("online %v after `run` started", time.Since(start).Round(time.Millisecond))
	sv := list()
	if sv.Name != "web1" || sv.UUID == "" || sv.LastSeen == nil || sv.CertNotAfter == nil || sv.Version == "" {
		t.Errorf("server list --json entry = %+v", sv)
	}

	// The coordinator carries v1.1.0: the agent verifies, swaps and restarts itself.
	waitFor(t, 60*time.Second, "the agent to update itself to v1.1.0", func() bool { return list().Version == "v1.1.0" })
	if got, _ := os.ReadFile(agentBin); !bytes.Equal(got, v11) {
		t.Error("the agent binary on disk is not the signed v1.1.0 build")
	}
	waitFor(t, 30*time.Second, "the update to be confirmed", func() bool { _, err := os.Stat(agentBin + ".old"); return os.IsNotExist(err) })

	if r := runBin(t, "--data", data, "server", "ping", "web1", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"echo": "ping `) {
		t.Errorf("server ping = %+v", r)
	}

	// No certificate: refused.
	caPEM, _ := os.ReadFile(filepath.Join(data, "ca", "ca.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := anon.Get(tok.ServerURL + "/api/agent/tasks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tasks without a certificate = %d; want 401", resp.StatusCode)
	}

	// Revoke: the running agent is refused from now on.
	if r := runBin(t, "--data", data, "server", "revoke", "web1"); r.code != 0 {
		t.Fatalf("revoke: %+v", r)
	}
	waitFor(t, 30*time.Second, "the agent to be refused", func() bool { return strings.Contains(agentLog.String(), "refuses this agent") })
	if r := runBin(t, "--data", data, "server", "ping", "web1", "--timeout", "2s"); r.code == 0 {
		t.Errorf("ping after revoke succeeded: %+v", r)
	}
	if s := list(); s.Status != "revoked" || s.Online {
		t.Errorf("after revoke: %+v", s)
	}

	agent.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-agentDone:
		if err != nil {
			t.Errorf("agent after SIGTERM: %v\n%s", err, agentLog.String())
		}
	case <-time.After(40 * time.Second):
		t.Error("agent did not stop on SIGTERM")
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
