package agentapi

import (
	"os/exec"
	"strings"
	"testing"
)

// The wire contract is read by both sides and by agents of other builds:
// it must not carry a domain type whose change would change the wire
// unnoticed, so it imports only the standard library.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(lines))
	}
	self := 0
	for _, l := range lines {
		path, std, _ := strings.Cut(l, " ")
		switch {
		case strings.HasSuffix(path, "/agentapi"):
			self++
		case std != "true":
			t.Errorf("agentapi depends on %s, which is not in the standard library: give agentapi its own wire type and convert at the edges", path)
		}
	}
	if self != 1 {
		t.Errorf("go list listed agentapi itself %d times; want 1 (is the check looking at the right package?)", self)
	}
}
