//go:build linux

package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// dockerEngine is a private Docker daemon (Debian's docker.io) on its own
// socket and data root, with no network and no registry: the image is a
// static busybox imported from a tarball.
type dockerEngine struct {
	t    *testing.T
	dir  string
	host string
}

func startDocker(t *testing.T) *dockerEngine {
	t.Helper()
	needRoot(t, "run a Docker daemon")
	testenv.NeedCommands(t, "dockerd", "docker", "containerd", "runc")
	busybox := testenv.NeedCommand(t, "busybox")
	dir, err := os.MkdirTemp("", "bd-docker-") // short: the socket path must fit 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	d := &dockerEngine{t: t, dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock")}
	daemonLog, _ := os.Create(filepath.Join(dir, "dockerd.log"))
	cmd := exec.Command("dockerd", "--iptables=false", "--ip-masq=false", "--bridge=none",
		"--exec-opt", "native.cgroupdriver=cgroupfs", "--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "pid"), "-H", d.host)
	cmd.Stdout, cmd.Stderr = daemonLog, daemonLog
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			raw, _ := os.ReadFile(filepath.Join(dir, "dockerd.log"))
			t.Logf("dockerd log:\n%s", lastN(string(raw), 40))
		}
		if mounts, err := os.ReadFile("/proc/mounts"); err == nil {
			for _, l := range strings.Split(string(mounts), "\n") {
				if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], dir) {
					syscall.Unmount(f[1], syscall.MNT_DETACH)
				}
			}
		}
		os.RemoveAll(dir)
	})
	waitFor(t, 60*time.Second, "dockerd to answer", func() bool { _, err := d.try("version"); return err == nil })

	root := filepath.Join(dir, "rootfs")
	for _, sub := range []string{"bin", "tmp", "data", "etc", "proc", "sys", "dev"} {
		os.MkdirAll(filepath.Join(root, sub), 0o755)
	}
	raw, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "bin", "busybox"), raw, 0o755)
	for _, a := range []string{"sh", "sleep", "cat", "echo"} {
		os.Symlink("busybox", filepath.Join(root, "bin", a))
	}
	tar := exec.Command("tar", "-C", root, "-c", ".")
	imp := exec.Command("docker", "import", "-", "borgdesk-test:1")
	imp.Env = append(os.Environ(), "DOCKER_HOST="+d.host)
	imp.Stdin, _ = tar.StdoutPipe()
	if err := tar.Start(); err != nil {
		t.Fatal(err)
	}
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v %s", err, out)
	}
	tar.Wait()
	return d
}

func (d *dockerEngine) try(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.host)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (d *dockerEngine) must(args ...string) string {
	d.t.Helper()
	out, err := d.try(args...)
	if err != nil {
		d.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func lastN(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// A Docker job backs up the named volumes and bind mounts of the chosen
// containers; with --docker-stop a running container is stopped for the
// backup and started again, and one the operator had stopped stays stopped.
func TestDockerVolumesBackup(t *testing.T) {
	d := startDocker(t)
	bind := t.TempDir()
	os.WriteFile(filepath.Join(bind, "site.conf"), []byte("server_name example.org;\n"), 0o644)
	d.must("run", "-d", "--init", "--name", "app", "--network", "none", "-v", "appdata:/data", "-v", bind+":/bind", "borgdesk-test:1", "/bin/sleep", "1000")
	d.must("exec", "app", "sh", "-c", "echo row-42 > /data/table.db")
	d.must("create", "--name", "idle", "--network", "none", "-v", "idledata:/data", "borgdesk-test:1", "/bin/sleep", "1000")
	startedBefore := d.must("inspect", "--format", "{{.State.StartedAt}}", "app")

	f := startFleet(t)
	cfg := f.enroll("web1")
	t.Setenv("DOCKER_HOST", d.host) // the agent runs the docker CLI
	f.run(cfg)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "containers", "--docker", "app", "--docker", "idle", "--docker-stop")
	run := f.runWait("containers")
	if run["status"] != "succeeded" {
		t.Fatalf("docker job: %v", run)
	}
	log, _ := run["log"].(string)
	if !strings.Contains(log, "stopped container app") || !strings.Contains(log, "started container app") || !strings.Contains(log, "container idle is not running") {
		t.Errorf("run log does not tell what happened to the containers:\n%s", log)
	}
	if got := d.must("inspect", "--format", "{{.State.Running}}", "app"); got != "true" {
		t.Errorf("container app after the backup: running=%s, want it started again", got)
	}
	if after := d.must("inspect", "--format", "{{.State.StartedAt}}", "app"); after == startedBefore {
		t.Error("container app was not stopped during the backup (same StartedAt)")
	}
	if got := d.must("inspect", "--format", "{{.State.Status}}", "idle"); got != "created" {
		t.Errorf("container idle after the backup: %s, want it left as it was (created, never started)", got)
	}

	// The archive holds the volume's and the bind mount's files.
	uuid := f.uuid("web1")
	volume := d.must("volume", "inspect", "--format", "{{.Mountpoint}}", "appdata")
	out, err := f.borgLocal(uuid, "list", "--short", filepath.Join(f.data, "repos", uuid)+"::"+run["archive"].(string))
	if err != nil {
		t.Fatalf("borg list: %v\n%s", err, out)
	}
	for _, want := range []string{strings.TrimPrefix(filepath.Join(volume, "table.db"), "/"), strings.TrimPrefix(filepath.Join(bind, "site.conf"), "/")} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("archive lacks %s:\n%s", want, out)
		}
	}
	restore := t.TempDir()
	ex := exec.Command("borg", "extract", filepath.Join(f.data, "repos", uuid)+"::"+run["archive"].(string), strings.TrimPrefix(filepath.Join(volume, "table.db"), "/"))
	pass, _ := os.ReadFile(filepath.Join(f.data, "keys", uuid+".passphrase"))
	ex.Dir, ex.Env = restore, append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir())
	if out, err := ex.CombinedOutput(); err != nil {
		t.Fatalf("borg extract: %v %s", err, out)
	}
	if raw, _ := os.ReadFile(filepath.Join(restore, volume, "table.db")); string(raw) != "row-42\n" {
		t.Errorf("restored volume file: %q", raw)
	}
}
