// Package testhost gives tests real OpenSSH servers to roll out to: each
// Host is a separate "machine" on this box, with its own network namespace
// on a shared bridge, its own PID and UTS namespaces (so `ps`, `pkill` and
// `hostname` inside see only that host), and its own root filesystem view.
//
// The root filesystem is a chroot built from the real machine without
// debootstrap: /usr, /etc, /var and /opt are overlayfs mounts whose lower
// layer is the real directory and whose upper layer belongs to the host, so
// the host sees every program installed on the real machine but its writes
// reach neither the real machine nor another host. /tmp, /root, /home and
// /run are the host's own; /dev is the real one with a private /dev/shm;
// /proc and /sys are mounted from inside the host's namespaces, with
// /proc/sys and /sys read-only. Host.Root is that root as seen from the
// test, for reading what a rollout wrote.
//
// What a rollout finds inside:
//
//   - sshd on IP:22 with password logins for root, for SudoUser ("deploy",
//     in group sudo; sudo asks for its password, `sudo -S -p ""` reads it
//     from stdin) and for PlainUser ("nosudo", no sudo rights). sshd runs
//     with UsePAM no and internal-sftp. It has RSA, ECDSA and ED25519 host
//     keys, like a stock Debian server; HostKey and HostKeyFingerprint are
//     the ED25519 one, which golang.org/x/crypto/ssh only negotiates when
//     the client sets HostKeyAlgorithms (it prefers ECDSA).
//   - In an SSH session, PATH is /usr/local/sbin:/usr/local/bin:/usr/sbin:
//     /usr/bin:/sbin:/bin for root and /usr/local/bin:/usr/bin:/bin:/usr/games
//     for the others; LANG and LC_* are only what the client sends.
//   - No systemd: /run/systemd/system does not exist, `systemctl start`
//     fails with "System has not been booted with systemd as init system
//     (PID 1). Can't operate." (and exit status 1). PID 1 is a shell loop
//     that reaps orphans, so a daemonised process (nohup/setsid … &) runs
//     on, and is never left a zombie, until the host stops.
//   - The network: the host's gateway is Network.GatewayIP, an address of
//     the test process's machine; a coordinator listening there (or on all
//     addresses) is reachable, and so are the other hosts. Nothing else is:
//     the machine does not forward what comes from the bridge, and there is
//     no DNS (resolv.conf points to 127.0.0.1, where nothing listens), so
//     `apt-get install` inside a host fails.
//
// Host.Stop, also run when the test ends, kills PID 1 of the host's PID
// namespace, which ends every process the host ran (sshd, sessions, an agent
// however it was started), then removes the netns, the veth, the mounts and
// the files. If the test binary dies instead, the hosts' processes die with
// it, and the next NewNetwork on the machine removes the rest.
//
// Everything needs root. Without root the tests fail, unless the person
// running them opts out with BORGDESK_TEST_ALLOW_SKIP=1 (see testenv), where
// they are skipped. Missing tools (sudo, openssh-server, iproute2) are
// installed with apt-get.
package testhost

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/testenv"
)

// Network is a bridge in the root network namespace that hosts are plugged
// into. The bridge holds GatewayIP, so a server in the test process that
// listens on GatewayIP (or on all addresses) is reachable from every host.
// Packets that arrive on the bridge are never forwarded beyond this machine.
type Network struct {
	Bridge    string // e.g. "bdbr1a2b3c4d"
	GatewayIP string // e.g. "10.77.0.1", the bridge's address in the root namespace
	Subnet    string // e.g. "10.77.0.0/24"

	dir    string // per-network state directory
	prefix string // "10.77.0."
	tag    string

	mu      sync.Mutex
	created int
	hosts   []*Host
	stopped bool
}

// Options tunes one host.
type Options struct {
	// DiskLimit, when set (a tmpfs size such as "40m"), caps everything the
	// host can write: the upper layers of /usr, /etc, /var and /opt, and
	// /tmp, /root and /home share one tmpfs of that size, so writes past it
	// fail with ENOSPC ("No space left on device").
	DiskLimit string
}

