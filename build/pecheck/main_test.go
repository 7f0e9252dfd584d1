package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Real programs from the Go toolchain: a GUI build passes; a console
// build, an arm64 build and a Linux build are each refused with a reason.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func(name, goos, goarch string, ldflags ...string) string {
		t.Helper()
		out := filepath.Join(dir, name)
		args := append([]string{"build", "-o", out}, ldflags...)
		cmd := exec.Command("go", append(args, src)...)
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, b)
		}
		return out
	}
	for _, tc := range []struct {
		name, file, want string
	}{
		{"gui", build("gui.exe", "windows", "amd64", "-ldflags=-H windowsgui"), ""},
		{"console", build("console.exe", "windows", "amd64"), "would open a console"},
		{"arm64", build("arm64.exe", "windows", "arm64", "-ldflags=-H windowsgui"), "not x86-64"},
		{"linux", build("linux.exe", "linux", "amd64"), "not a Windows program"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(tc.file)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("check = %v; want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("check = %v; want an error saying %q", err, tc.want)
			}
		})
	}
}
