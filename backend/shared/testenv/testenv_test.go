package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Fatalf and Skipf instead of ending
// the test, so the choice between them can be checked.
type recorder struct {
	testing.TB
	fatal, skip []string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = append(r.fatal, fmt.Sprintf(format, args...))
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skip = append(r.skip, fmt.Sprintf(format, args...))
}

const suffix = " (make deps installs it; set BORGDESK_TEST_ALLOW_SKIP=1 to skip tests whose tools are missing)"

func TestMissingFailsUnlessOptedOut(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "absent")
	tests := []struct {
		name      string
		check     func(t testing.TB)
		optOut    string
		wantFatal string
		wantSkip  string
	}{
		{"missing", func(t testing.TB) { Missing(t, "borg is not installed") }, "", "borg is not installed" + suffix, ""},
		{"missing, opted out", func(t testing.TB) { Missing(t, "borg is not installed") }, "1", "", "borg is not installed (skipped: BORGDESK_TEST_ALLOW_SKIP=1)"},
		{"opt-out other than 1", func(t testing.TB) { Missing(t, "x %d", 1) }, "yes", "x 1" + suffix, ""},
		{"one command", func(t testing.TB) { NeedCommands(t, "sh", "no-such-tool-bd") }, "", "no-such-tool-bd is not installed" + suffix, ""},
		{"two commands", func(t testing.TB) { NeedCommands(t, "no-such-a-bd", "no-such-b-bd") }, "", "no-such-a-bd, no-such-b-bd are not installed" + suffix, ""},
		{"commands present", func(t testing.TB) { NeedCommands(t, "sh") }, "", "", ""},
		{"NeedCommand", func(t testing.TB) { NeedCommand(t, "no-such-tool-bd") }, "1", "", "no-such-tool-bd is not installed (skipped: BORGDESK_TEST_ALLOW_SKIP=1)"},
		{"file", func(t testing.TB) { NeedFile(t, absent, "the device") }, "", "the device " + absent + " is missing" + suffix, ""},
		{"file present", func(t testing.TB) { NeedFile(t, "/", "the root") }, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(OptOut, tt.optOut)
			r := &recorder{TB: t}
			tt.check(r)
			if got := strings.Join(r.fatal, "|"); got != tt.wantFatal {
				t.Errorf("Fatalf got %q; want %q", got, tt.wantFatal)
			}
			if got := strings.Join(r.skip, "|"); got != tt.wantSkip {
				t.Errorf("Skipf got %q; want %q", got, tt.wantSkip)
			}
		})
	}
}

func TestNeedRoot(t *testing.T) {
	t.Setenv(OptOut, "")
	r := &recorder{TB: t}
	NeedRoot(r, "mount a tmpfs")
	want := ""
	if os.Geteuid() != 0 {
		want = "needs root to mount a tmpfs (run the tests as root; set BORGDESK_TEST_ALLOW_SKIP=1 to skip tests whose tools are missing)"
	}
	if got := strings.Join(r.fatal, "|"); got != want || len(r.skip) != 0 {
		t.Errorf("NeedRoot as uid %d: Fatalf %q, Skipf %q; want Fatalf %q", os.Geteuid(), got, r.skip, want)
	}
}

// A real test that lacks a tool: go test reports FAIL with the sentence,
// and SKIP once the person running it opts out.
func TestMissingInARealTest(t *testing.T) {
	for _, tt := range []struct {
		optOut, want string
		wantErr      bool
	}{
		{"", "--- FAIL: TestChildNeedsATool", true},
		{"1", "--- SKIP: TestChildNeedsATool", false},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildNeedsATool$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", OptOut+"="+tt.optOut)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.wantErr || !strings.Contains(string(out), tt.want) || !strings.Contains(string(out), "no-such-tool-bd is not installed") {
			t.Errorf("%s=%q: err %v, output:\n%s\nwant %q and the sentence", OptOut, tt.optOut, err, out, tt.want)
		}
	}
}

// TestChildNeedsATool is the child's side of TestMissingInARealTest.
func TestChildNeedsATool(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "" {
		t.Skip("only run as a child of TestMissingInARealTest")
	}
	NeedCommands(t, "no-such-tool-bd")
	t.Error("NeedCommands returned although the tool is missing")
}

// Production code never imports testenv: the programs' dependencies do
// not contain it.
func TestOnlyTestsImportIt(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "borgdesk", "borgdesk/agent").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	for _, dep := range deps {
		if dep == "borgdesk/backend/shared/testenv" {
			t.Error("a program imports borgdesk/backend/shared/testenv; only tests may")
		}
	}
}
