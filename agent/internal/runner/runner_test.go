package runner

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/enroll"
	"borgdesk/agent/internal/gatewaytest"
	"borgdesk/backend/shared/agentapi"
)

// enrollAgent enrolls an agent named name with a fake gateway and
// returns its configuration file.
func enrollAgent(t *testing.T, g *gatewaytest.Gateway, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent", "config.yaml")
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: g.URL, Token: g.Token(), CAFingerprint: g.CAFingerprint, Name: name, Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEnrollRefusesWrongCAFingerprintAndWritesNothing(t *testing.T) {
	g := gatewaytest.New(t, nil)
	tok := g.Token()
	dir := filepath.Join(t.TempDir(), "agent")
	_, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: filepath.Join(dir, "config.yaml"), ServerURL: g.URL,
		Token: tok, CAFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Name: "web1"})
	if !errors.Is(err, client.ErrPinMismatch) {
		t.Fatalf("err = %v; want ErrPinMismatch", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("enrollment with a wrong pin wrote %s", dir)
	}
	// The refused attempt never sent the token, so it is not spent.
	if n := g.Registered(); n != 0 {
		t.Fatalf("the gateway saw %d enrollment(s) from a refused pin; want none", n)
	}
	path := filepath.Join(t.TempDir(), "ok", "config.yaml")
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: g.URL, Token: tok, CAFingerprint: g.CAFingerprint, Name: "web1"}); err != nil {
		t.Errorf("enroll with the right pin after a refused one: %v", err)
	}
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: g.URL, Token: g.Token(), CAFingerprint: g.CAFingerprint, Name: "web1"}); !errors.Is(err, enroll.ErrEnrolled) {
		t.Errorf("second enroll on the same config: err = %v; want ErrEnrolled", err)
	}
}

func TestEnrollWritesPrivateFiles(t *testing.T) {
	path := enrollAgent(t, gatewaytest.New(t, nil), "web1")
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) < 6 {
		t.Fatalf("enroll wrote %d files", len(entries))
	}
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", e.Name(), fi.Mode().Perm())
		}
	}
}

func startAgent(t *testing.T, path string, now func() time.Time) *Agent {
	t.Helper()
	a, err := New(Options{ConfigPath: path, Version: "v1", Now: now, CPUSample: 10 * time.Millisecond, Exe: filepath.Join(t.TempDir(), "none")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("agent did not stop")
		}
	})
	return a
}

func TestAgentRunsTestTask(t *testing.T) {
	g := gatewaytest.New(t, nil)
	startAgent(t, enrollAgent(t, g, "web1"), nil)
	done, err := g.Queue(agentapi.TaskTest, agentapi.TestPayload{Message: "ping 1"})
	if err != nil {
		t.Fatal(err)
	}
	var res agentapi.TestResult
	select {
	case c := <-done:
		if c.Status != agentapi.TaskSucceeded {
			t.Fatalf("test task %s: %s", c.Status, c.Error)
		}
		if err := json.Unmarshal(c.Result, &res); err != nil {
			t.Fatalf("test task result %s: %v", c.Result, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the agent did not complete the test task within 20 s")
	}
	host, _ := os.Hostname()
	if res.Echo != "ping 1" || res.Hostname != host {
		t.Errorf("test task result = %+v; want echo %q from %q", res, "ping 1", host)
	}
	// The heartbeat carries the version, capabilities and metrics.
	select {
	case hb := <-g.Heartbeats():
		if hb.AgentVersion != "v1" || hb.ProtocolVersion != agentapi.ProtocolVersion || hb.Capabilities.Arch == "" || hb.Metrics.MemTotal == 0 {
			t.Errorf("heartbeat = version %q, protocol %d, arch %q, mem_total %d; want v1, %d, an arch and the memory",
				hb.AgentVersion, hb.ProtocolVersion, hb.Capabilities.Arch, hb.Metrics.MemTotal, agentapi.ProtocolVersion)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no heartbeat within 15 s")
	}
}

func TestRenewalWithInjectedClock(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	g := gatewaytest.New(t, now) // the gateway renews only inside the window: same clock
	path := enrollAgent(t, g, "web1")
	before := filepath.Join(filepath.Dir(path), "agent.crt")
	a, err := New(Options{ConfigPath: path, Version: "v1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	old := a.Certificate()
	if err := a.RenewIfDue(context.Background()); err != nil || !a.Certificate().Equal(old) {
		t.Fatalf("renewed a fresh certificate: %v", err)
	}
	mu.Lock()
	clock = old.NotAfter.Add(-29 * 24 * time.Hour)
	mu.Unlock()
	if err := a.RenewIfDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	renewed := a.Certificate()
	if renewed.Equal(old) || renewed.SerialNumber.Cmp(old.SerialNumber) == 0 {
		t.Fatal("certificate was not replaced")
	}
	if renewed.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(old.PublicKey) {
		t.Error("renewal kept the old key; want a fresh one")
	}
	// The gateway now refuses the old certificate: the agent's next
	// requests go out on new connections with the renewed one.
	for i := range 3 {
		if err := a.client.Do(context.Background(), "GET", agentapi.PathTasks+"?wait=0", nil, nil, 10*time.Second); err != nil {
			t.Fatalf("request %d after renewal: %v", i, err)
		}
	}
	if _, err := os.Stat(before); !os.IsNotExist(err) {
		t.Errorf("old certificate file left behind: %v", err)
	}
	// A fresh process sees the renewed certificate through the configuration.
	b, err := New(Options{ConfigPath: path, Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if !b.Certificate().Equal(renewed) {
		t.Error("configuration does not point at the renewed certificate")
	}
	switch peer := g.LastPeer(); {
	case peer == nil:
		t.Error("the gateway accepted no request")
	case peer.SerialNumber.Cmp(renewed.SerialNumber) != 0:
		t.Errorf("the gateway last accepted certificate serial %v; want the renewed one (%v)", peer.SerialNumber, renewed.SerialNumber)
	}
}

func TestConfigChangeIsReloaded(t *testing.T) {
	path := enrollAgent(t, gatewaytest.New(t, nil), "web1")
	a := startAgent(t, path, nil)
	<-a.watching
	raw, _ := os.ReadFile(path)
	edited := strings.Replace(string(raw), "heartbeat_interval: 1m0s", "heartbeat_interval: 7s", 1)
	if edited == string(raw) {
		t.Fatalf("heartbeat_interval not found in:\n%s", raw)
	}
	os.WriteFile(path, []byte(edited), 0o600)
	deadline := time.Now().Add(10 * time.Second)
	for a.Config().Agent.HeartbeatInterval.D() != 7*time.Second {
		if time.Now().After(deadline) {
			t.Fatalf("heartbeat interval still %v after editing the file", a.Config().Agent.HeartbeatInterval.D())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A broken edit is ignored; the running configuration stays.
	os.WriteFile(path, []byte("server: [\n"), 0o600)
	time.Sleep(600 * time.Millisecond)
	if a.Config().Agent.HeartbeatInterval.D() != 7*time.Second {
		t.Error("a broken configuration file replaced the running one")
	}
}
