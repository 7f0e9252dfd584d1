package shared

import (
	"os/exec"
	"strings"
	"testing"
)

const sharedRoot = "borgdesk/backend/shared"

// sharedModules are the third-party modules shared packages may import:
// each one is built into the agent.
var sharedModules = []string{
	"github.com/robfig/cron/v3", // schedule
	"golang.org/x/crypto",       // ssh: borgssh, rsh, replicate
	"golang.org/x/sys",          // safefs: openat2
	// cmdtree: the command trees of borgdesk, the agent and the flx tools,
	// with their man pages (cobra/doc renders them with go-md2man, which
	// reads blackfriday; cobra/doc's YAML output brings yaml).
	"github.com/spf13/cobra",
	"github.com/spf13/pflag",
	"github.com/cpuguy83/go-md2man/v2",
	"github.com/russross/blackfriday/v2",
	"go.yaml.in/yaml/v3",
}

// sharedTestHelpers are the coordinator's test helpers the shared
// packages' tests may use (real OpenSSH hosts for replication to SFTP).
var sharedTestHelpers = []string{
	"borgdesk/backend/rollout/testhost",
}

// listDeps lists "path<TAB>standard<TAB>module" for args' dependencies.
func listDeps(t *testing.T, args ...string) [][]string {
	t.Helper()
	args = append([]string{"list", "-deps", "-f", "{{.ImportPath}}\t{{.Standard}}\t{{with .Module}}{{.Path}}{{end}}"}, args...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var deps [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		deps = append(deps, strings.Split(line, "\t"))
	}
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	return deps
}

func isShared(path string) bool {
	return path == sharedRoot || strings.HasPrefix(path, sharedRoot+"/")
}

// What the shared packages import is built into the agent: nothing of
// the coordinator, only the modules named above.
func TestSharedImportsNothingOfTheCoordinator(t *testing.T) {
	for _, d := range listDeps(t, sharedRoot+"/...") {
		path, standard, module := d[0], d[1] == "true", d[2]
		switch {
		case standard, isShared(path):
		case module == "borgdesk":
			t.Errorf("%s is a coordinator package, and a shared package imports it: move what is shared into backend/shared, or leave the caller outside", path)
		case !contains(sharedModules, module):
			t.Errorf("a shared package imports %s (module %s), which is not on the list of modules the agent is built with", path, module)
		}
	}
}

// Their tests too stay off the coordinator, but for named test helpers.
func TestSharedTestsImportNothingOfTheCoordinator(t *testing.T) {
	for _, d := range listDeps(t, "-test", sharedRoot+"/...") {
		path, _, _ := strings.Cut(d[0], " ") // "p [q.test]": p as compiled for q's test
		path = strings.TrimSuffix(path, ".test")
		if d[2] == "borgdesk" && !isShared(path) && !contains(sharedTestHelpers, path) {
			t.Errorf("a shared package's test imports the coordinator's %s", path)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