// Host is one SSH target. sshd listens on IP:Port (Port is always 22).
type Host struct {
	Name string // hostname inside the host, e.g. "host1-1a2b"
	NS   string // network namespace name (ip netns), e.g. "bdh5e6f7a8b"
	IP   string // the host's address on the bridge
	Root string // the host's root directory, as seen from the real machine
	Port int

	RootPassword  string
	SudoUser      string // "deploy": in group sudo, sudo asks for SudoPassword
	SudoPassword  string
	PlainUser     string // "nosudo": no sudo rights
	PlainPassword string

	net  *Network
	dir  string // per-host state directory; Root is dir/root
	veth string // the bridge end of the host's veth pair

	init     *exec.Cmd // PID 1 of the host's PID namespace
	initDone chan struct{}

	sshdMu   sync.Mutex
	sshd     *exec.Cmd // nsenter, whose only child is sshd
	sshdDone chan struct{}

	stopOnce sync.Once
	stopErr  error
}

const (
	sudoUser  = "deploy"
	plainUser = "nosudo"
	sshPort   = 22
	// stepTimeout bounds each command that builds or tears down a host.
	stepTimeout = 2 * time.Minute
)

// NewNetwork creates a bridge with a free 10.x.0.0/24 subnet. It is removed,
// with every host still on it, when the test ends.
func NewNetwork(t testing.TB) *Network {
	t.Helper()
	requireRoot(t)
	if err := ensureTools(); err != nil {
		testenv.Missing(t, "testhost: %v", err)
	}
	n, err := newNetwork()
	if err != nil {
		t.Fatalf("testhost: %v", err)
	}
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("testhost: removing network %s: %v", n.Bridge, err)
		}
	})
	return n
}

