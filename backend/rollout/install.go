package rollout

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/shellquote"
)

// Where the agent lives on a server.
const (
	AgentPath  = "/usr/local/bin/borgdesk-agent"
	ConfigDir  = "/etc/borgdesk-agent"
	ConfigPath = ConfigDir + "/config.yaml"
	UnitPath   = "/etc/systemd/system/borgdesk-agent.service"
	PidFile    = "/run/borgdesk-agent.pid"
	LogFile    = "/var/log/borgdesk-agent.log"
)

// Coordinator is what a rollout needs from the coordinator.
type Coordinator interface {
	// Token makes a single-use enrollment token bound to name.
	Token(ctx context.Context, name string) (token, gatewayURL, caFingerprint string, err error)
	// Binary is the agent build for linux/arch: its path and SHA-256 (hex).
	Binary(arch string) (path, sha256hex string, err error)
	// Agent reports whether uuid is an enrolled, active agent, and its name.
	Agent(ctx context.Context, uuid string) (name string, active bool)
	// WaitHeartbeat waits for the named server's first heartbeat after
	// since and returns its UUID.
	WaitHeartbeat(ctx context.Context, name string, since time.Time) (string, error)
	// Discard removes a server the rollout enrolled but could not start.
	Discard(ctx context.Context, name string) error
	// Revoke revokes a server (uninstall).
	Revoke(ctx context.Context, ref string) error
}

// Credentials log in and answer sudo. Wipe zeroes them when the rollout
// ends; they are never written anywhere.
type Credentials struct {
	Password, Key, KeyPassphrase, SudoPassword []byte
}

// Wipe overwrites the secrets in memory.
func (c *Credentials) Wipe() {
	for _, b := range [][]byte{c.Password, c.Key, c.KeyPassphrase, c.SudoPassword} {
		clear(b)
	}
}

// Runner rolls the agent out to hosts.
type Runner struct {
	Known *KnownHosts
	Coord Coordinator
	// HeartbeatWait bounds the wait for the first heartbeat (90 s when zero).
	HeartbeatWait time.Duration
}

// hostError is a failure already phrased for the operator.
type hostError struct{ msg string }

func (e *hostError) Error() string { return e.msg }

func fail(format string, args ...any) error { return &hostError{fmt.Sprintf(format, args...)} }

// remote is a logged-in SSH connection.
type remote struct {
	client *ssh.Client
	target Target
	root   bool
	// sudo is the password for a sudo that asks for one; nil for root and
	// for a sudo that asks for none, which then never receives it.
	sudo []byte
}

func (t Target) String() string { return t.User + "@" + addr(t.Host, t.Port) }

// connect logs in after the host key is verified; no credential leaves
// before the key checks out.
func (r *Runner) connect(ctx context.Context, t Target, cred *Credentials, accept string, fp *string) (*ssh.Client, error) {
	var auth []ssh.AuthMethod
	switch {
	case len(cred.Key) > 0:
		var signer ssh.Signer
		var err error
		if len(cred.KeyPassphrase) > 0 {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(cred.Key, cred.KeyPassphrase)
		} else {
			signer, err = ssh.ParsePrivateKey(cred.Key)
		}
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, fail("the private key is encrypted: give its passphrase")
		case errors.Is(err, x509.IncorrectPasswordError):
			return nil, fail("the key passphrase is wrong")
		case err != nil:
			return nil, fail("the private key cannot be read: %v (give an OpenSSH or PEM private key)", err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	case len(cred.Password) > 0:
		pw := func() (string, error) { return string(cred.Password), nil }
		auth = append(auth, ssh.PasswordCallback(pw), ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			ans := make([]string, len(qs))
			for i := range qs {
				ans[i], _ = pw()
			}
			return ans, nil
		}))
	default:
		return nil, fail("give a password or a private key")
	}
	cfg := &ssh.ClientConfig{User: t.User, Auth: auth, HostKeyCallback: r.Known.Callback(accept, fp),
		HostKeyAlgorithms: hostKeyAlgorithms, Timeout: 15 * time.Second}
	address := addr(t.Host, t.Port)
	conn, err := dial(ctx, address, 15*time.Second)
	if err != nil {
		return nil, &hostError{err.Error()}
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, address, cfg)
	if err != nil {
		conn.Close()
		msg := err.Error()
		switch {
		case errors.Is(err, ErrHostKeyChanged), errors.Is(err, ErrUnknownHostKey):
			_, after, _ := strings.Cut(msg, ": ")
			_, after, _ = strings.Cut(after, ": ")
			return nil, &hostError{after}
		case strings.Contains(msg, "unable to authenticate") && len(cred.Key) > 0:
			return nil, fail("%s refused the key for %s: check that its public key is in ~%s/.ssh/authorized_keys", address, t.User, t.User)
		case strings.Contains(msg, "unable to authenticate"):
			return nil, fail("%s refused the password for %s", address, t.User)
		}
		return nil, fail("SSH to %s failed: %v", address, err)
	}
	conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

