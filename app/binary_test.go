package app

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// These tests run the real borgdesk binary (the CLI build) as separate
// processes, the way an operator or a script does.

var binPath string

func borgdeskBinary(t *testing.T) string {
	t.Helper()
	if binPath != "" {
		return binPath
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir, err := os.MkdirTemp("", "borgdesk-bin-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "borgdesk")
	cmd := exec.Command("go", "build", "-o", out, "borgdesk")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	binPath = out
	return out
}

func TestMain(m *testing.M) {
	// The coordinators the tests start (in-process or as borgdesk serve)
	// keep their log on stderr: none writes into this machine's
	// ~/.local/state. A test of the log file passes its own environment.
	if os.Getenv("BORGDESK_LOG_FILE") == "" {
		os.Setenv("BORGDESK_LOG_FILE", "off")
	}
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func runBin(t *testing.T, args ...string) result {
	t.Helper()
	// A command that waits for a backup, a restore or a drill takes as long
	// as the work on a loaded machine; the others answer at once.
	limit := 90 * time.Second
	if slices.Contains(args, "--wait") {
		limit = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, borgdeskBinary(t), args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ctx.Err() != nil {
		t.Fatalf("borgdesk %s did not finish within %s (stderr: %s)", strings.Join(args, " "), limit, errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func TestBinaryServeListRefuseSecondStop(t *testing.T) {
	bin := borgdeskBinary(t)
	dir := t.TempDir()
	serve := exec.Command(bin, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
	var serveErr bytes.Buffer
	serve.Stderr = &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	defer serve.Process.Kill()

	sock := filepath.Join(dir, "borgdesk.sock")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve made no socket; stderr:\n%s", serveErr.String())
		}
	}

	if r := runBin(t, "--data", dir, "server", "list", "--json"); r.code != 0 || r.stdout != "[]\n" {
		t.Fatalf("server list --json = %+v; want []", r)
	}
	r := runBin(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
	if r.code == 0 || !strings.Contains(r.stderr, "already owns") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("second serve = %+v; want non-zero exit and one line saying the data dir is owned", r)
	}

	serve.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, serveErr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	// The data dir is free again.
	if r := runBin(t, "--data", dir, "server", "list"); r.code == 0 || !strings.Contains(r.stderr, "no Borgdesk coordinator") {
		t.Errorf("list after stop = %+v", r)
	}
}

func TestBinaryBadDataDirs(t *testing.T) {
	borgdeskBinary(t)
	tmp := t.TempDir()

	file := filepath.Join(tmp, "a-file")
	os.WriteFile(file, []byte("x"), 0o600)

	corrupt := filepath.Join(tmp, "corrupt")
	os.MkdirAll(corrupt, 0o700)
	garbage := bytes.Repeat([]byte("garbage! "), 1000)
	os.WriteFile(filepath.Join(corrupt, "borgdesk.db"), garbage, 0o600)

	newer := filepath.Join(tmp, "newer")
	os.MkdirAll(newer, 0o700)
	db, err := sql.Open("sqlite", filepath.Join(newer, "borgdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE future (x); PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newerBefore, _ := os.ReadFile(filepath.Join(newer, "borgdesk.db"))

	tests := []struct {
		name, dir, want string
	}{
		{"not writable", filepath.Join(file, "data"), "not writable"},
		{"corrupt database", corrupt, "damaged"},
		{"newer schema", newer, "upgrade Borgdesk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBin(t, "serve", "--data", tt.dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
			if r.code == 0 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("serve = %+v; want non-zero exit and %q", r, tt.want)
			}
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 {
				t.Errorf("stderr has %d lines; want one sentence:\n%s", lines, r.stderr)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(corrupt, "borgdesk.db")); !bytes.Equal(b, garbage) {
		t.Error("corrupt database was modified")
	}
	if b, _ := os.ReadFile(filepath.Join(newer, "borgdesk.db")); !bytes.Equal(b, newerBefore) {
		t.Error("newer database was modified")
	}
}