func newNetwork() (*Network, error) {
	base, err := baseDir()
	if err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(base, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	sweepStale(base)

	octet, err := freeOctet(base)
	if err != nil {
		return nil, err
	}
	tag := randHex(4)
	n := &Network{
		Bridge:    "bdbr" + tag,
		GatewayIP: fmt.Sprintf("10.%d.0.1", octet),
		Subnet:    fmt.Sprintf("10.%d.0.0/24", octet),
		prefix:    fmt.Sprintf("10.%d.0.", octet),
		tag:       tag,
	}
	n.dir = filepath.Join(base, n.Bridge)
	if err := os.MkdirAll(n.dir, 0o700); err != nil {
		return nil, err
	}
	// The owner lets a later run remove what a crashed run left behind.
	if err := os.WriteFile(filepath.Join(n.dir, "owner"), []byte(processIdentity(os.Getpid())+"\n"+n.Subnet+"\n"), 0o600); err != nil {
		os.RemoveAll(n.dir)
		return nil, err
	}
	batch := fmt.Sprintf("link add name %s type bridge\naddr add %s/24 dev %s\nlink set %s up\n", n.Bridge, n.GatewayIP, n.Bridge, n.Bridge)
	if _, err := runInput(batch, "ip", "-batch", "-"); err != nil {
		run("ip", "link", "del", n.Bridge)
		os.RemoveAll(n.dir)
		return nil, fmt.Errorf("creating bridge: %w", err)
	}
	// Whatever arrives on the bridge is for this machine or for another
	// host: hosts have a default route via the gateway, but nothing of
	// theirs may leave the box.
	if err := os.WriteFile("/proc/sys/net/ipv4/conf/"+n.Bridge+"/forwarding", []byte("0"), 0o644); err != nil {
		run("ip", "link", "del", n.Bridge)
		os.RemoveAll(n.dir)
		return nil, fmt.Errorf("turning off forwarding on %s: %w", n.Bridge, err)
	}
	return n, nil
}

func (n *Network) stop() error {
	n.mu.Lock()
	hosts := n.hosts
	n.stopped = true
	n.mu.Unlock()
	var errs []error
	for i := len(hosts) - 1; i >= 0; i-- {
		hosts[i].Stop()
		if hosts[i].stopErr != nil {
			errs = append(errs, hosts[i].stopErr)
		}
	}
	if linkExists(n.Bridge) {
		if _, err := run("ip", "link", "del", n.Bridge); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(n.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AddHost creates a host and waits until its sshd accepts TCP connections.
// The host is stopped when the test ends.
func (n *Network) AddHost(t testing.TB, o Options) *Host {
	t.Helper()
	idx, err := n.reserve(1)
	if err != nil {
		t.Fatalf("testhost: %v", err)
	}
	h, err := n.addHost(idx, o)
	if err != nil {
		t.Fatalf("testhost: %v", err)
	}
	n.cleanupWith(t, h)
	return h
}

// AddHosts creates count hosts in parallel, named host1…, host2… in order.
// Use it rather than AddHost from several goroutines: AddHost calls
// t.Fatal, which only the test's goroutine may.
func (n *Network) AddHosts(t testing.TB, count int, o Options) []*Host {
	t.Helper()
	first, err := n.reserve(count)
	if err != nil {
		t.Fatalf("testhost: %v", err)
	}
	hosts := make([]*Host, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hosts[i], errs[i] = n.addHost(first+i, o)
		}()
	}
	wg.Wait()
	var made []*Host
	for _, h := range hosts {
		if h != nil {
			n.cleanupWith(t, h)
			made = append(made, h)
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("testhost: %v", err)
	}
	return made
}

func (n *Network) cleanupWith(t testing.TB, h *Host) {
	t.Cleanup(func() {
		if t.Failed() {
			if log := h.sshdLog(40); log != "" {
				t.Logf("testhost: last lines of sshd's log on %s (%s):\n%s", h.Name, h.IP, log)
			}
		}
		h.Stop()
		if h.stopErr != nil {
			t.Errorf("testhost: stopping %s: %v", h.Name, h.stopErr)
		}
	})
}

// reserve numbers count new hosts; the first gets the returned index, its
// name is host<index> and its address 10.x.0.<index+1>.
func (n *Network) reserve(count int) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return 0, errors.New("network already removed")
	}
	if n.created+count+1 > 254 {
		return 0, errors.New("no addresses left on the network (253 hosts)")
	}
	first := n.created + 1
	n.created += count
	return first, nil
}

func (n *Network) addHost(idx int, o Options) (*Host, error) {
	tag := randHex(4)
	h := &Host{
		Name:          fmt.Sprintf("host%d-%s", idx, n.tag[:4]),
		NS:            "bdh" + tag,
		IP:            n.prefix + strconv.Itoa(idx+1),
		Port:          sshPort,
		RootPassword:  randPassword(),
		SudoUser:      sudoUser,
		SudoPassword:  randPassword(),
		PlainUser:     plainUser,
		PlainPassword: randPassword(),
		net:           n,
		veth:          "bdv" + tag,
	}
	h.dir = filepath.Join(n.dir, h.NS)
	h.Root = filepath.Join(h.dir, "root")
	n.mu.Lock()
	if n.stopped {
		n.mu.Unlock()
		return nil, errors.New("network already removed")
	}
	n.hosts = append(n.hosts, h)
	n.mu.Unlock()
	if err := h.build(o); err != nil {
		h.Stop()
		if h.stopErr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", h.stopErr))
		}
		return nil, fmt.Errorf("creating host %s: %w", h.Name, err)
	}
	return h, nil
}

func (h *Host) build(o Options) error {
	if err := buildRoot(h.dir, o.DiskLimit); err != nil {
		return err
	}
	if err := h.plugIn(); err != nil {
		return err
	}
	if err := h.startInit(); err != nil {
		return err
	}
	if _, err := h.execInput(context.Background(), h.setupScript(), "/bin/bash", "-s"); err != nil {
		return fmt.Errorf("setting up users and sshd: %w", err)
	}
	return h.startSSHD()
}

// plugIn creates the network namespace and the veth pair to the bridge.
func (h *Host) plugIn() error {
	if err := addNetns(h.NS); err != nil {
		return err
	}
	root := fmt.Sprintf("link add %s type veth peer name eth0 netns %s\nlink set %s master %s up\n", h.veth, h.NS, h.veth, h.net.Bridge)
	if _, err := runInput(root, "ip", "-batch", "-"); err != nil {
		return err
	}
	inside := fmt.Sprintf("addr add %s/24 dev eth0\nlink set eth0 up\nlink set lo up\nroute add default via %s\n", h.IP, h.net.GatewayIP)
	_, err := runInput(inside, "ip", "-n", h.NS, "-batch", "-")
	return err
}

var netnsMu sync.Mutex

// addNetns runs `ip netns add` one at a time, in this process and between
// processes: the first one sets up /run/netns, and parallel ones race.
func addNetns(name string) error {
	netnsMu.Lock()
	defer netnsMu.Unlock()
	base, err := baseDir()
	if err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(base, ".netns.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	_, err = run("ip", "netns", "add", name)
	return err
}

// initScript is PID 1 of a host: it only reaps orphans (a daemonised agent
// ends up its child) and keeps the PID namespace alive. Signals sent from
// inside the host cannot kill it; killing it from outside ends every
// process of the host.
const initScript = `while :; do sleep infinity & wait; done`

// Pdeathsig fires when the thread that started the process exits, not the
// process: Go ends a thread when a goroutine locked to it returns without
// unlocking. The hosts' inits are started from one thread that never ends.
var (
	spawnerOnce sync.Once
	spawnReqs   chan func()
)

func onSpawnerThread(f func()) {
	spawnerOnce.Do(func() {
		spawnReqs = make(chan func())
		go func() {
			runtime.LockOSThread()
			for f := range spawnReqs {
				f()
			}
		}()
	})
	done := make(chan struct{})
	spawnReqs <- func() { defer close(done); f() }
	<-done
}

func (h *Host) startInit() error {
	cmd := exec.Command("nsenter", "--net=/run/netns/"+h.NS, "--", "chroot", h.Root, "/bin/bash", "-c", initScript)
	cmd.Env = hostEnv
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS,
		Setsid:     true,
		Pdeathsig:  syscall.SIGKILL, // if the test binary dies, so does the host
	}
	var err error
	onSpawnerThread(func() { err = cmd.Start() })
	if err != nil {
		return fmt.Errorf("starting the host's init: %w", err)
	}
	h.init = cmd
	h.initDone = make(chan struct{})
	go func() { cmd.Wait(); close(h.initDone) }()
	// nsenter enters the namespace, then chroot changes root: wait for both.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if root, _ := os.Readlink(fmt.Sprintf("/proc/%d/root", cmd.Process.Pid)); root == h.Root {
			return nil
		}
		select {
		case <-h.initDone:
			return errors.New("the host's init exited at once")
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("the host's init did not start")
		}
	}
}

