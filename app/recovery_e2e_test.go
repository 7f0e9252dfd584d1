//go:build linux

package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The recovery kit with real parts: a coordinator (`borgdesk serve`), an
// agent and a real borg backup into the coordinator's repository; a kit
// exported through the CLI; the coordinator stopped and its data dir lost;
// the kit imported into a new, empty data dir; the repositories copied
// over (they lived in the old data dir: the kit holds their keys, not their
// archives); the coordinator started again on the same ports. The agent
// comes back with its old certificate, and a restore of a file from the
// archive made before the loss gives the same bytes.
//
// The new data dir is at the old one's path: agents' borg remembers each
// repository's address (ssh://…:PORT/DATA/repos/UUID) and refuses one that
// moved, so a coordinator that keeps repositories in its data dir must come
// back at the same path (the import warns otherwise).
func TestRecoveryKitDisasterDrill(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	gw, sshPort := freePort(t), freePort(t)
	f := startFleetWith(t, "--listen", fmt.Sprintf("127.0.0.1:%d", gw), "--ssh-listen", fmt.Sprintf("127.0.0.1:%d", sshPort))
	cfg := f.enroll("web1")
	// Heartbeats every second, so the reconnection shows at once.
	raw, _ := os.ReadFile(cfg)
	raw = regexp.MustCompile(`heartbeat_interval: .*`).ReplaceAll(raw, []byte("heartbeat_interval: 1s"))
	os.WriteFile(cfg, raw, 0o600)
	f.run(cfg)
	uuid := f.uuid("web1")

	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 30)
	os.MkdirAll(filepath.Join(src, "etc"), 0o755)
	const motd = "before the loss\n"
	os.WriteFile(filepath.Join(src, "etc", "motd"), []byte(motd), 0o644)
	var job, run map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "site", "--paths", src)
	f.mustJSON(&run, "job", "run", "site", "--wait")
	archive, _ := run["archive"].(string)
	if run["status"] != "succeeded" || archive == "" {
		t.Fatalf("backup = %v", run)
	}

	// Export through the running coordinator.
	const pass = "drill passphrase, long enough"
	kit := filepath.Join(t.TempDir(), "fleet.kit")
	r := f.cliIn(pass+"\n", "recovery-kit", "export", kit, "--passphrase-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "passphrases of 1 repositories with 1 key exports") {
		t.Fatalf("export: %+v", r)
	}
	fi, _ := os.Stat(kit)
	t.Logf("recovery kit of a one-server coordinator: %d bytes", fi.Size())
	var before serverJSON
	f.mustJSON(&before, "server", "show", "web1")
	var status map[string]any
	f.mustJSON(&status, "status")

	// The loss: the coordinator stops, its data dir is gone.
	f.serve.Process.Signal(syscall.SIGTERM)
	f.serve.Wait()
	lost := f.data + ".lost"
	if err := os.Rename(f.data, lost); err != nil {
		t.Fatal(err)
	}

	// A new workstation: import the kit, bring the repositories back.
	passFile := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(passFile, []byte(pass+"\n"), 0o600)
	r = runBin(t, "recovery-kit", "import", kit, "--data", f.data, "--passphrase-file", passFile)
	if r.code != 0 || !strings.Contains(r.stdout, "Imported the recovery kit") || r.stderr != "" {
		t.Fatalf("import: %+v", r)
	}
	for _, secret := range []string{"ca/ca.key", "ca/update.key", "keys/" + uuid + ".passphrase", "ssh_host_ed25519_key"} {
		a, _ := os.ReadFile(filepath.Join(lost, secret))
		b, err := os.ReadFile(filepath.Join(f.data, secret))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s after the import differs from the original (%v)", secret, err)
		}
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(lost, "repos"), filepath.Join(f.data, "repos")).CombinedOutput(); err != nil {
		t.Fatalf("copy the repositories: %v %s", err, out)
	}
	restarted := time.Now()
	f.startServe()

	var after map[string]any
	f.mustJSON(&after, "status")
	if after["ca_fingerprint"] != status["ca_fingerprint"] || after["gateway_url"] != status["gateway_url"] {
		t.Fatalf("the new coordinator: %v; want the CA and gateway of %v", after, status)
	}
	// The agent reconnects with its old certificate: a heartbeat is accepted.
	waitFor(t, 60*time.Second, "web1's heartbeat to reach the new coordinator", func() bool {
		var sv serverJSON
		f.mustJSON(&sv, "server", "show", "web1")
		return sv.Online && sv.LastSeen != nil && sv.LastSeen.After(restarted)
	})
	var sv serverJSON
	f.mustJSON(&sv, "server", "show", "web1")
	if sv.UUID != uuid || sv.CertNotAfter == nil || before.CertNotAfter == nil || !sv.CertNotAfter.Equal(*before.CertNotAfter) {
		t.Errorf("web1 after the import = %+v; want the same identity and certificate as %+v", sv, before)
	}

	// A file from the archive made before the loss, restored by its agent.
	to := t.TempDir()
	rel := strings.TrimPrefix(src, "/") + "/etc/motd"
	r = f.cli("restore", "web1", archive, "--path", rel, "--to", to, "--wait")
	if r.code != 0 {
		t.Fatalf("restore after the import: %+v", r)
	}
	if got, err := os.ReadFile(filepath.Join(to, rel)); err != nil || string(got) != motd {
		t.Fatalf("restored motd = %q, %v; want %q", got, err, motd)
	}
	// And the repositories take new backups.
	f.mustJSON(&run, "job", "run", "site", "--wait")
	if run["status"] != "succeeded" {
		t.Errorf("backup after the import = %v", run)
	}
	if r := f.cli("recovery-kit", "status"); !strings.Contains(r.stdout, "Up to date") {
		t.Errorf("kit status after the import = %+v", r)
	}
}