// run runs a shell script, as root when privileged: directly for root,
// through `sudo -n` where sudo asks for no password, else through sudo with
// the password answered by askpass (sudo.go). stdin is the script's input
// and reaches nothing else.
func (m *remote) run(ctx context.Context, script string, stdin []byte, privileged bool) (string, error) {
	switch {
	case !privileged || m.root:
		return m.runDirect(ctx, "sh -c "+shellquote.Quote(script), stdin)
	case m.sudo == nil:
		return m.runDirect(ctx, "sudo -n sh -c "+shellquote.Quote(script), stdin)
	}
	return m.runAskpass(ctx, script, stdin)
}

// runDirect runs cmd with stdin as its whole input.
func (m *remote) runDirect(ctx context.Context, cmd string, stdin []byte) (string, error) {
	s, err := m.client.NewSession()
	if err != nil {
		return "", fail("SSH session to %s: %v", m.target.Host, err)
	}
	defer s.Close()
	s.Stdin = bytes.NewReader(stdin)
	out := &lockedBuffer{}
	s.Stdout, s.Stderr = out, out // two goroutines copy them: one locked buffer
	err = runSession(ctx, s, cmd)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return strings.TrimSpace(out.String()), err
}

// runSession runs cmd in s; a cancelled ctx ends the remote command.
func runSession(ctx context.Context, s *ssh.Session, cmd string) error {
	done := make(chan error, 1)
	go func() { done <- s.Run(cmd) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		s.Signal(ssh.SIGTERM)
		s.Close()
		return ctx.Err()
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// facts is what the detect script reports.
type facts map[string]string

const detectScript = `uname_m=$(uname -m); echo "arch=$uname_m"
if [ -r /etc/os-release ]; then . /etc/os-release; echo "id=$ID"; echo "id_like=$ID_LIKE"; echo "pretty=$PRETTY_NAME"; fi
echo "uid=$(id -u)"
if command -v borg >/dev/null 2>&1; then echo "borg=$(borg --version 2>/dev/null)"; fi
if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=none; fi
if command -v sudo >/dev/null 2>&1; then echo sudo=yes; fi
for pm in apt-get dnf zypper; do if command -v $pm >/dev/null 2>&1; then echo "pm=$pm"; break; fi; done
echo "free_kb=$(df -Pk /usr/local/bin 2>/dev/null | awk 'NR==2{print $4}')"
`

// inspect runs the detect script as the login user.
func (m *remote) inspect(ctx context.Context) (facts, error) {
	out, err := m.run(ctx, detectScript, nil, false)
	if err != nil {
		return nil, fail("could not inspect %s: %v: %s", m.target.Host, err, lastLine(out))
	}
	f := parseFacts(out)
	if f["arch"] == "" {
		return nil, fail("could not inspect %s: %s", m.target.Host, lastLine(out))
	}
	return f, nil
}

func parseFacts(out string) facts {
	f := facts{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			f[k] = strings.Trim(v, `"`)
		}
	}
	return f
}

// goArch maps uname -m to the agent builds.
func goArch(m string) string {
	switch m {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return ""
}

func supportedOS(f facts) bool {
	for _, id := range strings.Fields(f["id"] + " " + f["id_like"]) {
		switch id {
		case "debian", "ubuntu", "rhel", "fedora", "centos", "rocky", "almalinux", "suse", "opensuse", "sles", "opensuse-leap":
			return true
		}
	}
	return false
}

// Install rolls the agent out to one host. report is called at every step.
// The host ends as it was or fully installed.
func (r *Runner) Install(ctx context.Context, t Target, cred *Credentials, accept string, report func(HostState)) HostState {
	if t.Port == 0 {
		t.Port = 22
	}
	if t.Name == "" {
		t.Name = t.Host
	}
	now := time.Now()
	st := HostState{Host: t.Host, Port: t.Port, User: t.User, Name: t.Name, Status: StatusRunning, StartedAt: &now}
	step := func(s, msg string) {
		st.Step, st.Message = s, msg
		report(st)
	}
	err := r.install(ctx, t, cred, accept, &st, step)
	end := time.Now()
	st.FinishedAt = &end
	if err != nil {
		st.Status, st.Message = StatusFailed, sentence(err)
		if ctx.Err() != nil {
			st.Message = "cancelled: " + st.Message
		}
	} else {
		st.Status, st.Step = StatusDone, StepDone
	}
	report(st)
	return st
}

func sentence(err error) string {
	var he *hostError
	if errors.As(err, &he) {
		return he.msg
	}
	return err.Error()
}

func (r *Runner) install(ctx context.Context, t Target, cred *Credentials, accept string, st *HostState, step func(string, string)) error {
	step(StepConnect, "connecting to "+addr(t.Host, t.Port))
	var fp string
	client, err := r.connect(ctx, t, cred, accept, &fp)
	st.Fingerprint = fp
	if err != nil {
		if fp != "" {
			st.Step = StepHostKey
		}
		return err
	}
	defer client.Close()
	step(StepHostKey, "host key "+fp+" verified; logged in as "+t.User)

	step(StepDetect, "checking the system")
	m := &remote{client: client, target: t}
	f, err := m.inspect(ctx)
	if err != nil {
		return err
	}
	arch := goArch(f["arch"])
	if arch == "" {
		return fail("%s runs on %s; the agent is built for x86_64 and aarch64 only", t.Host, f["arch"])
	}
	if !supportedOS(f) {
		name := f["pretty"]
		if name == "" {
			name = "an unknown system (no /etc/os-release)"
		}
		return fail("%s runs %s; supported are Debian, Ubuntu, RHEL and derivatives, Fedora and openSUSE", t.Host, name)
	}
	if err := r.becomeRoot(ctx, m, f, cred); err != nil {
		return err
	}
	binPath, binSum, err := r.Coord.Binary(arch)
	if err != nil {
		return fail("no agent build for linux/%s on the coordinator: %v", arch, err)
	}
	fi, err := os.Stat(binPath)
	if err != nil {
		return err
	}
	installed := m.agentConfigured(ctx)
	// Space for the new binary beside the old one, plus config and margin.
	need := fi.Size()/1024 + 8*1024
	if free, err := strconv.ParseInt(f["free_kb"], 10, 64); err == nil && free < need {
		return fail("no space left on %s: %d MiB free in /usr/local/bin, the agent needs %d MiB; free some space and run again", t.Host, free/1024, need/1024)
	}

	step(StepBorg, "")
	if v := f["borg"]; v != "" {
		step(StepBorg, v+" is installed")
	} else if err := r.installBorg(ctx, m, f, step); err != nil {
		return err
	}

	step(StepUpload, "")
	fresh := !installed
	undo := func() {
		if fresh {
			// Leave the host as it was: nothing of the agent stays.
			m.run(context.WithoutCancel(ctx), removeScript, nil, true)
		}
	}
	current, _ := m.run(ctx, "sha256sum "+AgentPath+" 2>/dev/null | cut -d' ' -f1", nil, true)
	if current == binSum {
		step(StepUpload, "the agent on "+t.Host+" is already this version")
	} else {
		if err := r.upload(ctx, m, binPath, binSum, step); err != nil {
			undo()
			return err
		}
	}

	step(StepEnroll, "")
	enrolled := false
	if installed {
		uuid, _ := m.run(ctx, `sed -n 's/^[[:space:]]*uuid:[[:space:]]*//p' `+ConfigPath+` | head -n1`, nil, true)
		if name, ok := r.Coord.Agent(ctx, strings.Trim(uuid, `"' `)); ok {
			t.Name, st.Name = name, name
			step(StepEnroll, "already enrolled as "+name+"; keeping its identity")
			enrolled = true
		}
	}
	if !enrolled {
		token, gw, caFP, err := r.Coord.Token(ctx, t.Name)
		if err != nil {
			undo()
			return fail("enrollment token for %s: %v", t.Name, err)
		}
		script := AgentPath + " enroll --config " + ConfigPath + " --server " + shellquote.Quote(gw) + " --name " + shellquote.Quote(t.Name) + " --ca-fingerprint " + shellquote.Quote(caFP) + " --token-file -"
		if installed {
			script += " --force"
		}
		tok := []byte(token)
		out, err := m.run(ctx, script, tok, true)
		clear(tok)
		if err != nil {
			undo()
			return fail("enrollment on %s failed: %s", t.Host, lastLine(out))
		}
		step(StepEnroll, "enrolled as "+t.Name)
	}

	started := time.Now()
	step(StepStart, "")
	init, err := r.start(ctx, m, f)
	if err != nil {
		undo()
		if fresh && !enrolled {
			r.Coord.Discard(context.WithoutCancel(ctx), t.Name)
		}
		return err
	}
	st.Init = init
	if init == "systemd" {
		step(StepStart, "started the systemd unit borgdesk-agent.service")
	} else {
		step(StepStart, "no systemd on "+t.Host+": started the agent under a restart loop (pid file "+PidFile+", log "+LogFile+"); add it to the host's init system to survive a reboot")
	}

	step(StepHeartbeat, "waiting for the agent's first heartbeat")
	wait := r.HeartbeatWait
	if wait == 0 {
		wait = 90 * time.Second
	}
	hctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	uuid, err := r.Coord.WaitHeartbeat(hctx, t.Name, started)
	if err != nil {
		if fresh && ctx.Err() == nil {
			undo()
			r.Coord.Discard(context.WithoutCancel(ctx), t.Name)
			return fail("the agent on %s did not report within %s, so it was removed again: check that %s reaches the coordinator's gateway, then run again", t.Host, wait, t.Host)
		}
		where := "journalctl -u borgdesk-agent"
		if init != "systemd" {
			where = LogFile
		}
		return fail("the agent on %s did not report within %s: read %s there, and check that %s reaches the coordinator's gateway", t.Host, wait, where, t.Host)
	}
	st.ServerUUID = uuid
	st.Message = fmt.Sprintf("enrolled as %s and reporting", t.Name)
	return nil
}

// agentConfigured reports whether the agent's configuration exists. It is
// asked as root: the configuration directory is root's alone (0700), so a
// sudo user's own look would miss it.
func (m *remote) agentConfigured(ctx context.Context) bool {
	out, err := m.run(ctx, "if [ -e "+ConfigPath+" ]; then echo yes; fi", nil, true)
	return err == nil && out == "yes"
}

func (r *Runner) installBorg(ctx context.Context, m *remote, f facts, step func(string, string)) error {
	var script string
	switch f["pm"] {
	// Without recommended packages: the agent needs borg, not FUSE (archives
	// are mounted on the coordinator).
	case "apt-get":
		script = "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q --no-install-recommends borgbackup || { apt-get update -q && apt-get install -y -q --no-install-recommends borgbackup; }"
	case "dnf":
		script = "dnf install -y --setopt=install_weak_deps=False borgbackup"
	case "zypper":
		script = "zypper --non-interactive install --no-recommends borgbackup"
	default:
		return fail("borg is not installed on %s and no apt-get, dnf or zypper was found: install borgbackup there and run again", m.target.Host)
	}
	step(StepBorg, "installing borgbackup with "+f["pm"])
	out, err := m.run(ctx, script, nil, true)
	if err != nil {
		return fail("installing borgbackup with %s on %s failed: %s; install it by hand and run again", f["pm"], m.target.Host, lastLine(out))
	}
	v, _ := m.run(ctx, "borg --version", nil, false)
	step(StepBorg, "installed "+v)
	return nil
}

// upload copies the agent by SFTP to a temporary name, checks its hash and
// renames it into place: the old binary or the new one, never half.
func (r *Runner) upload(ctx context.Context, m *remote, binPath, binSum string, step func(string, string)) error {
	rnd := make([]byte, 6)
	rand.Read(rnd)
	tmpName := ".borgdesk-agent.new-" + hex.EncodeToString(rnd)
	// Root writes beside the target; a sudo user writes to /tmp first.
	dir := path.Dir(AgentPath)
	if !m.root {
		dir = "/tmp"
	}
	tmp := path.Join(dir, tmpName)
	c, err := sftp.NewClient(m.client)
	if err != nil {
		return fail("SFTP to %s: %v (is the sftp subsystem enabled in sshd_config?)", m.target.Host, err)
	}
	defer c.Close()
	src, err := os.Open(binPath)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fail("cannot write %s on %s: %v", tmp, m.target.Host, err)
	}
	step(StepUpload, "uploading the agent to "+m.target.Host)
	_, err = io.Copy(dst, readerCtx{ctx, src})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.Remove(tmp)
		if strings.Contains(strings.ToLower(err.Error()), "no space") || strings.Contains(err.Error(), "SSH_FX_FAILURE") {
			return fail("upload to %s failed: %v; is the disk full? Nothing was installed", m.target.Host, err)
		}
		return fail("upload to %s failed: %v; nothing was installed", m.target.Host, err)
	}
	final := path.Join(path.Dir(AgentPath), tmpName)
	// The hash is checked on root's own copy, after the copy: nothing the
	// login user can still change is trusted.
	script := "set -e; tmp=" + shellquote.Quote(tmp) + "; final=" + shellquote.Quote(final) + "; trap 'rm -f \"$tmp\" \"$final\"' EXIT; " +
		"if [ \"$tmp\" != \"$final\" ]; then cp \"$tmp\" \"$final\"; fi; chown 0:0 \"$final\"; chmod 0755 \"$final\"; " +
		"echo " + shellquote.Quote(binSum+"  "+final) + " | sha256sum -c --status || { echo 'the uploaded agent is damaged (hash mismatch)'; exit 1; }; " +
		"mv -f \"$final\" " + AgentPath + "\n" + linkToolsScript()
	if out, err := m.run(ctx, script, nil, true); err != nil {
		c.Remove(tmp)
		return fail("installing the agent on %s failed: %s", m.target.Host, lastLine(out))
	}
	step(StepUpload, "agent installed as "+AgentPath+" (SHA-256 checked)")
	return nil
}

