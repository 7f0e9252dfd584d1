package backup

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/shared/testenv"
)

// The real docker CLI with no daemon behind its socket: the error names
// the call, carries what docker said and says what to check.
func TestDockerSaysWhenItsDaemonIsDown(t *testing.T) {
	testenv.NeedCommand(t, "docker")
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "docker.sock"))
	_, err := docker.Run(context.Background(), "volume", "ls")
	if err == nil {
		t.Fatal("docker volume ls succeeded with no daemon")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "docker volume ls failed (exit 1): ") || !strings.Contains(msg, "Cannot connect to the Docker daemon") ||
		!strings.HasSuffix(msg, "; is the Docker daemon running? (systemctl status docker)") {
		t.Errorf("error %q; want the call, docker's words and the question what to check", msg)
	}
}

func TestHints(t *testing.T) {
	tests := []struct {
		name   string
		hint   func(string) string
		stderr string
		want   string
	}{
		{"docker no container", dockerHint, "Error: No such object: web", "check the job's container names (docker ps -a lists them)"},
		{"docker socket permission", dockerHint, "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock", "the agent may not use the Docker socket; it must run as root or in the docker group"},
		{"docker other", dockerHint, "Error response from daemon: conflict", ""},
		{"lvm no volume", lvmHint, `Failed to find logical volume "vg0/data"`, "check the job's volume group and volume (lvs lists them)"},
		{"lvm no group", lvmHint, `Volume group "vg9" not found`, "check the job's volume group and volume (lvs lists them)"},
		{"lvm full", lvmHint, `Volume group "vg0" has insufficient free space (10 extents): 256 required.`, "the volume group has too little free space for the snapshot: lower the job's snapshot size or free space in the group (vgs shows it)"},
		{"lvm other", lvmHint, "Logical volume vg0/x in use.", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.hint(tc.stderr); got != tc.want {
				t.Errorf("hint(%q) = %q; want %q", tc.stderr, got, tc.want)
			}
		})
	}
}
