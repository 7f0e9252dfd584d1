package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCoordLogWritesTheFileAtItsLevel(t *testing.T) {
	state := t.TempDir()
	var out, errb bytes.Buffer
	e := env0(map[string]string{"XDG_STATE_HOME": state, "HOME": "/nonexistent"}, &out, &errb)
	l, err := openCoordLog(e, "warn", "")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("an info line")
	l.Warn("a warning line", "server", "web1")
	l.Error("an error line")
	l.Close()
	want := filepath.Join(state, "borgdesk", "borgdesk.log")
	if l.path != want {
		t.Errorf("log file %s; want %s", l.path, want)
	}
	raw, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	if strings.Contains(got, "an info line") || !strings.Contains(got, `msg="a warning line" server=web1`) || !strings.Contains(got, "an error line") {
		t.Errorf("at warn the file holds:\n%s\nwant the warning and the error, not the info", got)
	}
	if errb.String() != got {
		t.Errorf("stderr:\n%s\nwant the same lines as the file:\n%s", errb.String(), got)
	}
	if st, err := os.Stat(want); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	// Rotation is set up: size, old files, age, gzip.
	if f := l.file; f.MaxSize != logMaxMB || f.MaxBackups != logBackups || f.MaxAge != logMaxAgeDays || !f.Compress {
		t.Errorf("rotation %+v; want %d MB, %d backups, %d days, compressed", f, logMaxMB, logBackups, logMaxAgeDays)
	}
}

func TestCoordLogLevelsAndPlaces(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	e := env0(map[string]string{"HOME": filepath.Join(dir, "home")}, &out, &errb)
	l, err := openCoordLog(e, "debug", "")
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("a debug line")
	l.Close()
	if want := filepath.Join(dir, "home", ".local", "state", "borgdesk", "borgdesk.log"); l.path != want {
		t.Errorf("without XDG_STATE_HOME the log is %s; want %s", l.path, want)
	}
	if raw, _ := os.ReadFile(l.path); !strings.Contains(string(raw), "a debug line") {
		t.Errorf("at debug the file holds %q", raw)
	}
	if l, err := openCoordLog(e, "info", "off"); err != nil || l.file != nil || l.path != "" {
		t.Errorf("--log-file off: %+v, %v; want stderr only", l, err)
	}
	custom := filepath.Join(dir, "custom", "x.log")
	if l, err := openCoordLog(e, "error", custom); err != nil || l.path != custom {
		t.Errorf("--log-file %s: %+v, %v", custom, l, err)
	}
	if _, err := openCoordLog(e, "loud", ""); err == nil || !strings.Contains(err.Error(), "use debug, info, warn or error") {
		t.Errorf("--log-level loud: %v", err)
	}
}

// TestServeLogsToTheFile runs `borgdesk serve` with a state dir: its start
// line lands in the log file; a bad --log-level stops it with a sentence.
func TestServeLogsToTheFile(t *testing.T) {
	state, data := t.TempDir(), t.TempDir()
	envs := map[string]string{"XDG_STATE_HOME": state}
	if r := runCLI(context.Background(), envs, "serve", "--data", data, "--log-level", "loud"); r.code != exitUsage || !strings.Contains(r.stderr, "use debug, info, warn or error") {
		t.Fatalf("serve --log-level loud = %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- runCLI(ctx, envs, "serve", "--data", data, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0", "--log-level", "info")
	}()
	waitSocket(t, filepath.Join(data, "borgdesk.sock"), done)
	// The socket is bound while the coordinator still opens; an answer
	// comes once it runs (stopping it earlier fails its start).
	if r := runCLI(context.Background(), nil, "--data", data, "status"); r.code != 0 {
		t.Fatalf("status = %+v", r)
	}
	cancel()
	if r := <-done; r.code != 0 {
		t.Fatalf("serve exited %d: %s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(filepath.Join(state, "borgdesk", "borgdesk.log"))
	if err != nil || !strings.Contains(string(raw), `msg="coordinator running"`) || !strings.Contains(string(raw), "data="+data) {
		t.Errorf("log file: %q, %v; want the coordinator's start line", raw, err)
	}
}
