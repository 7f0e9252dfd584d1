package runner

import (
	"context"
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/enroll"
	"borgdesk/backend/agentapi"
	"borgdesk/backend/coordinator"
	"borgdesk/backend/service"
)

// coord runs a real coordinator (store, CA, gateway) on 127.0.0.1.
func coord(t *testing.T) *service.Service { return coordAt(t, time.Now) }

// coordAt is a running coordinator whose clock is now.
func coordAt(t *testing.T, now func() time.Time) *service.Service {
	t.Helper()
	dir := t.TempDir()
	c, err := coordinator.Open(context.Background(), coordinator.Options{DataDir: dir, Socket: filepath.Join(dir, "s.sock"), Now: now,
		GatewayListen: "127.0.0.1:0", SSHListen: "127.0.0.1:0", GatewayHosts: []string{"127.0.0.1"}, AgentDir: t.TempDir(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	go func() {
		for c.Service().GatewayURL() == "" {
			time.Sleep(10 * time.Millisecond)
		}
		close(ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done; c.Close() })
	return c.Service()
}

func enrollAgent(t *testing.T, svc *service.Service, name string) string {
	t.Helper()
	tok, err := svc.CreateEnrollmentToken(context.Background(), name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "agent", "config.yaml")
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: tok.ServerURL, Token: tok.Token, CAFingerprint: tok.CAFingerprint, Name: name, Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEnrollRefusesWrongCAFingerprintAndWritesNothing(t *testing.T) {
	svc := coord(t)
	tok, _ := svc.CreateEnrollmentToken(context.Background(), "web1", time.Hour)
	dir := filepath.Join(t.TempDir(), "agent")
	_, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: filepath.Join(dir, "config.yaml"), ServerURL: tok.ServerURL,
		Token: tok.Token, CAFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Name: "web1"})
	if !errors.Is(err, client.ErrPinMismatch) {
		t.Fatalf("err = %v; want ErrPinMismatch", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("enrollment with a wrong pin wrote %s", dir)
	}
	// The token was not spent by the refused attempt.
	path := filepath.Join(t.TempDir(), "ok", "config.yaml")
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: tok.ServerURL, Token: tok.Token, CAFingerprint: tok.CAFingerprint, Name: "web1"}); err != nil {
		t.Errorf("enroll with the right pin after a refused one: %v", err)
	}
	if _, err := enroll.Run(context.Background(), enroll.Params{ConfigPath: path, ServerURL: tok.ServerURL, Token: tok.Token, CAFingerprint: tok.CAFingerprint, Name: "web1"}); !errors.Is(err, enroll.ErrEnrolled) {
		t.Errorf("second enroll on the same config: err = %v; want ErrEnrolled", err)
	}
}

func TestEnrollWritesPrivateFiles(t *testing.T) {
	svc := coord(t)
	path := enrollAgent(t, svc, "web1")
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
	svc := coord(t)
	startAgent(t, enrollAgent(t, svc, "web1"), nil)
	res, err := svc.PingServer(context.Background(), "web1", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if !strings.HasPrefix(res.Echo, "ping ") || res.Hostname != host {
		t.Errorf("ping = %+v", res)
	}
	// The first heartbeat (capabilities, metrics) may land just after the ping.
	deadline := time.Now().Add(15 * time.Second)
	for {
		sv, _ := svc.Server(context.Background(), "web1")
		if sv.Online && sv.Version == "v1" && strings.Contains(string(sv.Capabilities), `"arch"`) && strings.Contains(string(sv.Metrics), `"mem_total"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never reported online with capabilities and metrics: %+v", sv)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRenewalWithInjectedClock(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	svc := coordAt(t, now) // the coordinator renews only inside the window: same clock
	path := enrollAgent(t, svc, "web1")
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
	sv, _ := svc.Server(context.Background(), "web1")
	if sv.CertNotAfter == nil || !sv.CertNotAfter.Equal(renewed.NotAfter) {
		t.Errorf("coordinator records expiry %v; want %v", sv.CertNotAfter, renewed.NotAfter)
	}
}

func TestConfigChangeIsReloaded(t *testing.T) {
	svc := coord(t)
	path := enrollAgent(t, svc, "web1")
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
