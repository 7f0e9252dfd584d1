//go:build linux

package app

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// fleet is a running `borgdesk serve` with enrolled agents, all real processes.
type fleet struct {
	serve     *exec.Cmd
	serveArgs []string
	agents    map[string]*exec.Cmd
	t         *testing.T
	data      string
	agentBin  string
	log       *lockedBuffer
	tok       map[string]string
}

func needBorgBinary(t *testing.T) {
	t.Helper()
	testenv.NeedCommands(t, "borg")
}

func startFleet(t *testing.T) *fleet { return startFleetWith(t) }

func startFleetWith(t *testing.T, extra ...string) *fleet {
	t.Helper()
	needBorgBinary(t)
	borgdeskBinary(t)
	tmp := t.TempDir()
	f := &fleet{t: t, data: filepath.Join(tmp, "data"), agentBin: filepath.Join(tmp, "borgdesk-agent"), log: &lockedBuffer{}}
	buildAgent(t, f.agentBin, "v1.0.0")
	// The coordinator carries the same build, so no update interferes.
	os.MkdirAll(filepath.Join(tmp, "dist"), 0o755)
	for i, a := range extra { // a --data in extra wins
		if a == "--data" && i+1 < len(extra) {
			f.data = extra[i+1]
		}
	}
	f.serveArgs = append([]string{"serve", "--data", f.data, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0", "--agent-dir", filepath.Join(tmp, "dist")}, extra...)
	f.startServe()
	t.Cleanup(func() { f.serve.Process.Signal(syscall.SIGTERM); f.serve.Wait() })
	return f
}

func (f *fleet) startServe() {
	f.t.Helper()
	f.serve = exec.Command(borgdeskBinary(f.t), f.serveArgs...)
	f.serve.Stderr = f.log
	if err := f.serve.Start(); err != nil {
		f.t.Fatal(err)
	}
	waitFor(f.t, 10*time.Second, "the coordinator's socket", func() bool { _, err := os.Stat(filepath.Join(f.data, "borgdesk.sock")); return err == nil })
}

// restartServe stops the coordinator (SIGTERM) and starts it again on the same data dir.
func (f *fleet) restartServe() {
	f.t.Helper()
	f.serve.Process.Signal(syscall.SIGTERM)
	f.serve.Wait()
	f.startServe()
}

func (f *fleet) cli(args ...string) result {
	return runBin(f.t, append([]string{"--data", f.data}, args...)...)
}

func (f *fleet) mustJSON(v any, args ...string) {
	f.t.Helper()
	r := f.cli(append(args, "--json")...)
	if r.code != 0 {
		f.t.Fatalf("borgdesk %s: %+v", strings.Join(args, " "), r)
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		f.t.Fatalf("borgdesk %s: %v in %s", strings.Join(args, " "), err, r.stdout)
	}
}

// enroll enrolls an agent called name and returns its config path.
func (f *fleet) enroll(name string) string {
	f.t.Helper()
	var tok map[string]string
	f.mustJSON(&tok, "token", "create", "--name", name)
	cfg := filepath.Join(filepath.Dir(f.agentBin), name, "config.yaml")
	out, err := exec.Command(f.agentBin, "enroll", "--config", cfg, "--server", tok["server_url"], "--name", name,
		"--token", tok["token"], "--ca-fingerprint", tok["ca_fingerprint"]).CombinedOutput()
	if err != nil {
		f.t.Fatalf("enroll %s: %v\n%s", name, err, out)
	}
	return cfg
}

// run starts an agent process for cfg.
func (f *fleet) run(cfg string) *lockedBuffer {
	f.t.Helper()
	log := &lockedBuffer{}
	cmd := exec.Command(f.agentBin, "run", "--config", cfg)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	if f.agents == nil {
		f.agents = map[string]*exec.Cmd{}
	}
	f.agents[cfg] = cmd
	f.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if f.t.Failed() {
			f.t.Logf("agent %s log:\n%s\ncoordinator log:\n%s", cfg, log.String(), f.log.String())
		}
	})
	return log
}

func (f *fleet) uuid(name string) string {
	var sv map[string]any
	f.mustJSON(&sv, "server", "show", name)
	return sv["uuid"].(string)
}

// generateTree writes a reproducible mix of files, directories, modes and a symlink.
func generateTree(t *testing.T, dir string, files int) {
	t.Helper()
	for i := 0; i < files; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%7), fmt.Sprintf("e%d", i%3))
		os.MkdirAll(sub, 0o755)
		size := 100 + (i*7919)%200_000
		buf := make([]byte, size)
		rand.Read(buf[:size/2]) // half random, half zeros: compressible and not
		mode := os.FileMode(0o644)
		if i%5 == 0 {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%04d.bin", i)), buf, mode); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("d00/e0", filepath.Join(dir, "link"))
}

