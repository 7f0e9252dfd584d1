// Package testenv is how a test says it needs something from the machine:
// a command, root, a device or a file. When that is missing the test fails
// with a sentence that names it, so `make test` never passes by not
// running; a person who knowingly lacks it sets BORGDESK_TEST_ALLOW_SKIP=1
// and the test is skipped instead (go test -v lists it as SKIP).
//
// Only tests and test helper packages import it; production code must
// never depend on it.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// OptOut is the one variable that turns failures for a missing tool, root
// or device into skips, when set to 1.
const OptOut = "BORGDESK_TEST_ALLOW_SKIP"

// Missing fails t because something it needs is missing, or skips it when
// the person running the tests opted out with BORGDESK_TEST_ALLOW_SKIP=1.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	missing(t, "make deps installs it", fmt.Sprintf(format, args...))
}

func missing(t testing.TB, remedy, msg string) {
	t.Helper()
	if os.Getenv(OptOut) == "1" {
		t.Skipf("%s (skipped: %s=1)", msg, OptOut)
		return // only a fake testing.TB gets here
	}
	t.Fatalf("%s (%s; set %s=1 to skip tests whose tools are missing)", msg, remedy, OptOut)
}

// NeedRoot fails t (or skips it, see Missing) unless it runs as root;
// why says what for, e.g. "mount a tmpfs".
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "run the tests as root", "needs root to "+why)
	}
}

// NeedCommands fails t (or skips it, see Missing) unless every named
// command is on PATH.
func NeedCommands(t testing.TB, names ...string) {
	t.Helper()
	var absent []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			absent = append(absent, n)
		}
	}
	switch len(absent) {
	case 0:
	case 1:
		Missing(t, "%s is not installed", absent[0])
	default:
		Missing(t, "%s are not installed", strings.Join(absent, ", "))
	}
}

// NeedCommand is NeedCommands for one command, and returns its path.
func NeedCommand(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed", name)
	}
	return path
}

// NeedFile fails t (or skips it, see Missing) unless path exists; what
// says what it is, e.g. "the FUSE device".
func NeedFile(t testing.TB, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, "%s %s is missing", what, path)
	}
}
