//go:build linux

package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"borgdesk/backend/rollout/testhost"
)

// A hosted Borg service is a real OpenSSH sshd in a network namespace whose
// authorized_keys forces `borg serve`, as BorgBase, Hetzner or rsync.net do:
// the coordinator's maintenance key restricted to the repositories'
// directory, and one append-only line per server.
func TestHostedBorgTarget(t *testing.T) {
	t.Parallel()
	needRoot(t, "sshd in a network namespace")
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	f := startFleet(t)
	web := f.enroll("web")
	f.run(web)
	uuid := f.uuid("web")

	// The host key must be confirmed by its fingerprint first.
	r := f.cli("storage", "add-hosted", "box", "--host", h.IP, "--user", "root", "--path", "/root/borg")
	fp := regexp.MustCompile(`SHA256:[A-Za-z0-9+/]+`).FindString(r.stderr)
	if r.code == 0 || fp == "" || !strings.Contains(r.stderr, "--accept-host-key") {
		t.Fatalf("add-hosted without a confirmed key = %+v; want the fingerprint and how to confirm it", r)
	}
	if r := f.cli("storage", "add-hosted", "box", "--host", h.IP, "--user", "root", "--path", "/root/borg", "--accept-host-key", "SHA256:AAAAwrongAAAA"); r.code == 0 {
		t.Fatalf("a wrong fingerprint was accepted: %+v", r)
	}
	r = f.cli("storage", "add-hosted", "box", "--host", h.IP, "--user", "root", "--path", "/root/borg", "--accept-host-key", fp)
	if r.code != 0 || !strings.Contains(r.stdout, `command="borg serve --restrict-to-path /root/borg",restrict ssh-ed25519 `) {
		t.Fatalf("add-hosted = %+v; want the maintenance key's line", r)
	}
	// Until the lines are installed, the service refuses the coordinator.
	if r := f.cli("storage", "check", "box"); r.code == 0 || !strings.Contains(r.stderr, "authorized_keys") {
		t.Errorf("check before the key is installed = %+v; want a refusal naming authorized_keys", r)
	}
	if r := f.cli("storage", "use", "web", "box"); r.code != 0 {
		t.Fatalf("storage use = %+v", r)
	}
	keys := f.cli("storage", "keys", "box")
	lines := strings.Split(strings.TrimSpace(keys.stdout), "\n")
	if keys.code != 0 || len(lines) != 2 || !strings.Contains(lines[1], `command="borg serve --append-only --restrict-to-repository /root/borg/`+uuid+`",restrict `) {
		t.Fatalf("storage keys = %+v", keys)
	}
	for _, l := range lines {
		h.AuthorizeKey(t, "root", l)
	}
	if r := f.cli("storage", "check", "box"); r.code != 0 || !strings.Contains(r.stdout, "ready") {
		t.Fatalf("check = %+v", r)
	}

	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 30)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web", "--name", "site", "--paths", src, "--keep-daily", "3")
	run := f.runWait("site")
	if run["status"] != "succeeded" {
		t.Fatalf("backup to the hosted service = %v", run)
	}
	pass, _ := os.ReadFile(filepath.Join(f.data, "keys", uuid+".passphrase"))
	onHost := borgArchives(t, filepath.Join(h.Root, "root", "borg", uuid), string(pass))
	if len(onHost) != 1 || onHost[0] != run["archive"] {
		t.Fatalf("archives at the hosted service = %v, want [%v]", onHost, run["archive"])
	}
	// The coordinator lists and prunes through its maintenance key.
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web")
	if len(archives) != 1 {
		t.Errorf("archive list through the maintenance key = %v", archives)
	}
	if r := f.cli("job", "prune", "site"); r.code != 0 {
		t.Errorf("prune through the maintenance key = %+v", r)
	}
	// The agent's key is forced to its own repository: another path at the
	// service is refused.
	hostKey := mustTarget(t, f, "box")["host_key"].(string)
	other := exec.Command("borg", "init", "--encryption=none", "ssh://root@"+h.IP+"/root/borg/elsewhere")
	other.Env = append(os.Environ(), "BORG_BASE_DIR="+t.TempDir(), "BORG_RSH="+f.agentBin+" ssh --config "+web+" --host-key '"+hostKey+"'")
	if out, err := other.CombinedOutput(); err == nil || !strings.Contains(string(out), "restrict") && !strings.Contains(string(out), "not allowed") {
		t.Errorf("the agent's key created a repository outside its own path: err %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(h.Root, "root", "borg", "elsewhere")); err == nil {
		t.Error("a repository appeared outside the agent's path")
	}
}
