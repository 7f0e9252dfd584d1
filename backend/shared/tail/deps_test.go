package tail

import (
	"os/exec"
	"strings"
	"testing"
)

// The agent and borg import this package: it must import nothing but the
// standard library.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "borgdesk/backend/shared/tail").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != 1 || got[0] != "borgdesk/backend/shared/tail" {
		t.Errorf("backend/shared/tail and its imports outside the standard library: %q; want only itself", got)
	}
}
