package agentdist

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultDir(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "usr", "bin")
	agents := filepath.Join(root, "usr", "lib", "borgdesk", "agents")
	for _, d := range []string{bin, agents} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(bin, "borgdesk")

	// Installed: nothing beside the program, the packaged folder exists.
	if got := DefaultDir(exe); got != agents {
		t.Fatalf("installed: DefaultDir = %s, want %s", got, agents)
	}
	// A source tree's build/bin: builds beside the program win.
	if err := os.WriteFile(filepath.Join(bin, "borgdesk-agent-linux-amd64"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := DefaultDir(exe); got != bin {
		t.Fatalf("builds beside: DefaultDir = %s, want %s", got, bin)
	}
	// Neither: beside the program, where Lookup names the missing build.
	lone := filepath.Join(root, "opt", "x", "borgdesk")
	if got, want := DefaultDir(lone), filepath.Dir(lone); got != want {
		t.Fatalf("nothing anywhere: DefaultDir = %s, want %s", got, want)
	}
}