// compareTrees fails unless b holds exactly a's files, modes and contents.
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(a, p)
		q := filepath.Join(b, rel)
		fa, _ := os.Lstat(p)
		fb, err := os.Lstat(q)
		if err != nil {
			t.Errorf("restored tree lacks %s", rel)
			return nil
		}
		if fa.Mode() != fb.Mode() {
			t.Errorf("%s: mode %v, restored %v", rel, fa.Mode(), fb.Mode())
		}
		switch {
		case fa.Mode().IsRegular():
			x, _ := os.ReadFile(p)
			y, _ := os.ReadFile(q)
			if !bytes.Equal(x, y) {
				t.Errorf("%s: content differs", rel)
			}
			n++
		case fa.Mode()&os.ModeSymlink != 0:
			x, _ := os.Readlink(p)
			y, _ := os.Readlink(q)
			if x != y {
				t.Errorf("%s: link %q, restored %q", rel, x, y)
			}
		}
		return nil
	})
	if n == 0 {
		t.Error("compared no files")
	}
}

// borgLocal runs borg on the coordinator's own copy of a repository.
func (f *fleet) borgLocal(uuid string, args ...string) (string, error) {
	pass, err := os.ReadFile(filepath.Join(f.data, "keys", uuid+".passphrase"))
	if err != nil {
		f.t.Fatal(err)
	}
	cmd := exec.Command("borg", args...)
	cmd.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+filepath.Join(f.t.TempDir(), "b"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestBackupEndToEnd(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleet(t)
	web1 := f.enroll("web1")
	web2 := f.enroll("web2")
	f.run(web1)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 120)

	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "site", "--paths", src, "--exclude", "*.tmp",
		"--schedule", "*/5 * * * *", "--keep-daily", "7")
	if job["schedule"] != "*/5 * * * *" || job["kind"] != "files" {
		t.Fatalf("job = %v", job)
	}
	var run map[string]any
	f.mustJSON(&run, "job", "run", "site", "--wait")
	if run["status"] != "succeeded" || !strings.HasPrefix(run["archive"].(string), "site@") || run["files"].(float64) != 120 {
		t.Fatalf("run = %v", run)
	}
	// The repository is the coordinator's: the agent did not list it again
	// over SSH, the coordinator confirmed the archive in its copy, and the
	// log's timeline says where the time went.
	runLog, _ := run["log"].(string)
	for _, want := range []string{"the coordinator confirms it in its copy", "verified       the archive is listed in the repository", "== timeline ==", "\nborg started ", "\nverified       "} {
		if !strings.Contains(runLog, want) {
			t.Errorf("the run's log lacks %q:\n%s", want, runLog)
		}
	}
	archive := run["archive"].(string)
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	if len(archives) != 1 || archives[0]["name"] != archive || archives[0]["job"] != "site" {
		t.Fatalf("archive list = %v", archives)
	}

	// Restore from the coordinator's copy and compare.
	uuid1 := f.uuid("web1")
	restore := t.TempDir()
	cmd := exec.Command("borg", "extract", filepath.Join(f.data, "repos", uuid1)+"::"+archive)
	cmd.Dir = restore
	pass, _ := os.ReadFile(filepath.Join(f.data, "keys", uuid1+".passphrase"))
	cmd.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("borg extract: %v\n%s", err, out)
	}
	compareTrees(t, src, filepath.Join(restore, strings.TrimPrefix(src, "/")))

	// The passphrase lives only in the coordinator's keys dir, never on the agent.
	filepath.WalkDir(filepath.Dir(web1), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, pass) {
				t.Errorf("the repository passphrase was written on the agent, in %s", p)
			}
		}
		return nil
	})

	// web2's key cannot reach web1's repository, even with its passphrase.
	var status map[string]any
	f.mustJSON(&status, "status")
	sshPort := sshPortFrom(t, web2)
	other := exec.Command("borg", "list", fmt.Sprintf("ssh://borgdesk@127.0.0.1:%d%s/%s", sshPort, filepath.Join(f.data, "repos"), uuid1))
	other.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir(),
		"BORG_RSH="+f.agentBin+" ssh --config "+web2, "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes")
	out, err := other.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not allowed") && !strings.Contains(string(out), "restrict") {
		t.Errorf("web2 listing web1's repository: err %v, output:\n%s\nwant a refusal", err, out)
	}

	// A client deletion through append-only mode: the prune is held and the
	// operator is told; nothing is made permanent.
	del := exec.Command("borg", "delete", fmt.Sprintf("ssh://borgdesk@127.0.0.1:%d%s/%s::%s", sshPort, filepath.Join(f.data, "repos"), uuid1, archive))
	del.Env = append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+t.TempDir(), "BORG_RSH="+f.agentBin+" ssh --config "+web1)
	if out, err := del.CombinedOutput(); err != nil {
		t.Fatalf("client delete through append-only: %v\n%s", err, out)
	}
	r := f.cli("job", "prune", "site")
	if r.code == 0 || !strings.Contains(r.stderr, "held") || !strings.Contains(r.stderr, archive) {
		t.Errorf("prune after a client deletion = %+v; want it held, naming %s", r, archive)
	}
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "20")
	found := false
	for _, ev := range evs {
		found = found || (ev["kind"] == "notification" && strings.Contains(ev["message"].(string), "append-only"))
	}
	if !found {
		t.Error("no notification warned the operator about the client deletion")
	}
	if out, err := f.borgLocal(uuid1, "check", filepath.Join(f.data, "repos", uuid1)); err != nil {
		t.Errorf("repository check after the held prune: %v\n%s", err, out)
	}
	_ = runtime.GOOS
}

