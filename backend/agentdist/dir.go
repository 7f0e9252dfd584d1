package agentdist

import (
	"os"
	"path/filepath"
)

// PackagedDir is where an installed Borgdesk keeps the agent builds,
// relative to the folder of the coordinator's program: /usr/bin/borgdesk
// finds them in /usr/lib/borgdesk/agents, PREFIX/bin/borgdesk in
// PREFIX/lib/borgdesk/agents (make install, the .deb and the .rpm).
const PackagedDir = "../lib/borgdesk/agents"

// DefaultDir is the folder of agent builds for a coordinator run from the
// program exe when no folder was named: beside the program when builds lie
// there (a source tree's build/bin after `make build`), else the packaged
// folder when it exists, else beside the program (where Lookup will say no
// build is there).
func DefaultDir(exe string) string {
	beside := filepath.Dir(exe)
	if found, _ := filepath.Glob(filepath.Join(beside, "borgdesk-agent-*-*")); len(found) > 0 {
		return beside
	}
	packaged := filepath.Clean(filepath.Join(beside, PackagedDir))
	if fi, err := os.Stat(packaged); err == nil && fi.IsDir() {
		return packaged
	}
	return beside
}
