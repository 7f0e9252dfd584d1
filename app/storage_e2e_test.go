//go:build linux

package app

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fastHeartbeat makes an enrolled agent heartbeat every second (the
// coordinator's default is a minute).
func fastHeartbeat(t *testing.T, cfg string) {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw = regexp.MustCompile(`(?m)^(\s*heartbeat_interval:).*$`).ReplaceAll(raw, []byte("${1} 1s"))
	if err := os.WriteFile(cfg, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// borgArchives lists a repository's archives with borg on this machine.
func borgArchives(t *testing.T, repo, pass string) []string {
	t.Helper()
	cmd := exec.Command("borg", "list", "--short", "--bypass-lock", repo)
	cmd.Env = append(os.Environ(), "BORG_PASSPHRASE="+pass, "BORG_BASE_DIR="+t.TempDir(), "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes", "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

// storageFleet is a coordinator, a storage node and a server whose
// repository lives on the node, with one backup made there.
type storageFleet struct {
	*fleet
	nodeCfg, webCfg, nodeDir, webUUID, src string
}

func startStorageFleet(t *testing.T, schedule ...string) *storageFleet {
	// Fixed ports: agents keep the gateway's address across restarts.
	f := startFleetWith(t, "--listen", "127.0.0.1:"+strconv.Itoa(freePort(t)), "--ssh-listen", "127.0.0.1:"+strconv.Itoa(freePort(t)))
	sf := &storageFleet{fleet: f, nodeCfg: f.enroll("node"), webCfg: f.enroll("web"), nodeDir: filepath.Join(t.TempDir(), "node-repos")}
	fastHeartbeat(t, sf.nodeCfg)
	fastHeartbeat(t, sf.webCfg)
	f.run(sf.nodeCfg)
	f.run(sf.webCfg)
	sf.webUUID = f.uuid("web")
	waitFor(t, 20*time.Second, "both agents online", func() bool {
		var list []map[string]any
		f.mustJSON(&list, "server", "list")
		online := 0
		for _, s := range list {
			if s["online"] == true {
				online++
			}
		}
		return online == 2
	})
	port := freePort(t)
	r := f.cli("storage", "add-node", "node", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--address", "127.0.0.1", "--dir", sf.nodeDir)
	if r.code != 0 || !strings.Contains(r.stdout, "storage node node ready") {
		t.Fatalf("storage add-node = %+v", r)
	}
	if r := f.cli("storage", "use", "web", "node"); r.code != 0 {
		t.Fatalf("storage use = %+v", r)
	}
	sf.src = filepath.Join(t.TempDir(), "srv")
	generateTree(t, sf.src, 40)
	var job map[string]any
	f.mustJSON(&job, append([]string{"job", "create", "--server", "web", "--name", "site", "--paths", sf.src, "--keep-within", "1d"}, schedule...)...)
	var run map[string]any
	f.mustJSON(&run, "job", "run", "site", "--wait")
	if run["status"] != "succeeded" {
		t.Fatalf("backup to the storage node: %v", run)
	}
	return sf
}

func (sf *storageFleet) pass() string {
	b, err := os.ReadFile(filepath.Join(sf.data, "keys", sf.webUUID+".passphrase"))
	if err != nil {
		sf.t.Fatal(err)
	}
	return string(b)
}

func (sf *storageFleet) nodeRepo() string { return filepath.Join(sf.nodeDir, sf.webUUID) }

func TestStorageNodeBackupWhileCoordinatorStopped(t *testing.T) {
	t.Parallel() // mostly waits for the next minute of the schedule
	sf := startStorageFleet(t, "--schedule", "* * * * *")
	f := sf.fleet
	pass := sf.pass()

	// The archives are on the node, not on the coordinator (the
	// every-minute schedule may have added one beside the run by hand).
	first := borgArchives(t, sf.nodeRepo(), pass)
	if len(first) < 1 {
		t.Fatalf("no archive on the node")
	}
	// (The empty repository made at enrollment stays empty.)
	if local := borgArchives(t, filepath.Join(f.data, "repos", sf.webUUID), pass); len(local) != 0 {
		t.Errorf("archives landed on the coordinator too: %v", local)
	}
	// The coordinator reads them through its own key (browse, catalog).
	waitFor(t, 30*time.Second, "the coordinator's archive list to match the node's", func() bool {
		var archives []map[string]any
		f.mustJSON(&archives, "archive", "list", "web")
		var names []string
		for _, a := range archives {
			names = append(names, a["name"].(string))
		}
		return strings.Join(names, " ") == strings.Join(borgArchives(t, sf.nodeRepo(), pass), " ")
	})
	// Prune runs on the node as a task.
	if r := f.cli("job", "prune", "site"); r.code != 0 {
		t.Fatalf("prune on the node = %+v", r)
	}
	// The node's Borg SSH server refuses another agent's key for web's
	// repository: the node agent's own key reaches only its own (empty) path.
	other := exec.Command("borg", "list", "ssh://borgdesk@127.0.0.1:"+strings.TrimPrefix(mustTarget(t, f, "node")["listen"].(string), "127.0.0.1:")+sf.nodeRepo())
	other.Env = append(os.Environ(), "BORG_PASSPHRASE="+pass, "BORG_BASE_DIR="+t.TempDir(), "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes",
		"BORG_RSH="+f.agentBin+" ssh --config "+sf.nodeCfg+" --host-key '"+mustTarget(t, f, "node")["host_key"].(string)+"'")
	if out, err := other.CombinedOutput(); err == nil {
		t.Errorf("the node's own agent key listed web's repository:\n%s", out)
	}

	// The agent holds the signed schedule, never the passphrase on disk.
	sched := filepath.Join(filepath.Dir(sf.webCfg), "offline", "schedule.json")
	waitFor(t, 30*time.Second, "web's signed offline schedule", func() bool { _, err := os.Stat(sched); return err == nil })
	for _, dir := range []string{filepath.Dir(sf.webCfg), filepath.Dir(sf.nodeCfg), sf.nodeDir} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(pass)) {
					t.Errorf("the repository passphrase was written in %s", p)
				}
			}
			return nil
		})
	}
	if r := f.cli("settings", "set", "offline.after", "5s"); r.code != 0 {
		t.Fatal(r)
	}
	// The next heartbeat brings the new setting in a new bundle.
	old, _ := os.ReadFile(sched)
	waitFor(t, 30*time.Second, "a schedule with the new offline.after", func() bool { b, _ := os.ReadFile(sched); return !bytes.Equal(b, old) })

	// Close the coordinator: the agent backs up to the node on its own.
	before := borgArchives(t, sf.nodeRepo(), pass)
	f.serve.Process.Signal(syscall.SIGTERM)
	f.serve.Wait()
	stopped := time.Now()
	// The queued outcome is the signal (an archive can also be a backup the
	// coordinator started just before it stopped).
	var queued []string
	waitFor(t, 180*time.Second, "a run made while the coordinator was closed, queued for it", func() bool {
		queued, _ = filepath.Glob(filepath.Join(filepath.Dir(sf.webCfg), "offline", "queue", "*.json"))
		return len(queued) >= 1
	})
	offline := borgArchives(t, sf.nodeRepo(), pass)
	if len(offline) <= len(before) {
		t.Fatalf("a run was queued but the node has no new archive: %v (before %v)", offline, before)
	}
	t.Logf("offline archive %s made %s after the coordinator stopped", offline[len(offline)-1], time.Since(stopped).Round(time.Second))

	// Back: the run appears in the history, in order, and the queue empties.
	restarted := time.Now()
	f.startServe()
	var offlineRun map[string]any
	waitFor(t, 60*time.Second, "the offline run in the job's history", func() bool {
		for _, r := range f.runsOf("site") {
			if r["trigger"] == "offline" {
				offlineRun = r
				return true
			}
		}
		return false
	})
	// (Another minute may have passed meanwhile: list the node again.)
	if nodeNow := borgArchives(t, sf.nodeRepo(), pass); offlineRun["status"] != "succeeded" || !slices.Contains(nodeNow, offlineRun["archive"].(string)) {
		t.Errorf("offline run = %v; archives on the node %v", offlineRun, nodeNow)
	}
	waitFor(t, 30*time.Second, "the agent's queue to empty", func() bool {
		q, _ := filepath.Glob(filepath.Join(filepath.Dir(sf.webCfg), "offline", "queue", "*.json"))
		return len(q) == 0
	})
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "50")
	told := false
	for _, ev := range evs {
		told = told || strings.Contains(ev["message"].(string), "while the coordinator was closed")
	}
	if !told {
		t.Error("no event told the operator what happened while the coordinator was closed")
	}
	// No catch-up run repeats what the agent already did. The scheduler
	// decides once the agent is back; its decision moves the job's
	// last_scheduled_at past the restart. Wait for that, then look.
	waitFor(t, 150*time.Second, "the scheduler's first decision on site since the restart", func() bool {
		var jobs []map[string]any
		f.mustJSON(&jobs, "job", "list")
		for _, j := range jobs {
			if at, ok := j["last_scheduled_at"].(string); ok && j["name"] == "site" {
				when, err := time.Parse(time.RFC3339Nano, at)
				return err == nil && when.After(restarted)
			}
		}
		return false
	})
	for _, r := range f.runsOf("site") {
		if r["trigger"] == "catch-up" {
			t.Errorf("a catch-up run repeated the offline run: %v", r)
		}
	}

	// The repository moves back to the coordinator, every archive verified.
	var moved map[string]any
	f.mustJSON(&moved, "storage", "move", "web", "local")
	waitFor(t, 5*time.Minute, "the move to finish", func() bool {
		f.mustJSON(&moved, "storage", "move", "web")
		return moved["state"] != "running"
	})
	if moved["state"] != "done" {
		t.Fatalf("move = %v", moved)
	}
	onNode := borgArchives(t, sf.nodeRepo(), pass)
	local := borgArchives(t, filepath.Join(f.data, "repos", sf.webUUID), pass)
	for _, a := range onNode {
		if !slices.Contains(local, a) {
			t.Errorf("archive %s was not moved to the coordinator (moved %v)", a, moved)
		}
	}
	if moved["to"] != "local" || int(moved["verified"].(float64)) < len(onNode) {
		t.Errorf("move report = %v", moved)
	}
	run := f.runWait("site")
	if run["status"] != "succeeded" || !slices.Contains(borgArchives(t, filepath.Join(f.data, "repos", sf.webUUID), pass), run["archive"].(string)) {
		t.Errorf("the backup after the move did not land on the coordinator: %v", run)
	}
}

