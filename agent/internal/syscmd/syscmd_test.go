package syscmd

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// script puts an executable shell script called name on a fresh PATH
// (with sh's own directory, so the script can run its tools).
func script(t *testing.T, name, body string) {
	t.Helper()
	sh := testenv.NeedCommand(t, "sh")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!"+sh+"\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+filepath.Dir(sh))
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		args     []string
		hint     func(string) string
		wantOut  string
		wantErr  string // "" for success
		wantExit int
	}{
		{name: "stdout only", body: `printf '%s|' "$@"; echo oops >&2`, args: []string{"a b", "", "c"}, wantOut: "a b||c|"},
		{name: "exit code and stderr", body: `echo "first line" >&2; echo "Error: No such object: web" >&2; exit 3`, args: []string{"inspect", "web"},
			wantErr: "tool inspect web failed (exit 3): first line\nError: No such object: web", wantExit: 3},
		{name: "hint from stderr", body: `echo "Cannot connect" >&2; exit 1`, args: []string{"volume", "ls"},
			hint: func(s string) string {
				return map[bool]string{true: "is the daemon running?"}[strings.Contains(s, "Cannot connect")]
			},
			wantErr: "tool volume ls failed (exit 1): Cannot connect; is the daemon running?", wantExit: 1},
		{name: "empty hint adds nothing", body: `exit 2`, args: []string{"x"}, hint: func(string) string { return "" },
			wantErr: "tool x failed (exit 2)", wantExit: 2},
		{name: "words quoted in the sentence", body: `exit 1`, args: []string{"--format", "{{json .Mounts}}", ""},
			wantErr: `tool --format "{{json .Mounts}}" "" failed (exit 1)`, wantExit: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			script(t, "tool", tc.body)
			tool := &Tool{Name: "tool", Hint: tc.hint}
			out, err := tool.Run(context.Background(), tc.args...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if string(out) != tc.wantOut {
					t.Errorf("stdout %q; want %q", out, tc.wantOut)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Run: %v (%T); want an *Error", err, err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error\n%s\nwant\n%s", err, tc.wantErr)
			}
			if e.ExitCode != tc.wantExit {
				t.Errorf("exit code %d; want %d", e.ExitCode, tc.wantExit)
			}
		})
	}
}

// A flood on stderr reaches the error only as its tail.
func TestStderrTail(t *testing.T) {
	script(t, "noisy", `i=0; while [ $i -lt 5000 ]; do echo "progress $i" >&2; i=$((i+1)); done; echo "the real reason" >&2; exit 1`)
	_, err := (&Tool{Name: "noisy"}).Run(context.Background())
	if err == nil || !strings.HasSuffix(err.Error(), "the real reason") {
		t.Fatalf("error %v; want it to end with the last line of stderr", err)
	}
	if len(err.Error()) > tailBytes+100 {
		t.Errorf("error is %d bytes; want about the %d-byte tail", len(err.Error()), tailBytes)
	}
}

func TestNotInstalled(t *testing.T) {
	script(t, "present", "exit 0")
	for _, tc := range []struct {
		tool Tool
		want string
	}{
		{Tool{Name: "absent-tool"}, "absent-tool is not installed on this server"},
		{Tool{Name: "absent-lvcreate", Package: "lvm2"}, "absent-lvcreate is not installed on this server (install lvm2)"},
	} {
		_, err := tc.tool.Run(context.Background())
		if !errors.Is(err, ErrNotInstalled) || err.Error() != tc.want {
			t.Errorf("Run: %v; want %q wrapping ErrNotInstalled", err, tc.want)
		}
		if err := tc.tool.Installed(); err == nil || err.Error() != tc.want {
			t.Errorf("Installed: %v; want %q", err, tc.want)
		}
	}
	if err := (&Tool{Name: "present"}).Installed(); err != nil {
		t.Errorf("Installed on a present tool: %v", err)
	}
}

// The caller's context and the tool's own timeout both end a call, and the
// error says which.
func TestContextEndsACall(t *testing.T) {
	script(t, "hang", `exec sleep 600`)
	t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+filepath.Dir(testenv.NeedCommand(t, "sleep")))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Tool{Name: "hang"}).Run(ctx); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "hang: ") {
		t.Errorf("cancelled: %v; want \"hang: context canceled\"", err)
	}
	if _, err := (&Tool{Name: "hang", Timeout: 100 * time.Millisecond}).Run(context.Background(), "x"); !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "hang x: ") {
		t.Errorf("timed out: %v; want \"hang x: context deadline exceeded\"", err)
	}
}

func TestLogsEachCall(t *testing.T) {
	script(t, "tool", `exit 0`)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := (&Tool{Name: "tool", Log: log}).Run(context.Background(), "stop", "web"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, `command="tool stop web"`) {
		t.Errorf("log %q; want the command line", got)
	}
}
