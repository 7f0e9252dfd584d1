//go:build linux

package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/rollout/testhost"
	"borgdesk/backend/shared/testenv"
)

// rolloutFleet is a coordinator reachable from test hosts in network
// namespaces, carrying the agent build it rolls out.
func rolloutFleet(t *testing.T, n *testhost.Network) *fleet {
	t.Helper()
	f := startFleetWith(t, "--listen", n.GatewayIP+":0")
	dist := filepath.Join(filepath.Dir(f.agentBin), "dist")
	raw, err := os.ReadFile(f.agentBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "borgdesk-agent-linux-amd64"), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// cliIn runs the CLI with stdin.
func (f *fleet) cliIn(stdin string, args ...string) result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, borgdeskBinary(f.t), append([]string{"--data", f.data}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		f.t.Fatal(err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// watchCmdlines samples every process's arguments and environment until
// stop is called, and reports any that contain secret.
func watchCmdlines(secret string) (stop func() []string) {
	all := recordCmdlines()
	return func() []string {
		var hits []string
		for _, c := range all() {
			if strings.Contains(c, secret) {
				hits = append(hits, c)
			}
		}
		return hits
	}
}

// recordCmdlines samples every process's arguments and environment until
// stop is called, and returns each distinct one ("/proc/PID/cmdline: …").
func recordCmdlines() (stop func() []string) {
	seen := map[string]bool{}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			dirs, _ := filepath.Glob("/proc/[0-9]*")
			for _, d := range dirs {
				for _, f := range []string{"cmdline", "environ"} {
					if raw, err := os.ReadFile(filepath.Join(d, f)); err == nil {
						seen[d+"/"+f+": "+strings.ReplaceAll(string(raw), "\x00", " ")] = true
					}
				}
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(done)
		<-finished
		var all []string
		for c := range seen {
			all = append(all, c)
		}
		return all
	}
}

// grepTree lists the files under dir that contain secret.
func grepTree(dir, secret string) []string {
	var found []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if raw, err := os.ReadFile(p); err == nil && bytes.Contains(raw, []byte(secret)) {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// agentFilesOn reports which of the agent's files exist on a host.
func agentFilesOn(h *testhost.Host) []string {
	var out []string
	for _, p := range []string{"/usr/local/bin/borgdesk-agent", "/etc/borgdesk-agent/config.yaml", "/etc/systemd/system/borgdesk-agent.service"} {
		if _, err := os.Stat(filepath.Join(h.Root, p)); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// The "done when": a password used once enrolls a real sshd host,
// which then reports; the password is nowhere afterwards. A wrong
// fingerprint stops before any password is sent.
func TestRolloutWithPasswordUsedOnce(t *testing.T) {
	n := testhost.NewNetwork(t)
	hosts := n.AddHosts(t, 2, testhost.Options{})
	h, other := hosts[0], hosts[1]
	f := rolloutFleet(t, n)
	fp := h.HostKeyFingerprint(t)

	// No confirmed key: nothing but the SSH hello reaches the host.
	r := f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin")
	if r.code == 0 || !strings.Contains(r.stderr, fp) || !strings.Contains(r.stderr, "--accept-host-key") {
		t.Fatalf("without a confirmed key: %+v; want a refusal showing %s", r, fp)
	}
	// A wrong fingerprint: refused, and sshd saw no login attempt.
	r = f.cliIn(other.RootPassword+"\n", "server", "add", "--host", other.IP, "--user", "root", "--password-stdin", "--accept-host-key", fp)
	if r.code == 0 || !strings.Contains(r.stderr, "not a fingerprint you accepted") {
		t.Fatalf("wrong fingerprint: %+v", r)
	}
	if log := other.SSHDLog(); strings.Contains(log, "password") || strings.Contains(log, "Accepted") {
		t.Errorf("a login was attempted on the host whose key was not confirmed:\n%s", log)
	}

	stop := watchCmdlines(h.RootPassword)
	r = f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin", "--accept-host-key", fp, "--name", "web1")
	leaks := stop()
	if r.code != 0 {
		t.Fatalf("server add: %+v\nsshd:\n%s", r, h.SSHDLog())
	}
	for _, step := range []string{"verified", "uploading", "enrolled as web1", "restart loop", "done: enrolled as web1 and reporting"} {
		if !strings.Contains(r.stdout, step) {
			t.Errorf("progress lacks %q:\n%s", step, r.stdout)
		}
	}
	var sv map[string]any
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["online"] != true {
		t.Errorf("web1 after the rollout: %v", sv)
	}
	if len(leaks) > 0 {
		t.Errorf("the password appeared in process arguments or environments:\n%s", strings.Join(leaks, "\n"))
	}
	if files := grepTree(f.data, h.RootPassword); len(files) > 0 {
		t.Errorf("the password is in the data dir: %v", files)
	}
	if files := grepTree(filepath.Join(h.Root, "etc", "borgdesk-agent"), h.RootPassword); len(files) > 0 {
		t.Errorf("the password is in the agent's files on the host: %v", files)
	}
	if strings.Contains(f.log.String(), h.RootPassword) {
		t.Error("the password is in the coordinator's log")
	}
	evs := f.cli("events", "--limit", "200", "--json")
	if strings.Contains(evs.stdout, h.RootPassword) {
		t.Error("the password is in the events")
	}
	if files := agentFilesOn(h); len(files) != 2 {
		t.Errorf("agent files on the host: %v", files)
	}

	// Again on the installed host: it keeps its identity.
	uuid := sv["uuid"]
	r = f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin", "--name", "web1")
	if r.code != 0 || !strings.Contains(r.stdout, "already enrolled as web1") {
		t.Fatalf("re-run on an installed host: %+v", r)
	}
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["uuid"] != uuid || sv["online"] != true {
		t.Errorf("after the re-run: %v (uuid was %v)", sv, uuid)
	}

	// Uninstall removes everything and revokes the server.
	r = f.cliIn(h.RootPassword+"\n", "server", "uninstall", "web1", "--host", h.IP, "--user", "root", "--password-stdin")
	if r.code != 0 {
		t.Fatalf("uninstall: %+v", r)
	}
	if files := agentFilesOn(h); len(files) != 0 {
		t.Errorf("left on the host after uninstall: %v", files)
	}
	if _, err := os.Stat(filepath.Join(h.Root, "etc", "borgdesk-agent")); err == nil {
		t.Error("/etc/borgdesk-agent is still there")
	}
	f.mustJSON(&sv, "server", "show", "web1")
	if sv["status"] != "revoked" {
		t.Errorf("web1 after uninstall: %v", sv)
	}

	// A changed host key stops the next rollout with OpenSSH's warning.
	h.RegenerateHostKeys(t)
	r = f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin", "--name", "web1")
	if r.code == 0 || !strings.Contains(r.stderr, "WARNING: the host key changed") {
		t.Fatalf("changed host key: %+v", r)
	}
}

// Each bad input ends in one sentence on its host's row, and leaves the host
// as it was; the other hosts of the same rollout finish.
func TestRolloutBadInputs(t *testing.T) {
	n := testhost.NewNetwork(t)
	hosts := n.AddHosts(t, 5, testhost.Options{})
	full := n.AddHost(t, testhost.Options{DiskLimit: "24m"})
	f := rolloutFleet(t, n)
	good, badPW, noSudo, sudoUser, alien := hosts[0], hosts[1], hosts[2], hosts[3], hosts[4]
	// An unsupported system: another distribution's os-release.
	if out, err := alien.Exec(context.Background(), "sh", "-c", "rm -f /etc/os-release; printf 'ID=alpine\\nPRETTY_NAME=\"Alpine Linux v3.20\"\\n' > /etc/os-release"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	// The full disk: fill it so the agent cannot fit.
	full.Exec(context.Background(), "sh", "-c", "dd if=/dev/zero of=/usr/filler bs=1M count=20 2>/dev/null; true")

	all := append(append([]*testhost.Host{}, hosts...), full)
	var accept []string
	for _, h := range all {
		accept = append(accept, h.HostKeyFingerprint(t))
	}
	// One shared password (the root password of good); badPW's root password
	// differs; noSudo logs in but may not sudo; sudoUser is a sudo user whose
	// password differs from good's, so it is named with its own CSV line and
	// run separately below.
	// An address on the test network that no host has: unreachable, and
	// no packet leaves the machine.
	nobody := strings.TrimSuffix(n.GatewayIP, ".1") + ".250"
	csv := fmt.Sprintf("host,port,user,name\n%s,22,root,good\n%s,22,root,badpw\n%s,22,%s,nosudo\n%s,22,root,alien\n%s,22,root,full\n%s,22,root,unreachable\n",
		good.IP, badPW.IP, noSudo.IP, noSudo.PlainUser, alien.IP, full.IP, nobody)
	list := filepath.Join(t.TempDir(), "hosts.csv")
	os.WriteFile(list, []byte(csv), 0o600)
	// The hosts share good's root password for this test.
	for _, h := range []*testhost.Host{alien, full} {
		h.SetPassword(t, "root", good.RootPassword)
	}
	noSudo.SetPassword(t, noSudo.PlainUser, good.RootPassword)
	r := f.cliIn(good.RootPassword+"\n", "server", "add", "--hosts-file", list, "--password-stdin", "--accept-host-key", strings.Join(accept, ","), "--concurrency", "6", "--json")
	if r.code == 0 {
		t.Fatalf("a rollout with failing hosts exited 0: %+v", r)
	}
	if !strings.Contains(r.stderr, nobody+": ") || !(strings.Contains(r.stderr, "did not answer") || strings.Contains(r.stderr, "cannot reach")) {
		t.Errorf("the unreachable host is not reported: %s", r.stderr)
	}
	var ro struct {
		Hosts []struct{ Name, Status, Message string }
	}
	jsonInto(t, r.stdout, &ro)
	want := map[string]string{
		"good":   "enrolled as good and reporting",
		"badpw":  "refused the password for root",
		"nosudo": "may not use sudo",
		"alien":  "Alpine Linux v3.20; supported are",
		"full":   "no space left on",
	}
	got := map[string]string{}
	for _, h := range ro.Hosts {
		got[h.Name] = h.Status + ": " + h.Message
	}
	for name, msg := range want {
		if !strings.Contains(got[name], msg) {
			t.Errorf("%s: %q, want it to say %q", name, got[name], msg)
		}
	}
	for _, h := range []*testhost.Host{badPW, noSudo, alien, full} {
		if files := agentFilesOn(h); len(files) != 0 {
			t.Errorf("%s: a failed rollout left %v", h.IP, files)
		}
	}

	// A sudo user: the password goes to sudo on stdin.
	r = f.cliIn(sudoUser.SudoPassword+"\n", "server", "add", "--host", sudoUser.IP, "--user", sudoUser.SudoUser, "--password-stdin", "--accept-host-key", sudoUser.HostKeyFingerprint(t), "--name", "sudo-host")
	if r.code != 0 {
		t.Fatalf("sudo user: %+v", r)
	}
	// A key login whose sudo wants a password that was not given.
	// (The key is not authorized: the server refuses it with a sentence.)
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	r = f.cliIn("", "server", "add", "--host", badPW.IP, "--user", "root", "--key", key, "--name", "keyed")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "refused the key for root") {
		t.Errorf("an unauthorized key: %+v", r)
	}
	pub, _ := os.ReadFile(key + ".pub")
	sudoUser.AuthorizeKey(t, sudoUser.SudoUser, string(pub))
	r = f.cliIn("", "server", "add", "--host", sudoUser.IP, "--user", sudoUser.SudoUser, "--key", key, "--name", "sudo-host")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "sudo on "+sudoUser.IP+" wants") {
		t.Errorf("sudo without its password: %+v", r)
	}
}

// A connection cut in the middle of the upload leaves no agent behind.
func TestRolloutConnectionResetMidUpload(t *testing.T) {
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	f := rolloutFleet(t, n)
	// A TCP relay that cuts the connection after 3 MB from the client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", net.JoinHostPort(h.IP, "22"))
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(c, up)
				io.CopyN(up, c, 3<<20)
			}()
		}
	}()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	r := f.cliIn(h.RootPassword+"\n", "server", "add", "--host", "127.0.0.1", "--port", port, "--user", "root", "--password-stdin",
		"--accept-host-key", h.HostKeyFingerprint(t), "--name", "cut")
	if r.code == 0 || !strings.Contains(r.stdout, "FAILED") {
		t.Fatalf("a cut upload: %+v", r)
	}
	if files := agentFilesOn(h); len(files) != 0 {
		t.Errorf("the cut upload left %v", files)
	}
	matches, _ := filepath.Glob(filepath.Join(h.Root, "usr/local/bin/.borgdesk-agent.new-*"))
	t.Logf("temporary files left by the cut connection (removed by the next run): %v", matches)
}

// The one-line command from `token create`, run as root on a host, enrolls
// it. The link is good for one fetch: the script it served carries another
// secret, which no process's arguments or environment and no file on the
// host ever show; the same line run again says the link was used.
func TestOneLineInstall(t *testing.T) {
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	f := rolloutFleet(t, n)
	var tok map[string]any
	f.mustJSON(&tok, "token", "create", "--name", "oneliner")
	cmd := tok["install_command"].(string)
	if !strings.Contains(cmd, "--pinnedpubkey") || !strings.HasSuffix(cmd, "| sudo sh") {
		t.Fatalf("install command: %s", cmd)
	}
	if enroll := tok["enroll_command"].(string); strings.Contains(enroll, tok["token"].(string)) || !strings.HasSuffix(enroll, "--token-file -") {
		t.Errorf("enroll command: %s; want --token-file - and no token", enroll)
	}
	// tee keeps a copy of the served script (outside the dirs checked below).
	const served = "/tmp/served-install.sh"
	cmdlines := recordCmdlines()
	out, err := h.Exec(context.Background(), "sh", "-c", strings.Replace(cmd, "| sudo sh", "| tee "+served+" | sudo sh", 1))
	seen := cmdlines()
	if err != nil {
		t.Fatalf("the one-line install: %v\n%s", err, out)
	}
	waitFor(t, 60*time.Second, "the one-line install's agent to report", func() bool {
		var sv map[string]any
		f.mustJSON(&sv, "server", "show", "oneliner")
		return sv["online"] == true
	})
	script, err := os.ReadFile(filepath.Join(h.Root, served))
	if err != nil {
		t.Fatal(err)
	}
	secret := installSecret(t, string(script))
	if secret == tok["token"] || strings.Contains(string(script), tok["token"].(string)) {
		t.Errorf("the served script carries the link's token")
	}
	for _, c := range seen {
		if strings.Contains(c, secret) {
			t.Errorf("the enrollment secret is in a process's arguments or environment: %s", c)
		}
	}
	for _, dir := range []string{"etc", "usr/local", "var", "root", "run", "home"} {
		if files := grepTree(filepath.Join(h.Root, dir), secret); len(files) > 0 {
			t.Errorf("the enrollment secret is in %v", files)
		}
	}
	// The link is spent: the same line now only says so.
	out, err = h.Exec(context.Background(), "sh", "-c", cmd)
	if err == nil || !strings.Contains(out, "this install link was already used: create a new one with borgdesk token create") {
		t.Errorf("the same line again: %v %s", err, out)
	}
}

// installSecret is the enrollment secret a served install script carries.
func installSecret(t *testing.T, script string) string {
	t.Helper()
	for _, l := range strings.Split(script, "\n") {
		if s, ok := strings.CutPrefix(l, "X-Borgdesk-Install-Secret: "); ok && s != "" {
			return s
		}
	}
	t.Fatalf("no enrollment secret in the served script:\n%s", script)
	return ""
}

func jsonInto(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}

// TestRolloutTimings is `make bench`'s rollout figure: the wall time of
// `server add` to 1, 10 and 20 namespace hosts in parallel (concurrency 20),
// from the first SSH hello to every agent's first heartbeat.
func TestRolloutTimings(t *testing.T) {
	if os.Getenv("BORGDESK_BENCH_ROLLOUT") == "" {
		t.Skip("a benchmark: make bench runs it (BORGDESK_BENCH_ROLLOUT=1)")
	}
	n := testhost.NewNetwork(t)
	f := rolloutFleet(t, n)
	start := time.Now()
	hosts := n.AddHosts(t, 31, testhost.Options{})
	t.Logf("31 test hosts made in %.1f s", time.Since(start).Seconds())
	next := 0
	for _, count := range []int{1, 10, 20} {
		batch := hosts[next : next+count]
		next += count
		var csv strings.Builder
		var accept []string
		for i, h := range batch {
			fmt.Fprintf(&csv, "%s,22,root,b%d-%d\n", h.IP, count, i)
			h.SetPassword(t, "root", "bench-pass")
			accept = append(accept, h.HostKeyFingerprint(t))
		}
		list := filepath.Join(t.TempDir(), "hosts.csv")
		os.WriteFile(list, []byte(csv.String()), 0o600)
		start := time.Now()
		r := f.cliIn("bench-pass\n", "server", "add", "--hosts-file", list, "--password-stdin", "--accept-host-key", strings.Join(accept, ","), "--concurrency", "20")
		d := time.Since(start)
		if r.code != 0 {
			t.Fatalf("%d hosts: %+v", count, r)
		}
		fmt.Printf("rollout to %2d hosts in parallel: %6.2f s (%.2f s per host)\n", count, d.Seconds(), d.Seconds()/float64(count))
	}
}

// A host without borg gets it from its package manager (apt-get here, from
// the package file make deps fetched: test hosts have no network).
func TestRolloutInstallsBorgWithApt(t *testing.T) {
	debs, _ := filepath.Glob("/var/cache/borgdesk-test/borgbackup_*.deb")
	if len(debs) == 0 {
		testenv.Missing(t, "no borgbackup package file in /var/cache/borgdesk-test")
	}
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	f := rolloutFleet(t, n)
	ctx := context.Background()
	if out, err := h.Exec(ctx, "dpkg", "--remove", "--force-depends", "borgbackup"); err != nil {
		t.Fatalf("remove borg from the host: %v %s", err, out)
	}
	if out, err := h.Exec(ctx, "sh", "-c", "command -v borg"); err == nil {
		t.Fatalf("borg is still there: %s", out)
	}
	raw, err := os.ReadFile(debs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.Root, "var/cache/apt/archives", filepath.Base(debs[0])), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin", "--accept-host-key", h.HostKeyFingerprint(t), "--name", "noborg")
	if r.code != 0 {
		t.Fatalf("rollout to a host without borg: %+v", r)
	}
	for _, want := range []string{"installing borgbackup with apt-get", "installed borg 1.", "done: enrolled as noborg"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("progress lacks %q:\n%s", want, r.stdout)
		}
	}
	if out, err := h.Exec(ctx, "borg", "--version"); err != nil {
		t.Errorf("borg on the host after the rollout: %v %s", err, out)
	}
}

// A passphrase-protected key logs in (the passphrase from stdin); a wrong
// passphrase and an unsupported architecture each end in one sentence.
func TestRolloutWithAnEncryptedKey(t *testing.T) {
	n := testhost.NewNetwork(t)
	hosts := n.AddHosts(t, 2, testhost.Options{})
	h, riscv := hosts[0], hosts[1]
	f := rolloutFleet(t, n)
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "key-secret", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	pub, _ := os.ReadFile(key + ".pub")
	for _, host := range hosts {
		host.AuthorizeKey(t, "root", string(pub))
	}
	r := f.cliIn("wrong-secret\n", "server", "add", "--host", h.IP, "--user", "root", "--key", key, "--key-passphrase-stdin", "--accept-host-key", h.HostKeyFingerprint(t), "--name", "keyed")
	if r.code == 0 || !strings.Contains(r.stdout, "the key passphrase is wrong") {
		t.Errorf("wrong key passphrase: %+v", r)
	}
	// The key was refused before connecting, so the host key is not pinned yet.
	r = f.cliIn("key-secret\n", "server", "add", "--host", h.IP, "--user", "root", "--key", key, "--key-passphrase-stdin", "--accept-host-key", h.HostKeyFingerprint(t), "--name", "keyed")
	if r.code != 0 || !strings.Contains(r.stdout, "done: enrolled as keyed") {
		t.Fatalf("encrypted key: %+v", r)
	}
	// A host whose uname -m says riscv64 (a stand-in earlier in root's PATH).
	os.WriteFile(filepath.Join(riscv.Root, "usr/local/bin/uname"), []byte("#!/bin/sh\necho riscv64\n"), 0o755)
	r = f.cliIn("key-secret\n", "server", "add", "--host", riscv.IP, "--user", "root", "--key", key, "--key-passphrase-stdin", "--accept-host-key", riscv.HostKeyFingerprint(t), "--name", "riscv")
	if r.code == 0 || !strings.Contains(r.stdout, "runs on riscv64; the agent is built for x86_64 and aarch64 only") {
		t.Errorf("unsupported architecture: %+v", r)
	}
	if files := agentFilesOn(riscv); len(files) != 0 {
		t.Errorf("left on the riscv host: %v", files)
	}
}

// A snapshot made here is compared with, dry-run, restored on and taken
// back from a real server (a test host with its own root, its agent rolled
// out over SSH); the rollback point is on the server.
func TestFlxOnAServer(t *testing.T) {
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	f := rolloutFleet(t, n)
	if r := f.cliIn(h.RootPassword+"\n", "server", "add", "--host", h.IP, "--user", "root", "--password-stdin", "--accept-host-key", h.HostKeyFingerprint(t), "--name", "pbx1"); r.code != 0 {
		t.Fatalf("rollout: %+v", r)
	}
	src, out := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(src, "etc/pbx"), 0o755)
	os.WriteFile(filepath.Join(src, "etc/pbx/pbx.conf"), []byte("context=default\npassword=local-secret\n"), 0o640)
	os.WriteFile(filepath.Join(src, "etc/pbx/ext.conf"), []byte("exten => 100,1,Answer()\n"), 0o644)
	// The server already has an older pbx.conf.
	os.MkdirAll(filepath.Join(h.Root, "etc/pbx"), 0o755)
	os.WriteFile(filepath.Join(h.Root, "etc/pbx/pbx.conf"), []byte("context=old\n"), 0o640)
	r := f.cli("flx", "create", "--root", src, "-o", out, "--prefix", "pbx", "etc")
	if r.code != 0 {
		t.Fatalf("flx create: %+v", r)
	}
	snap := strings.TrimSpace(r.stdout)

	r = f.cli("flx", "diff", snap, "--server", "pbx1")
	if r.code != 0 || !strings.Contains(r.stdout, "changed            etc/pbx/pbx.conf") || !strings.Contains(r.stdout, "only in snapshot   etc/pbx/ext.conf") {
		t.Fatalf("flx diff --server: %+v", r)
	}
	r = f.cli("flx", "restore", snap, "--server", "pbx1", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "dry run on pbx1: 1 created, 1 overwritten") {
		t.Fatalf("dry run: %+v", r)
	}
	if b, _ := os.ReadFile(filepath.Join(h.Root, "etc/pbx/pbx.conf")); string(b) != "context=old\n" {
		t.Fatalf("the dry run wrote: %q", b)
	}
	r = f.cli("flx", "restore", snap, "--server", "pbx1", "-m", "merge", "-y")
	if r.code != 0 || !strings.Contains(r.stdout, "restored on pbx1: 1 created, 1 overwritten") || !strings.Contains(r.stdout, "rollback point on the server: /var/backups/borgdesk-flx/rollback-") {
		t.Fatalf("restore: %+v", r)
	}
	if b, _ := os.ReadFile(filepath.Join(h.Root, "etc/pbx/pbx.conf")); string(b) != "context=default\npassword=REDACTED\n" {
		t.Errorf("restored pbx.conf on the server: %q", b)
	}
	rollback := strings.TrimSpace(r.stdout[strings.Index(r.stdout, "/var/backups/"):])
	rollback = rollback[:strings.IndexByte(rollback, ' ')]
	if _, err := os.Stat(filepath.Join(h.Root, rollback)); err != nil {
		t.Errorf("no rollback point on the server: %v", err)
	}
	// The rollback, on the server, puts the old file back and removes ext.conf.
	if out, err := h.Exec(context.Background(), "/usr/local/bin/borgdesk-agent", "flx", "restore", "--rollback", "-y", rollback); err != nil {
		t.Fatalf("rollback on the server: %v %s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(h.Root, "etc/pbx/pbx.conf")); string(b) != "context=old\n" {
		t.Errorf("after the rollback: %q", b)
	}
	if _, err := os.Stat(filepath.Join(h.Root, "etc/pbx/ext.conf")); err == nil {
		t.Error("the rollback left ext.conf")
	}
	// And a snapshot made on the server comes back, sanitized, verified.
	os.WriteFile(filepath.Join(h.Root, "etc/pbx/sip.conf"), []byte("[100]\nsecret=server-secret\n"), 0o600)
	r = f.cli("flx", "create", "--server", "pbx1", "etc/pbx")
	if r.code != 0 {
		t.Fatalf("flx create --server: %+v", r)
	}
	stored := strings.TrimSpace(r.stdout[strings.LastIndex(strings.TrimSpace(r.stdout), "\n")+1:])
	if !strings.HasPrefix(stored, filepath.Join(f.data, "flx", "servers")) {
		t.Fatalf("stored at %q", stored)
	}
	r = f.cli("flx", "inspect", stored)
	if r.code != 0 || !strings.Contains(r.stdout, "etc/pbx/sip.conf") || !strings.Contains(r.stdout, "secret setting") || strings.Contains(r.stdout, "server-secret") {
		t.Errorf("the server's snapshot: %+v", r)
	}
}

// A password login whose sudo asks for no password (NOPASSWD, as on many
// cloud images): the rollout succeeds, fresh and again, with and without
// systemd, and the password reaches nothing on the host, the coordinator's
// data dir, its log or its events.
func TestRolloutWithNopasswdSudo(t *testing.T) {
	n := testhost.NewNetwork(t)
	hosts := n.AddHosts(t, 2, testhost.Options{})
	f := rolloutFleet(t, n)
	password := "nopasswd-" + randomHex(t, 12) + "-secret"
	hosts[1].FakeSystemd(t)
	for _, h := range hosts {
		h.SudoWithoutPassword(t, h.SudoUser)
		h.SetPassword(t, h.SudoUser, password)
	}
	stop := watchCmdlines(password)
	for i, c := range []struct{ name, started string }{{"nopw-plain", "restart loop"}, {"nopw-systemd", "systemd unit"}} {
		h := hosts[i]
		args := []string{"server", "add", "--host", h.IP, "--user", h.SudoUser, "--password-stdin", "--name", c.name}
		r := f.cliIn(password+"\n", append(args, "--accept-host-key", h.HostKeyFingerprint(t))...)
		if r.code != 0 || !strings.Contains(r.stdout, c.started) {
			t.Fatalf("%s: server add: %+v; want it done, started with a %s\nsshd:\n%s", c.name, r, c.started, h.SSHDLog())
		}
		r = f.cliIn(password+"\n", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "already enrolled as "+c.name) {
			t.Fatalf("%s: re-run: %+v", c.name, r)
		}
		var sv map[string]any
		f.mustJSON(&sv, "server", "show", c.name)
		if sv["online"] != true {
			t.Errorf("%s after the re-run: %v", c.name, sv)
		}
	}
	if leaks := stop(); len(leaks) > 0 {
		t.Errorf("the password appeared in process arguments or environments:\n%s", strings.Join(leaks, "\n"))
	}
	unit, err := os.ReadFile(filepath.Join(hosts[1].Root, "etc/systemd/system/borgdesk-agent.service"))
	if err != nil || !strings.HasPrefix(string(unit), "[Unit]\n") {
		t.Errorf("the unit file: %v, starts with %q", err, strings.SplitN(string(unit), "\n", 2)[0])
	}
	for _, h := range hosts {
		for _, dir := range []string{"etc", "usr/local", "var", "tmp", "run", "root", "home"} {
			if files := grepTree(filepath.Join(h.Root, dir), password); len(files) > 0 {
				t.Errorf("%s: the password is in %v", h.Name, files)
			}
		}
	}
	if files := grepTree(f.data, password); len(files) > 0 {
		t.Errorf("the password is in the data dir: %v", files)
	}
	if strings.Contains(f.log.String(), password) {
		t.Error("the password is in the coordinator's log")
	}
	if evs := f.cli("events", "--limit", "200", "--json"); strings.Contains(evs.stdout, password) {
		t.Error("the password is in the events")
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
