package rollout

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"borgdesk/backend/shared/flx/flxcli"
)

// The names install links are the names the agent answers to.
func TestToolNamesAreTheAgents(t *testing.T) {
	var names []string
	for n := range flxcli.ToolNames {
		names = append(names, n)
	}
	slices.Sort(names)
	want := slices.Clone(ToolNames)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("install links %v; the agent answers to %v", want, names)
	}
}

// The link script, run by sh in a scratch /usr/local/bin, links the names
// to the agent and leaves a real FlexPBX script alone; the unlink script
// removes only its links.
func TestToolLinksScripts(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "usr/local/bin")
	os.MkdirAll(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "flexpbx-migrate"), []byte("#!/bin/bash\n"), 0o755)
	run := func(script string) string {
		t.Helper()
		out, err := exec.Command("sh", "-c", strings.ReplaceAll(script, "/usr/local/bin", bin)).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return string(out)
	}
	out := run(linkToolsScript())
	for _, n := range []string{"flexpbx-backup", "flexpbx-restore"} {
		if got, err := os.Readlink(filepath.Join(bin, n)); got != "borgdesk-agent" {
			t.Errorf("%s → %q (%v); want a link to borgdesk-agent", n, got, err)
		}
	}
	if fi, err := os.Lstat(filepath.Join(bin, "flexpbx-migrate")); err != nil || !fi.Mode().IsRegular() || !strings.Contains(out, "flexpbx-migrate is FlexPBX's own tool") {
		t.Errorf("the real flexpbx-migrate: %v, %v, %q; want it left and named", fi, err, out)
	}
	run(unlinkToolsScript())
	if _, err := os.Lstat(filepath.Join(bin, "flexpbx-backup")); err == nil {
		t.Error("the link stayed after uninstall")
	}
	if _, err := os.Lstat(filepath.Join(bin, "flexpbx-migrate")); err != nil {
		t.Errorf("uninstall removed FlexPBX's own script: %v", err)
	}
}