func (h *Host) setupScript() string {
	return fmt.Sprintf(`set -eu
mount -t proc -o nosuid,nodev,noexec proc /proc
# Read-only, as in a container: these are the real machine's kernel knobs.
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys
hostname %[1]s
echo %[1]s >/etc/hostname
printf '127.0.0.1\tlocalhost\n%[2]s\t%[1]s\n::1\tlocalhost ip6-localhost ip6-loopback\n' >/etc/hosts
# No DNS server is reachable from a host: fail lookups at once.
rm -f /etc/resolv.conf
printf '# testhost: no DNS inside test hosts\nnameserver 127.0.0.1\n' >/etc/resolv.conf
useradd -m -s /bin/bash -G sudo %[3]s
useradd -m -s /bin/bash %[4]s
cp -a /etc/skel/. /root/
chpasswd -c SHA512 <<'EOF'
root:%[5]s
%[3]s:%[6]s
%[4]s:%[7]s
EOF
rm -f /etc/ssh/ssh_host_*
ssh-keygen -A >/dev/null
mkdir -p -m 0755 /run/sshd /run/lock
cat >/etc/ssh/sshd_config <<'EOF'
# Written by borgdesk's testhost.
Port %[8]d
ListenAddress %[2]s
HostKey /etc/ssh/ssh_host_rsa_key
HostKey /etc/ssh/ssh_host_ecdsa_key
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin yes
UsePAM no
PidFile /run/sshd.pid
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
/usr/sbin/sshd -t -f /etc/ssh/sshd_config
`, h.Name, h.IP, sudoUser, plainUser, h.RootPassword, h.SudoPassword, h.PlainPassword, h.Port)
}

