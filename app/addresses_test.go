package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/service"
)

// serveFor runs `borgdesk serve` in-process with env and args until the
// returned stop is called (or the test ends); it returns once the admin
// socket is up.
func serveFor(t *testing.T, sock string, env map[string]string, args ...string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- runCLI(ctx, env, append([]string{"serve"}, args...)...) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if r := <-done; r.code != 0 {
			t.Errorf("serve %v exited %d: %s", args, r.code, r.stderr)
		}
	}
	t.Cleanup(stop)
	for i := 0; i < 400; i++ {
		if _, err := os.Stat(sock); err == nil {
			return stop
		}
		select {
		case r := <-done:
			stopped = true
			t.Fatalf("serve %v exited %d early: %s", args, r.code, r.stderr)
		case <-time.After(25 * time.Millisecond):
		}
	}
	t.Fatal("serve did not create its socket")
	return stop
}

// loopbackPort returns a free loopback address.
func loopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// addresses reads `borgdesk status --json`'s addresses by setting key.
func addresses(t *testing.T, dir string) map[string]service.Address {
	t.Helper()
	r := runCLI(context.Background(), nil, "--data", dir, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status = %+v", r)
	}
	var st service.Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	out := map[string]service.Address{}
	for _, a := range st.Addresses {
		out[a.Key] = a
	}
	return out
}

func healthAt(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + addr + "/api/health")
	if err != nil {
		t.Fatalf("the gateway does not answer at %s: %v", addr, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/health at %s = %s", addr, resp.Status)
	}
}

func TestServePicksUpAddressSettingsOnRestart(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "borgdesk.sock")
	ctx := context.Background()
	stop := serveFor(t, sock, nil, "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")

	gw, ssh := loopbackPort(t), loopbackPort(t)
	r := runCLI(ctx, nil, "--data", dir, "settings", "set", "gateway.listen", gw)
	if r.code != 0 || !strings.Contains(r.stdout, "takes effect when Borgdesk restarts") || !strings.Contains(r.stdout, "Agents enrolled earlier") {
		t.Fatalf("settings set gateway.listen = %+v; want the restart note and the agents' warning", r)
	}
	if r := runCLI(ctx, nil, "--data", dir, "settings", "set", "ssh.listen", ssh); r.code != 0 {
		t.Fatalf("settings set ssh.listen = %+v", r)
	}
	r = runCLI(ctx, nil, "--data", dir, "settings", "set", "gateway.listen", "127.0.0.1:99999")
	if r.code != exitError || !strings.Contains(r.stderr, "1 to 65535") {
		t.Errorf("a port out of range = %+v", r)
	}
	// Until the restart, the flags' random ports stay in use.
	a := addresses(t, dir)
	if got := a["gateway.listen"]; got.From != "--listen" || got.InUse == gw || got.Setting != ":8443" {
		t.Errorf("before the restart: %+v", got)
	}
	stop()

	stop = serveFor(t, sock, nil, "--data", dir)
	a = addresses(t, dir)
	if got := a["gateway.listen"]; got.InUse != gw || got.From != service.FromSetting {
		t.Errorf("gateway.listen after the restart = %+v; want %s from the setting", got, gw)
	}
	if got := a["ssh.listen"]; got.InUse != ssh || got.From != service.FromSetting {
		t.Errorf("ssh.listen after the restart = %+v; want %s from the setting", got, ssh)
	}
	if got := a["gateway.url"]; got.From != service.FromDefault || !strings.HasSuffix(got.InUse, ":"+strings.Split(gw, ":")[1]) {
		t.Errorf("gateway.url = %+v; want one derived from the gateway's port", got)
	}
	healthAt(t, gw)
	if r := runCLI(ctx, nil, "--data", dir, "status"); r.code != 0 || !strings.Contains(r.stdout, gw+" (setting)") {
		t.Errorf("status = %+v; want gateway.listen %s (setting)", r, gw)
	}
	if c, err := net.DialTimeout("tcp", ssh, 5*time.Second); err != nil {
		t.Errorf("the Borg SSH server does not listen at %s: %v", ssh, err)
	} else {
		c.Close()
	}
	stop()

	// The environment wins over the setting, and a flag over both.
	env := map[string]string{"BORGDESK_LISTEN": "127.0.0.1:0"}
	stop = serveFor(t, sock, env, "--data", dir)
	if got := addresses(t, dir)["gateway.listen"]; got.From != "BORGDESK_LISTEN" || got.InUse == gw || got.Setting != gw {
		t.Errorf("with BORGDESK_LISTEN: %+v", got)
	}
	stop()
	flagAddr := loopbackPort(t)
	serveFor(t, sock, env, "--data", dir, "--listen", flagAddr)
	if got := addresses(t, dir)["gateway.listen"]; got.From != "--listen" || got.InUse != flagAddr {
		t.Errorf("with --listen and BORGDESK_LISTEN: %+v; want %s from --listen", got, flagAddr)
	}
	healthAt(t, flagAddr)
}

func TestExplicitAddressPrecedence(t *testing.T) {
	tests := []struct {
		name       string
		flag       string
		env        map[string]string
		want, from string
	}{
		{"flag", "127.0.0.1:1", map[string]string{"BORGDESK_LISTEN": "127.0.0.1:2"}, "127.0.0.1:1", "--listen"},
		{"environment", "", map[string]string{"BORGDESK_LISTEN": "127.0.0.1:2"}, "127.0.0.1:2", "BORGDESK_LISTEN"},
		{"neither: the setting or the default", "", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := coordFlags{listen: tt.flag}
			values, sources := c.explicit(func(k string) string { return tt.env[k] })
			if values[service.KeyGatewayListen] != tt.want || sources[service.KeyGatewayListen] != tt.from {
				t.Errorf("explicit = %v, %v; want %q from %q", values, sources, tt.want, tt.from)
			}
		})
	}
}
