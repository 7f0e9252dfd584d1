package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(ctx context.Context, env map[string]string, args ...string) result {
	var out, errb bytes.Buffer
	e := env0(env, &out, &errb)
	code := run(ctx, args, e)
	return result{code, out.String(), errb.String()}
}

func env0(vars map[string]string, out, errb *bytes.Buffer) env {
	return env{stdin: strings.NewReader(""), stdout: out, stderr: errb, getenv: func(k string) string { return vars[k] }}
}

// startServe runs `borgdesk serve` in-process until the test ends.
func startServe(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- runCLI(ctx, nil, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
	}()
	t.Cleanup(func() {
		cancel()
		if r := <-done; r.code != 0 {
			t.Errorf("serve exited %d: %s", r.code, r.stderr)
		}
	})
	waitSocket(t, filepath.Join(dir, "borgdesk.sock"), done)
}

// waitSocket returns once serve made its socket, or fails when it exits.
func waitSocket(t *testing.T, sock string, done chan result) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(sock); err == nil {
			return
		}
		select {
		case r := <-done:
			t.Fatalf("serve exited %d early: %s", r.code, r.stderr)
		case <-time.After(25 * time.Millisecond):
		}
	}
	t.Fatal("serve did not create its socket")
}

func TestVersionAndUsage(t *testing.T) {
	ctx := context.Background()
	if r := runCLI(ctx, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "borgdesk ") {
		t.Errorf("version = %+v", r)
	}
	if r := runCLI(ctx, nil, "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = %+v", r)
	}
	if r := runCLI(ctx, nil, "server", "show"); r.code != exitUsage || !strings.Contains(r.stderr, "SERVER") {
		t.Errorf("server show without a server = %+v", r)
	}
	if r := runCLI(ctx, nil, "settings", "set", "only-key"); r.code != exitUsage {
		t.Errorf("settings set with one arg = %+v", r)
	}
}

func TestNoCoordinatorRunning(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(context.Background(), nil, "--data", dir, "server", "list", "--json")
	if r.code != exitError || !strings.Contains(r.stderr, "no Borgdesk coordinator is running") || !strings.Contains(r.stderr, "borgdesk serve") {
		t.Errorf("got %+v; want exit 1 telling to start a coordinator", r)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q; want nothing", r.stdout)
	}
}

func TestServeAndClients(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir)
	ctx := context.Background()

	r := runCLI(ctx, nil, "--data", dir, "server", "list", "--json")
	if r.code != 0 || r.stdout != "[]\n" {
		t.Fatalf("server list --json = %+v; want []", r)
	}
	// The environment variable works as well as the flag, and flags may follow the command.
	r = runCLI(ctx, map[string]string{"BORGDESK_DATA": dir}, "settings", "set", "ui.theme", "dark")
	if r.code != 0 {
		t.Fatalf("settings set = %+v", r)
	}
	r = runCLI(ctx, nil, "settings", "get", "ui.theme", "--data", dir)
	if r.code != 0 || r.stdout != "dark\n" {
		t.Errorf("settings get = %+v; want dark", r)
	}
	r = runCLI(ctx, nil, "--socket", filepath.Join(dir, "borgdesk.sock"), "settings", "set", "ui.theme", "mauve")
	if r.code != exitError || !strings.Contains(r.stderr, "system, light or dark") {
		t.Errorf("invalid setting = %+v", r)
	}
	r = runCLI(ctx, nil, "--data", dir, "server", "show", "ghost")
	if r.code != exitError || !strings.Contains(r.stderr, "not found") {
		t.Errorf("server show ghost = %+v", r)
	}
	r = runCLI(ctx, nil, "--data", dir, "events", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"settings:changed"`) {
		t.Errorf("events = %+v", r)
	}
	r = runCLI(ctx, nil, "--data", dir, "status")
	if r.code != 0 || !strings.Contains(r.stdout, dir) {
		t.Errorf("status = %+v", r)
	}

	r = runCLI(ctx, nil, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
	if r.code != exitError || !strings.Contains(r.stderr, "already owns") {
		t.Errorf("second serve = %+v; want exit 1 saying the data dir is owned", r)
	}
}

func TestDesktopNeedsAGUIBuild(t *testing.T) {
	r := runCLI(context.Background(), map[string]string{"DISPLAY": ":0"}, "--data", t.TempDir())
	if r.code != exitError || !strings.Contains(r.stderr, "borgdesk serve") {
		t.Errorf("desktop in a CLI build = %+v", r)
	}
}

// Asking for help or the version is not a mistake: both exit 0, and the
// top-level usage names the first command a new operator needs.
func TestHelpAndVersionExitZero(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if r := runCLI(ctx, nil, args...); r.code != exitOK || !strings.HasPrefix(r.stdout, "borgdesk ") {
			t.Errorf("%v = %+v; want exit 0 and the version", args, r)
		}
	}
	if r := runCLI(ctx, nil, "help"); r.code != exitOK || !strings.Contains(r.stdout, "borgdesk server add") || !strings.Contains(r.stdout, "borgdesk job edit") {
		t.Errorf("help = exit %d; want 0 and a usage that names server add and job edit:\n%s", r.code, r.stdout)
	}
	if r := runCLI(ctx, nil, "--help"); r.code != exitOK {
		t.Errorf("--help = %+v; want exit 0", r)
	}
}
