package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// The agent is a small static binary on every server. What it may import
// is an allow-list: its own packages, the packages it shares with the
// coordinator (backend/shared/...), the standard library, and the
// third-party modules named below. A new module is added here on purpose,
// never by accident; anything else (the desktop, the database, the
// coordinator's service, jobs, ca, rollout, mounts, mail…) fails this test.

// sharedRoot holds the only backend packages the agent may import.
const sharedRoot = "borgdesk/backend/shared/"

// agentModules are the third-party modules the agent is built with.
var agentModules = []string{
	"github.com/cpuguy83/go-md2man/v2",     // man pages from the command tree (cobra/doc)
	"github.com/fsnotify/fsnotify",         // configuration reload
	"github.com/inconshreveable/mousetrap", // cobra's (Windows only)
	"github.com/russross/blackfriday/v2",   // go-md2man's
	"github.com/spf13/cobra",               // the command tree
	"github.com/spf13/pflag",               // cobra's flags
	"github.com/robfig/cron/v3",            // offline schedules (shared/schedule)
	"github.com/shirou/gopsutil/v4",        // heartbeat metrics
	"github.com/tklauser/go-sysconf",       // gopsutil's
	"github.com/tklauser/numcpus",          // gopsutil's
	"go.yaml.in/yaml/v3",                   // config.yaml
	"golang.org/x/crypto",                  // ssh: borg's transport, the storage node's server
	"golang.org/x/sys",                     // openat2, statfs
}

// agentTestModules are the modules the agent's tests may use besides.
var agentTestModules = []string{
	"github.com/google/go-cmp",
}

// dep is one package in the agent's dependency graph.
type dep struct {
	path, module string
	standard     bool
}

// deps lists the packages args depend on (with -test, their tests' too).
func deps(t *testing.T, args ...string) []dep {
	t.Helper()
	args = append([]string{"list", "-deps", "-f", "{{.ImportPath}}\t{{.Standard}}\t{{with .Module}}{{.Path}}{{end}}"}, args...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var list []dep
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		path, _, _ := strings.Cut(f[0], " ") // "p [q.test]": p as compiled for q's test
		list = append(list, dep{path: strings.TrimSuffix(path, ".test"), standard: f[1] == "true", module: f[2]})
	}
	if len(list) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(list))
	}
	return list
}

// disallowed says why p may not be imported, or "" when it may.
func disallowed(p dep, modules []string) string {
	switch {
	case p.standard:
		return ""
	case p.module == "borgdesk":
		if p.path == "borgdesk/agent" || strings.HasPrefix(p.path, "borgdesk/agent/") || strings.HasPrefix(p.path, sharedRoot) {
			return ""
		}
		return "a coordinator package, not one under " + sharedRoot
	case contains(modules, p.module):
		return ""
	}
	return "module " + p.module + " is not on the agent's list"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestAgentImportsOnlyAllowedPackages(t *testing.T) {
	for _, p := range deps(t, "borgdesk/agent") {
		if why := disallowed(p, agentModules); why != "" {
			t.Errorf("borgdesk-agent imports %s: %s", p.path, why)
		}
		if !p.standard && strings.HasSuffix(p.path, "test") { // gatewaytest, testenv, safefstest
			t.Errorf("borgdesk-agent imports the test helper %s", p.path)
		}
	}
}

// The agent's tests run without the coordinator: a fake gateway
// (gatewaytest) stands in for it, and the shared test helpers
// (shared/testenv, shared/safefs/safefstest) are the only others.
func TestAgentTestsImportOnlyAllowedPackages(t *testing.T) {
	modules := append(append([]string{}, agentModules...), agentTestModules...)
	for _, p := range deps(t, "-test", "borgdesk/agent/...") {
		if why := disallowed(p, modules); why != "" {
			t.Errorf("the agent's tests import %s: %s", p.path, why)
		}
	}
}

func TestAgentCLI(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"version"}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "borgdesk-agent ") {
		t.Errorf("version: code %d, out %q", code, out.String())
	}
	if code := run(context.Background(), []string{"bogus"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("bogus: code %d, err %q", code, errb.String())
	}
}
