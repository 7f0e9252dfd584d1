//go:build linux

package safefs

import (
	"os/exec"
	"strings"
	"testing"
)

// The agent imports safefs: it stays on the standard library and x/sys.
func TestOnlyStdlibAndXSys(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "borgdesk/backend/shared/safefs").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		if strings.Contains(first, ".") && !strings.HasPrefix(dep, "golang.org/x/sys/") || strings.HasPrefix(dep, "borgdesk/") && dep != "borgdesk/backend/shared/safefs" {
			t.Errorf("safefs imports %s", dep)
		}
	}
}
