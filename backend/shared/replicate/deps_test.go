package replicate

import (
	"os/exec"
	"strings"
	"testing"
)

// A storage node's agent will run this package for the repositories it
// holds: it must never pull in the coordinator's state, the desktop or
// the database.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "borgdesk/backend/shared/replicate").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	forbidden := []string{"github.com/wailsapp/", "modernc.org/sqlite", "borgdesk/backend/store", "borgdesk/backend/service", "borgdesk/backend/repos", "borgdesk/app"}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("backend/shared/replicate imports %s", dep)
			}
		}
	}
}