func (h *Host) startSSHD() error {
	logf, err := os.OpenFile(filepath.Join(h.dir, "sshd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := h.command("/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting sshd: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	h.sshdMu.Lock()
	h.sshd, h.sshdDone = cmd, done
	h.sshdMu.Unlock()

	addr := net.JoinHostPort(h.IP, strconv.Itoa(h.Port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("sshd exited: %s", h.sshdLog(20))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sshd does not accept connections on %s: %v; its log: %s", addr, err, h.sshdLog(20))
		}
	}
}

// stopSSHD ends the listening sshd (connections already open go on, as
// with a restart of sshd on a real machine).
func (h *Host) stopSSHD() {
	h.sshdMu.Lock()
	cmd, done := h.sshd, h.sshdDone
	h.sshd, h.sshdDone = nil, nil
	h.sshdMu.Unlock()
	if cmd == nil {
		return
	}
	// nsenter forked sshd into the host's PID namespace and waits for it.
	for _, pid := range childPIDs(cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		for _, pid := range childPIDs(cmd.Process.Pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		cmd.Process.Kill()
		<-done
	}
}

func (h *Host) sshdLog(lines int) string {
	b, err := os.ReadFile(filepath.Join(h.dir, "sshd.log"))
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// hostEnv is the environment of commands run by Exec: root's, as after
// `su -`, with the C locale.
var hostEnv = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash", "LANG=C.UTF-8",
}

// command prepares args to run as root inside the host: in its network, UTS
// and PID namespaces, chrooted to its root, in /.
func (h *Host) command(args ...string) *exec.Cmd {
	nsargs := []string{"-t", strconv.Itoa(h.init.Process.Pid), "--net", "--uts", "--pid", "--root", "--wd", "--"}
	cmd := exec.Command("nsenter", append(nsargs, args...)...)
	cmd.Env = hostEnv
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// Exec runs args as root inside the host (its network, UTS and PID
// namespaces, chrooted to its root, working directory /, environment
// PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,
// HOME=/root, USER, LOGNAME, SHELL=/bin/bash, LANG=C.UTF-8) and returns
// stdout and stderr combined; an error also says the exit status and the
// output. When ctx ends, the command's process group is killed. A command
// that leaves a background process holding its output (`agent &`) returns
// a second after it exits.
func (h *Host) Exec(ctx context.Context, args ...string) (string, error) {
	return h.execInput(ctx, "", args...)
}

func (h *Host) execInput(ctx context.Context, stdin string, args ...string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("testhost: Exec needs a command")
	}
	if h.init == nil {
		return "", errors.New("testhost: host is not running")
	}
	select {
	case <-h.initDone:
		return "", fmt.Errorf("testhost: host %s is stopped", h.Name)
	default:
	}
	cmd := h.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return "", err
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waited
		err = ctx.Err()
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s on %s: %w: %s", strings.Join(args, " "), h.Name, err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// HostKey is the host's ed25519 host key. The host also has RSA and ECDSA
// keys, like a stock Debian server, and golang.org/x/crypto/ssh prefers
// ECDSA: a client that checks this key must set
// HostKeyAlgorithms: []string{ssh.KeyAlgoED25519}.
func (h *Host) HostKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.Root, "etc/ssh/ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatalf("testhost: %v", err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatalf("testhost: host key of %s: %v", h.Name, err)
	}
	return k
}

// HostKeyFingerprint is ssh.FingerprintSHA256 of the ed25519 host key
// ("SHA256:...").
func (h *Host) HostKeyFingerprint(t testing.TB) string {
	t.Helper()
	return ssh.FingerprintSHA256(h.HostKey(t))
}

// RegenerateHostKeys gives the host new host keys of every type and
// restarts sshd, as a reinstalled machine would.
func (h *Host) RegenerateHostKeys(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if _, err := h.Exec(ctx, "/bin/sh", "-c", "rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null"); err != nil {
		t.Fatalf("testhost: %v", err)
	}
	h.stopSSHD()
	if err := h.startSSHD(); err != nil {
		t.Fatalf("testhost: restarting sshd on %s: %v", h.Name, err)
	}
}

// Stop ends every process of the host (sshd, sessions, anything started
// in it, daemonised or not), removes its network namespace and veth pair,
// unmounts its filesystems and deletes its files. It may be called more
// than once; the test's cleanup calls it too, and fails the test if
// something could not be removed.
func (h *Host) Stop() {
	h.stopOnce.Do(func() {
		if h.init != nil {
			// PID 1 of the namespace: the kernel kills everything in it.
			h.init.Process.Kill()
			<-h.initDone
		}
		h.stopSSHD()
		h.stopErr = teardownHost(h.dir, h.NS, h.veth)
	})
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func randPassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
