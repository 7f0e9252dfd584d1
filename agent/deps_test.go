package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// The agent is a small static binary on every server: it must never pull in
// the desktop (Wails), the database (SQLite) or the coordinator's state.
func TestAgentDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "borgdesk/agent").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"github.com/wailsapp/", "modernc.org/sqlite", "borgdesk/backend/store", "borgdesk/backend/service", "borgdesk/app"}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("borgdesk-agent imports %s", dep)
			}
		}
	}
}

func TestAgentCLI(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "borgdesk-agent ") {
		t.Errorf("version: code %d, out %q", code, out.String())
	}
	if code := run(context.Background(), []string{"bogus"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("bogus: code %d, err %q", code, errb.String())
	}
}

// The coordinator's packages the agent may use: the shared ones. A new
// one is added here on purpose, never by accident.
func TestAgentBackendAllowList(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "borgdesk/agent").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{}
	for _, p := range []string{"agentapi", "atomicfile", "borg", "borgssh", "flx", "flx/flxcli", "jobs", "replicate", "rsh", "safefs", "shared/shellquote", "shared/tail", "units", "version"} {
		allowed["borgdesk/backend/"+p] = true
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "borgdesk/backend/") && !allowed[dep] {
			t.Errorf("borgdesk-agent imports %s, which is not on the allow-list of shared packages", dep)
		}
	}
}