type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// start starts (or restarts) the agent: a systemd unit where systemd runs,
// else a restart loop in its own session.
func (r *Runner) start(ctx context.Context, m *remote, f facts) (string, error) {
	if f["init"] == "systemd" {
		unit := []byte(SystemdUnit)
		script := "set -e; cat > " + UnitPath + "; systemctl daemon-reload; systemctl enable borgdesk-agent >/dev/null 2>&1; systemctl restart borgdesk-agent"
		if out, err := m.run(ctx, script, unit, true); err != nil {
			return "", fail("starting the borgdesk-agent unit on %s failed: %s", m.target.Host, lastLine(out))
		}
		return "systemd", nil
	}
	if out, err := m.run(ctx, supervisedScript, nil, true); err != nil {
		return "", fail("starting the agent on %s failed: %s", m.target.Host, lastLine(out))
	}
	return "supervised", nil
}

const stopSupervised = `if [ -f ` + PidFile + ` ]; then kill -TERM -"$(cat ` + PidFile + `)" 2>/dev/null || true; rm -f ` + PidFile + `; sleep 1; fi`

const supervisedScript = stopSupervised + `
setsid sh -c 'echo $$ > ` + PidFile + `; while :; do ` + AgentPath + ` run --config ` + ConfigPath + `; sleep 5; done' </dev/null >>` + LogFile + ` 2>&1 &
sleep 0.3; [ -s ` + PidFile + ` ]`

