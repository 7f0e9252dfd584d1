package borgssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

type keys struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *keys) AgentForKey(key ssh.PublicKey) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, ok := k.m[string(key.Marshal())]
	return id, ok
}

// fakeBorg stands in for borg: it records its arguments and environment,
// so the test sees exactly what the server runs.
func fakeBorg(t *testing.T) (string, string) {
	dir := t.TempDir()
	out := filepath.Join(dir, "calls")
	script := filepath.Join(dir, "borg")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$@|$SSH_ORIGINAL_COMMAND\" >> "+out+"\ncat >/dev/null\necho served\n"), 0o755)
	return script, out
}

func setup(t *testing.T) (addr string, agentKey ssh.Signer, srv *Server, k *keys, calls string) {
	t.Helper()
	return setupIdle(t, 0)
}

func setupIdle(t *testing.T, idle time.Duration) (addr string, agentKey ssh.Signer, srv *Server, k *keys, calls string) {
	t.Helper()
	hostKey, err := LoadOrCreateHostKey(filepath.Join(t.TempDir(), "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	agentKey, _ = ssh.NewSignerFromKey(priv)
	k = &keys{m: map[string]string{string(agentKey.PublicKey().Marshal()): "aaaaaaaa-1111-2222-3333-444444444444"}}
	borg, calls := fakeBorg(t)
	srv = New(Config{HostKey: hostKey, Authorizer: k, ReposDir: "/data/repos", Borg: borg, BorgBaseDir: t.TempDir(), IdleTimeout: idle})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String(), agentKey, srv, k, calls
}

func dial(t *testing.T, addr string, key ssh.Signer) (*ssh.Client, error) {
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "borgdesk", Auth: []ssh.AuthMethod{ssh.PublicKeys(key)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
}

func TestOnlyBorgServeRestrictedAndAppendOnly(t *testing.T) {
	addr, key, _, _, calls := setup(t)
	c, err := dial(t, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	out, err := sess.Output("rm -rf / --no-preserve-root")
	if err != nil || strings.TrimSpace(string(out)) != "served" {
		t.Fatalf("exec = %q, %v", out, err)
	}
	got, _ := os.ReadFile(calls)
	want := "serve --restrict-to-repository /data/repos/aaaaaaaa-1111-2222-3333-444444444444 --append-only|rm -rf / --no-preserve-root\n"
	if string(got) != want {
		t.Errorf("server ran %q; want %q", got, want)
	}

	for _, req := range []string{"shell", "pty-req", "subsystem", "x11-req"} {
		sess, _ := c.NewSession()
		ok, err := sess.SendRequest(req, true, nil)
		if ok || err != nil {
			t.Errorf("%s request: ok %v, err %v; want refused", req, ok, err)
		}
		sess.Close()
	}
	if _, _, err := c.OpenChannel("direct-tcpip", ssh.Marshal(struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}{"127.0.0.1", 22, "127.0.0.1", 1})); err == nil {
		t.Error("direct-tcpip channel accepted")
	}
	if ok, _, _ := c.SendRequest("tcpip-forward", true, ssh.Marshal(struct {
		Addr string
		Port uint32
	}{"127.0.0.1", 0})); ok {
		t.Error("remote port forwarding accepted")
	}
}

func TestUnknownAndRevokedKeysAreRefused(t *testing.T) {
	addr, key, srv, k, _ := setup(t)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	stranger, _ := ssh.NewSignerFromKey(other)
	if c, err := dial(t, addr, stranger); err == nil {
		c.Close()
		t.Error("an unknown key was accepted")
	}
	c, err := dial(t, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	// Revoke: the key is refused from now on, and open sessions are cut.
	k.mu.Lock()
	k.m = map[string]string{}
	k.mu.Unlock()
	srv.Disconnect("aaaaaaaa-1111-2222-3333-444444444444")
	if _, err := c.NewSession(); err == nil {
		t.Error("a session opened on a revoked agent's connection")
	}
	if c, err := dial(t, addr, key); err == nil {
		c.Close()
		t.Error("a revoked key was accepted")
	}
}

// Only the configured Admin identity is served without --append-only, and
// only on a server that has one (a storage node); agents never are.
func TestServeArgsAdminOnlyWhereConfigured(t *testing.T) {
	dir := t.TempDir()
	coordinator := New(Config{ReposDir: dir})
	node := New(Config{ReposDir: dir, Admin: "coordinator"})
	uuid := "0b5b7f6e-3c2a-4d7e-9f10-2a3b4c5d6e7f"
	for _, tc := range []struct {
		srv      *Server
		identity string
		want     []string
	}{
		{coordinator, uuid, []string{"serve", "--restrict-to-repository", filepath.Join(dir, uuid), "--append-only"}},
		{coordinator, "coordinator", []string{"serve", "--restrict-to-repository", filepath.Join(dir, "coordinator"), "--append-only"}},
		{node, uuid, []string{"serve", "--restrict-to-repository", filepath.Join(dir, uuid), "--append-only"}},
		{node, "coordinator", []string{"serve", "--restrict-to-path", dir}},
		// Identities that are not one directory name get nothing at all.
		{node, "", nil},
		{coordinator, "..", nil},
		{coordinator, ".", nil},
		{coordinator, uuid + "/../other", nil},
	} {
		if got := tc.srv.ServeArgs(tc.identity); !slices.Equal(got, tc.want) {
			t.Errorf("ServeArgs(%q) admin=%q = %v, want %v", tc.identity, tc.srv.cfg.Admin, got, tc.want)
		}
	}
}

func TestASilentConnectionIsClosedAfterTheIdleTimeout(t *testing.T) {
	addr, key, _, _, _ := setupIdle(t, 300*time.Millisecond)
	// The server's idle clock starts with the handshake's last message,
	// which comes before dial returns: measure from before the dial.
	start := time.Now()
	c, err := dial(t, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed := make(chan time.Time, 1)
	go func() { c.Wait(); closed <- time.Now() }()
	select {
	case at := <-closed:
		if at.Sub(start) < 300*time.Millisecond {
			t.Errorf("closed after %v, before the idle timeout", at.Sub(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a logged-in connection that said nothing is still open after 10 s; want it closed after 300 ms")
	}
}

func TestTrafficKeepsAConnectionOpenPastTheIdleTimeout(t *testing.T) {
	addr, key, _, _, _ := setupIdle(t, time.Second)
	c, err := dial(t, addr, key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Requests every 200 ms for three idle periods: the connection stays.
	for i := range 15 {
		if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
			t.Fatalf("request %d after %v: %v; want the connection open while it carries traffic", i, time.Duration(i)*200*time.Millisecond, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