// sshPortFrom reads the Borg SSH port from an agent's configuration.
func sshPortFrom(t *testing.T, cfg string) int {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "port: "); ok {
			var p int
			fmt.Sscanf(v, "%d", &p)
			return p
		}
	}
	t.Fatalf("no borg_ssh port in %s", cfg)
	return 0
}

func TestAgentKilledMidBackupIsRetried(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleetWith(t, "--retry-delay", "1s")
	cfg := f.enroll("web1")
	log := f.run(cfg)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 20)
	var job map[string]any
	// The pre hook holds the task long enough to kill the agent in the middle.
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "slow", "--paths", src, "--pre", "/bin/sleep 3")
	var run map[string]any
	f.mustJSON(&run, "job", "run", "slow")
	waitFor(t, 20*time.Second, "the backup to start", func() bool { return strings.Contains(log.String(), "type=backup") })
	f.kill(cfg)
	f.run(cfg) // the agent comes back; its heartbeat no longer lists the task
	waitFor(t, 60*time.Second, "a retried run to leave an archive", func() bool {
		var archives []map[string]any
		f.mustJSON(&archives, "archive", "list", "web1")
		return len(archives) == 1 && archives[0]["job"] == "slow"
	})
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "50")
	interrupted := false
	for _, ev := range evs {
		interrupted = interrupted || strings.Contains(ev["message"].(string), "interrupted")
	}
	if !interrupted {
		t.Error("no event says the first run was interrupted")
	}
}

// kill SIGKILLs the agent running cfg, as a crash or an OOM kill would.
func (f *fleet) kill(cfg string) {
	cmd := f.agents[cfg]
	cmd.Process.Kill()
	cmd.Wait()
}

func TestCoordinatorRestartMidBackup(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	gw, ssh := freePort(t), freePort(t)
	f := startFleetWith(t, "--retry-delay", "1s", "--listen", fmt.Sprintf("127.0.0.1:%d", gw), "--ssh-listen", fmt.Sprintf("127.0.0.1:%d", ssh))
	cfg := f.enroll("web1")
	log := f.run(cfg)
	src := filepath.Join(t.TempDir(), "srv")
	generateTree(t, src, 30)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "steady", "--paths", src, "--pre", "/bin/sleep 3")
	var run map[string]any
	f.mustJSON(&run, "job", "run", "steady")
	waitFor(t, 20*time.Second, "the backup to start", func() bool { return strings.Contains(log.String(), "type=backup") })
	f.restartServe()
	waitFor(t, 90*time.Second, "the backup to finish after the restart", func() bool {
		var archives []map[string]any
		f.mustJSON(&archives, "archive", "list", "web1")
		return len(archives) >= 1
	})
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	if len(archives) != 1 {
		t.Errorf("archives after a restart mid-backup = %v; want exactly one", archives)
	}
}