func mustTarget(t *testing.T, f *fleet, name string) map[string]any {
	t.Helper()
	var list []map[string]any
	f.mustJSON(&list, "storage", "list")
	for _, x := range list {
		if x["name"] == name {
			return x
		}
	}
	t.Fatalf("no storage target %s in %v", name, list)
	return nil
}

// The full disaster drill: the repository lives on a storage node; the
// workstation is lost (its data dir deleted); a new one imports the
// recovery kit into another directory, the agents reconnect with their old
// certificates, and a file from an archive made before the loss comes back.
func TestDisasterDrillWithStorageNode(t *testing.T) {
	t.Parallel()
	sf := startStorageFleet(t)
	f := sf.fleet
	const motd = "made before the loss\n"
	os.WriteFile(filepath.Join(sf.src, "motd"), []byte(motd), 0o644)
	before := f.runWait("site")
	if before["status"] != "succeeded" {
		t.Fatalf("backup = %v", before)
	}
	const kitPass = "a long drill passphrase"
	kit := filepath.Join(t.TempDir(), "fleet.kit")
	if r := f.cliIn(kitPass+"\n", "recovery-kit", "export", kit, "--passphrase-stdin"); r.code != 0 {
		t.Fatalf("export = %+v", r)
	}
	var status map[string]any
	f.mustJSON(&status, "status")

	// The loss.
	f.serve.Process.Signal(syscall.SIGTERM)
	f.serve.Wait()
	waitFor(t, 20*time.Second, "the old data dir to be deleted", func() bool { return os.RemoveAll(f.data) == nil })
	// A new workstation, another data dir, the same address.
	f.data = filepath.Join(t.TempDir(), "new-workstation")
	for i, a := range f.serveArgs {
		if a == "--data" {
			f.serveArgs[i+1] = f.data
		}
	}
	passFile := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(passFile, []byte(kitPass+"\n"), 0o600)
	if r := runBin(t, "recovery-kit", "import", kit, "--data", f.data, "--passphrase-file", passFile); r.code != 0 {
		t.Fatalf("import = %+v", r)
	}
	restarted := time.Now()
	f.startServe()
	var after map[string]any
	f.mustJSON(&after, "status")
	if after["ca_fingerprint"] != status["ca_fingerprint"] {
		t.Fatalf("new coordinator %v, want the CA of %v", after, status)
	}
	waitFor(t, 60*time.Second, "both agents back with their old certificates", func() bool {
		var list []map[string]any
		f.mustJSON(&list, "server", "list")
		back := 0
		for _, s := range list {
			if seen, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(s["last_seen"])); s["online"] == true && seen.After(restarted) {
				back++
			}
		}
		return back == 2
	})
	// The archive made before the loss is still there and restores.
	to := t.TempDir()
	rel := strings.TrimPrefix(sf.src, "/") + "/motd"
	// (cliIn allows minutes: the catalog is rebuilt from the node first.)
	if r := f.cliIn("", "restore", "web", before["archive"].(string), "--path", rel, "--to", to, "--wait"); r.code != 0 {
		t.Fatalf("restore after the loss = %+v", r)
	}
	if got, err := os.ReadFile(filepath.Join(to, rel)); err != nil || string(got) != motd {
		t.Fatalf("restored motd = %q, %v", got, err)
	}
	// And backups go on to the node.
	if run := f.runWait("site"); run["status"] != "succeeded" || !slices.Contains(borgArchives(t, sf.nodeRepo(), sf.pass()), run["archive"].(string)) {
		t.Errorf("backup after the drill = %v", run)
	}

	// The node's repository gets a second copy: rclone on the node, as a task.
	replica := filepath.Join(t.TempDir(), "replicas")
	if r := f.cli("replica", "set", "web", "--dir", replica, "--after-backup=false"); r.code != 0 {
		t.Fatalf("replica set = %+v", r)
	}
	var st map[string]any
	f.mustJSON(&st, "replica", "run", "web", "--wait")
	if st["state"] != "in_sync" {
		t.Fatalf("replication of the node's repository = %v", st)
	}
	copied := borgArchives(t, filepath.Join(replica, sf.webUUID), sf.pass())
	if strings.Join(copied, " ") != strings.Join(borgArchives(t, sf.nodeRepo(), sf.pass()), " ") || len(copied) < 2 {
		t.Errorf("replica archives %v, node archives %v", copied, borgArchives(t, sf.nodeRepo(), sf.pass()))
	}
	check := exec.Command("borg", "check", filepath.Join(replica, sf.webUUID))
	check.Env = append(os.Environ(), "BORG_PASSPHRASE="+sf.pass(), "BORG_BASE_DIR="+t.TempDir(), "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes")
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("borg check of the replica: %v\n%s", err, out)
	}
}