var removeScript = unlinkToolsScript() + `
if [ -d /run/systemd/system ] && [ -f ` + UnitPath + ` ]; then systemctl disable --now borgdesk-agent >/dev/null 2>&1 || true; rm -f ` + UnitPath + `; systemctl daemon-reload; fi
` + stopSupervised + `
rm -f ` + AgentPath + ` ` + AgentPath + `.old /usr/local/bin/.borgdesk-agent.new-*; rm -rf ` + ConfigDir + `; rm -f ` + LogFile

// Uninstall stops and removes the agent, its unit, config and certificates,
// then revokes the server.
func (r *Runner) Uninstall(ctx context.Context, t Target, server string, cred *Credentials, accept string) HostState {
	if t.Port == 0 {
		t.Port = 22
	}
	now := time.Now()
	st := HostState{Host: t.Host, Port: t.Port, User: t.User, Name: server, Status: StatusRunning, StartedAt: &now}
	err := func() error {
		var fp string
		client, err := r.connect(ctx, t, cred, accept, &fp)
		st.Fingerprint = fp
		if err != nil {
			return err
		}
		defer client.Close()
		m := &remote{client: client, target: t}
		f, err := m.inspect(ctx)
		if err != nil {
			return err
		}
		if err := r.becomeRoot(ctx, m, f, cred); err != nil {
			return err
		}
		if out, err := m.run(ctx, removeScript, nil, true); err != nil {
			return fail("removing the agent from %s failed: %s", t.Host, lastLine(out))
		}
		if err := r.Coord.Revoke(ctx, server); err != nil {
			return fail("the agent was removed from %s but revoking %s failed: %v; revoke it by hand", t.Host, server, err)
		}
		return nil
	}()
	end := time.Now()
	st.FinishedAt = &end
	if err != nil {
		st.Status, st.Message = StatusFailed, sentence(err)
	} else {
		st.Status, st.Step, st.Message = StatusDone, StepDone, fmt.Sprintf("removed the agent, its unit, configuration and certificates from %s, and revoked %s", t.Host, server)
	}
	return st
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no output"
	}
	return s
}