func TestCancelARunningBackup(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleet(t)
	cfg := f.enroll("web1")
	log := f.run(cfg)
	src := filepath.Join(t.TempDir(), "big")
	os.MkdirAll(src, 0o755)
	for i := 0; i < 300; i++ { // 300 MiB of random data: several seconds of borg
		buf := make([]byte, 1<<20)
		rand.Read(buf)
		os.WriteFile(filepath.Join(src, fmt.Sprintf("b%03d", i)), buf, 0o644)
	}
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "big", "--paths", src, "--compression", "none")
	var run map[string]any
	f.mustJSON(&run, "job", "run", "big")
	id := fmt.Sprint(int(run["id"].(float64)))
	waitFor(t, 30*time.Second, "the backup to start", func() bool { return strings.Contains(log.String(), "type=backup") })
	time.Sleep(1500 * time.Millisecond) // borg is reading
	var cancelled map[string]any
	f.mustJSON(&cancelled, "job", "cancel", id)
	if cancelled["status"] != "cancelled" {
		t.Fatalf("cancel = %v", cancelled)
	}
	waitFor(t, 30*time.Second, "the agent to stop the backup", func() bool { return strings.Contains(log.String(), "task cancelled by the operator") })
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "web1")
	for _, a := range archives {
		if a["job"] == "big" && !strings.HasSuffix(a["name"].(string), ".checkpoint") {
			t.Errorf("a cancelled backup left a complete archive %v", a["name"])
		}
	}
	// The repository is free again: the next run goes through.
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "tiny", "--paths", filepath.Join(src, "b000"))
	f.mustJSON(&run, "job", "run", "tiny", "--wait")
	if run["status"] != "succeeded" {
		t.Errorf("run after a cancel = %v", run)
	}
}

func TestCutBackupResumesFromCheckpoint(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	f := startFleetWith(t, "--retry-delay", "1s")
	cfg := f.enroll("web1")
	log := f.run(cfg)
	src := filepath.Join(t.TempDir(), "big")
	os.MkdirAll(src, 0o755)
	const files = 300 // 300 MiB of random data
	for i := 0; i < files; i++ {
		buf := make([]byte, 1<<20)
		rand.Read(buf)
		os.WriteFile(filepath.Join(src, fmt.Sprintf("b%03d", i)), buf, 0o644)
	}
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "web1", "--name", "big", "--paths", src, "--compression", "none", "--checkpoint-interval", "1")
	var run map[string]any
	f.mustJSON(&run, "job", "run", "big")
	waitFor(t, 30*time.Second, "the backup to start", func() bool { return strings.Contains(log.String(), "type=backup") })
	uuid := f.uuid("web1")
	// Let borg write a third of the data (a checkpoint commits every
	// second), then cut its connection: the coordinator's borg serve for
	// this repository dies, as on a network cut.
	waitFor(t, 90*time.Second, "borg to write 100 MiB", func() bool { return dirSize(filepath.Join(f.data, "repos", uuid, "data")) > 100<<20 })
	time.Sleep(1500 * time.Millisecond) // a checkpoint after that
	if out, err := exec.Command("pkill", "-f", "borg serve --restrict-to-repository "+filepath.Join(f.data, "repos", uuid)).CombinedOutput(); err != nil {
		t.Fatalf("cut the connection: %v %s", err, out)
	}
	var done map[string]any
	waitFor(t, 120*time.Second, "the retried run to succeed", func() bool {
		var archives []map[string]any
		f.mustJSON(&archives, "archive", "list", "web1")
		for _, a := range archives {
			if a["job"] == "big" && !strings.HasSuffix(a["name"].(string), ".checkpoint") {
				done = a
				return true
			}
		}
		return false
	})
	// The retry found the checkpointed data already in the repository.
	var evs []map[string]any
	f.mustJSON(&evs, "events", "--limit", "50")
	cut := false
	for _, ev := range evs {
		m := ev["message"].(string)
		cut = cut || (strings.Contains(m, "failed") && strings.Contains(strings.ToLower(m), "connection"))
	}
	if !cut {
		t.Error("no event shows the first run failing on the cut connection")
	}
	out, err := f.borgLocal(uuid, "info", "--json", filepath.Join(f.data, "repos", uuid)+"::"+done["name"].(string))
	if err != nil {
		t.Fatalf("borg info: %v\n%s", err, out)
	}
	var info struct {
		Archives []struct {
			Stats struct {
				Original     int64 `json:"original_size"`
				Deduplicated int64 `json:"deduplicated_size"`
			} `json:"stats"`
		} `json:"archives"`
	}
	json.Unmarshal([]byte(out), &info)
	if len(info.Archives) != 1 {
		t.Fatalf("borg info: %s", out)
	}
	st := info.Archives[0].Stats
	if st.Original < files<<20 || st.Deduplicated > st.Original*4/5 {
		t.Logf("runs: %v", f.runsOf("big"))
		t.Errorf("final archive: %d bytes, %d of them new; want the checkpoint's data reused (less than 80%% new)", st.Original, st.Deduplicated)
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
