package testhost

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func dialHost(h *Host, user, password string, key ssh.PublicKey) (*ssh.Client, error) {
	return ssh.Dial("tcp", net.JoinHostPort(h.IP, strconv.Itoa(h.Port)), &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.FixedHostKey(key),
		// The host also has RSA and ECDSA keys, which x/crypto/ssh prefers.
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Timeout:           15 * time.Second,
	})
}

func mustDial(t *testing.T, h *Host, user, password string) *ssh.Client {
	t.Helper()
	c, err := dialHost(h, user, password, h.HostKey(t))
	if err != nil {
		t.Fatalf("ssh %s@%s: %v", user, h.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// sshRun runs cmd in a new session; stdin is fed to it.
func sshRun(c *ssh.Client, cmd, stdin string) (stdout, stderr string, err error) {
	s, err := c.NewSession()
	if err != nil {
		return "", "", err
	}
	defer s.Close()
	var o, e bytes.Buffer
	s.Stdout, s.Stderr = &o, &e
	if stdin != "" {
		s.Stdin = strings.NewReader(stdin)
	}
	err = s.Run(cmd)
	return o.String(), e.String(), err
}

func hostExec(t *testing.T, h *Host, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := h.Exec(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// processesUnder are the PIDs (root namespace) of processes chrooted in dir.
func processesUnder(dir string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid)); err == nil && strings.HasPrefix(root+"/", dir+"/") {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestHosts(t *testing.T) {
	n := NewNetwork(t)
	start := time.Now()
	hosts := n.AddHosts(t, 3, Options{})
	t.Logf("3 hosts in parallel: %v", time.Since(start).Round(time.Millisecond))

	t.Run("distinct host keys", func(t *testing.T) {
		seen := map[string]string{}
		if b, err := os.ReadFile("/etc/ssh/ssh_host_ed25519_key.pub"); err == nil {
			if k, _, _, _, err := ssh.ParseAuthorizedKey(b); err == nil {
				seen[ssh.FingerprintSHA256(k)] = "the real machine"
			}
		}
		for _, h := range hosts {
			fp := h.HostKeyFingerprint(t)
			if !strings.HasPrefix(fp, "SHA256:") {
				t.Fatalf("fingerprint %q", fp)
			}
			if other, dup := seen[fp]; dup {
				t.Errorf("%s has the host key of %s", h.Name, other)
			}
			seen[fp] = h.Name
			// What sshd presents is the key we read.
			var got ssh.PublicKey
			_, err := ssh.Dial("tcp", net.JoinHostPort(h.IP, "22"), &ssh.ClientConfig{
				User: "root", Auth: []ssh.AuthMethod{ssh.Password("wrong")},
				HostKeyAlgorithms: []string{ssh.KeyAlgoED25519}, Timeout: 15 * time.Second,
				HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { got = k; return nil },
			})
			if err == nil {
				t.Fatal("a wrong password was accepted")
			}
			if got == nil || ssh.FingerprintSHA256(got) != fp {
				t.Errorf("%s: sshd presents %v, want %s", h.Name, got, fp)
			}
		}
	})

	t.Run("root login", func(t *testing.T) {
		for _, h := range hosts {
			c := mustDial(t, h, "root", h.RootPassword)
			out, _, err := sshRun(c, "id -u; hostname; echo $PATH", "")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || lines[0] != "0" || lines[1] != h.Name {
				t.Errorf("%s: id -u; hostname; PATH said %q", h.Name, out)
			}
			if h == hosts[0] {
				t.Logf("root's PATH in an ssh session: %s", lines[len(lines)-1])
			}
			if _, err := dialHost(h, "root", hosts[(1+indexOf(hosts, h))%len(hosts)].RootPassword, h.HostKey(t)); err == nil {
				t.Errorf("%s accepts another host's root password", h.Name)
			}
		}
	})

	t.Run("sudo", func(t *testing.T) {
		h := hosts[1]
		c := mustDial(t, h, h.SudoUser, h.SudoPassword)
		out, errOut, err := sshRun(c, "id -u; sudo -S -p '' id -u", h.SudoPassword+"\n")
		if err != nil || strings.Fields(out)[0] == "0" || strings.TrimSpace(strings.Fields(out)[1]) != "0" {
			t.Errorf("deploy: sudo id -u: %q %q %v", out, errOut, err)
		}
		c2 := mustDial(t, h, h.PlainUser, h.PlainPassword)
		out, errOut, err = sshRun(c2, "sudo -S -p '' id -u", h.PlainPassword+"\n")
		if err == nil || strings.TrimSpace(out) == "0" {
			t.Errorf("nosudo could sudo: %q %q %v", out, errOut, err)
		}
		t.Logf("nosudo's sudo says: %s", strings.TrimSpace(errOut))
		env, _, _ := sshRun(c2, "echo $PATH", "")
		t.Logf("a plain user's PATH in an ssh session: %s", strings.TrimSpace(env))
	})

	t.Run("files are the host's own", func(t *testing.T) {
		name := "/usr/local/bin/testhost-probe-" + randHex(4)
		c := mustDial(t, hosts[0], "root", hosts[0].RootPassword)
		if _, errOut, err := sshRun(c, "echo hi >"+name+" && chmod +x "+name+" && mkdir -p /etc/borgdesk-agent && echo x >/etc/borgdesk-agent/conf", ""); err != nil {
			t.Fatal(errOut, err)
		}
		if got := hostExec(t, hosts[0], "cat", name); got != "hi\n" {
			t.Errorf("host 1 reads %q", got)
		}
		if out, err := hosts[1].Exec(context.Background(), "test", "-e", name); err == nil {
			t.Errorf("host 2 sees %s: %s", name, out)
		}
		for _, p := range []string{name, "/etc/borgdesk-agent/conf"} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the real machine has %s: %v", p, err)
			}
		}
		if b, _ := os.ReadFile("/etc/passwd"); strings.Contains(string(b), "\n"+sudoUser+":") {
			t.Error("the host's users reached the real /etc/passwd")
		}
		// The real kernel's knobs are read-only.
		if out, err := hosts[2].Exec(context.Background(), "/bin/sh", "-c", "test -w /proc/sys/vm/swappiness || test -w /sys/kernel/uevent_helper || test -w /proc/sys/kernel/hostname"); err == nil {
			t.Errorf("/proc/sys or /sys is writable inside: %s", out)
		}
		// Each host sees only its own processes.
		ps := hostExec(t, hosts[2], "ps", "-e", "-o", "pid=,comm=")
		if !strings.Contains(ps, "sshd") || strings.Count(ps, "sshd") > 1 || strings.Contains(ps, ".test") {
			t.Errorf("ps inside a host:\n%s", ps)
		}
	})

	t.Run("sftp", func(t *testing.T) {
		c := mustDial(t, hosts[2], "root", hosts[2].RootPassword)
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		w, _ := s.StdinPipe()
		r, _ := s.StdoutPipe()
		if err := s.RequestSubsystem("sftp"); err != nil {
			t.Fatal(err)
		}
		// SSH_FXP_INIT, version 3; the answer is SSH_FXP_VERSION.
		w.Write([]byte{0, 0, 0, 5, 1, 0, 0, 0, 3})
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			t.Fatal(err)
		}
		if hdr[4] != 2 || binary.BigEndian.Uint32(hdr[:4]) < 5 {
			t.Errorf("sftp answered % x", hdr)
		}
	})

	t.Run("coordinator on the gateway is reachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", net.JoinHostPort(n.GatewayIP, "0"))
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		port := ln.Addr().(*net.TCPAddr).Port
		got := make(chan string, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				got <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			b, _ := io.ReadAll(c)
			got <- string(b)
		}()
		hostExec(t, hosts[1], "/bin/bash", "-c", fmt.Sprintf("echo hello from $(hostname) >/dev/tcp/%s/%d", n.GatewayIP, port))
		select {
		case s := <-got:
			if s != "hello from "+hosts[1].Name+"\n" {
				t.Errorf("the coordinator got %q", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("nothing reached the coordinator")
		}
		// And a host reaches another host.
		hostExec(t, hosts[1], "/bin/bash", "-c", fmt.Sprintf("exec 3<>/dev/tcp/%s/22; head -c 7 <&3", hosts[0].IP))
	})

	t.Run("nothing is forwarded off the bridge", func(t *testing.T) {
		// A route lookup, no packet: something from a host to an outside
		// address has no route.
		if out, err := run("ip", "route", "get", "198.51.100.1", "from", hosts[0].IP, "iif", n.Bridge); err == nil {
			t.Errorf("the machine would forward a host's packets: %s", out)
		}
	})

	t.Run("orphans are reaped", func(t *testing.T) {
		hostExec(t, hosts[1], "/bin/sh", "-c", "(sleep 0.1 &); setsid sh -c 'sleep 0.1 & exec sleep 0.2' >/dev/null 2>&1 &")
		time.Sleep(700 * time.Millisecond)
		ps := hostExec(t, hosts[1], "ps", "-e", "-o", "stat=,args=")
		for _, line := range strings.Split(ps, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Z") {
				t.Errorf("zombie inside the host:\n%s", ps)
				break
			}
		}
	})

	t.Run("Exec honours its context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := hosts[1].Exec(ctx, "sleep", "37"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Exec past its deadline: %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("Exec took %v", time.Since(start))
		}
		time.Sleep(100 * time.Millisecond)
		if ps := hostExec(t, hosts[1], "ps", "-e", "-o", "args="); strings.Contains(ps, "sleep 37") {
			t.Errorf("the command still runs:\n%s", ps)
		}
	})

	t.Run("no systemd", func(t *testing.T) {
		out, err := hosts[0].Exec(context.Background(), "systemctl", "start", "borgdesk-agent")
		if err == nil || !strings.Contains(out, "not been booted with systemd") {
			t.Errorf("systemctl start inside: %v %s", err, out)
		}
		t.Logf("systemctl start inside says: %s", strings.TrimSpace(out))
		if _, err := hosts[0].Exec(context.Background(), "test", "-e", "/run/systemd/system"); err == nil {
			t.Error("/run/systemd/system exists inside")
		}
	})

	t.Run("changed host key", func(t *testing.T) {
		h := hosts[2]
		old := h.HostKey(t)
		h.RegenerateHostKeys(t)
		if ssh.FingerprintSHA256(old) == h.HostKeyFingerprint(t) {
			t.Fatal("the host key did not change")
		}
		if _, err := dialHost(h, "root", h.RootPassword, old); err == nil || !strings.Contains(err.Error(), "host key mismatch") {
			t.Errorf("dial with the old key: %v", err)
		}
		c := mustDial(t, h, "root", h.RootPassword)
		if out, _, err := sshRun(c, "id -u", ""); err != nil || out != "0\n" {
			t.Errorf("after the restart: %q %v", out, err)
		}
	})

	t.Run("stop leaves nothing", func(t *testing.T) {
		h := hosts[0]
		c := mustDial(t, h, "root", h.RootPassword)
		// An agent started the way a rollout without systemd would.
		if _, errOut, err := sshRun(c, "cp /bin/sleep /usr/local/bin/borgdesk-agent; nohup setsid /usr/local/bin/borgdesk-agent 1000 >/dev/null 2>&1 </dev/null & echo started", ""); err != nil {
			t.Fatal(errOut, err)
		}
		sess, _ := c.NewSession()
		sess.Start("sleep 1000") // and a session still open
		time.Sleep(200 * time.Millisecond)
		before := processesUnder(h.dir)
		if !strings.Contains(hostExec(t, h, "ps", "-e", "-o", "comm="), "borgdesk-agent") {
			t.Fatal("the agent is not running")
		}
		h.Stop()
		h.Stop()
		if h.stopErr != nil {
			t.Fatal(h.stopErr)
		}
		for _, pid := range before {
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("process %d is still there", pid)
			}
		}
		if left := processesUnder(h.dir); len(left) > 0 {
			t.Errorf("processes left: %v", left)
		}
		if _, err := os.Stat("/run/netns/" + h.NS); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("netns %s left: %v", h.NS, err)
		}
		if linkExists(h.veth) {
			t.Errorf("veth %s left", h.veth)
		}
		if mps, _ := mountsUnder(h.dir); len(mps) > 0 {
			t.Errorf("mounts left: %v", mps)
		}
		if _, err := os.Stat(h.dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left: %v", h.dir, err)
		}
		if _, err := h.Exec(context.Background(), "true"); err == nil {
			t.Error("Exec works on a stopped host")
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(h.IP, "22"), time.Second); err == nil {
			c.Close()
			t.Error("sshd still answers")
		}
		// The other hosts are untouched.
		if got := hostExec(t, hosts[1], "hostname"); got != hosts[1].Name+"\n" {
			t.Errorf("host 2 says %q", got)
		}
	})
}

func indexOf(hs []*Host, h *Host) int {
	for i, x := range hs {
		if x == h {
			return i
		}
	}
	return -1
}

func TestDiskLimit(t *testing.T) {
	n := NewNetwork(t)
	h := n.AddHost(t, Options{DiskLimit: "20m"})
	c := mustDial(t, h, "root", h.RootPassword)
	for _, dir := range []string{"/usr/local/bin", "/tmp"} {
		_, errOut, err := sshRun(c, "dd if=/dev/zero of="+dir+"/big bs=1M count=30 status=none", "")
		if err == nil || !strings.Contains(errOut, "No space left on device") {
			t.Errorf("writing 30 MB to %s: %v %q", dir, err, errOut)
		}
		hostExec(t, h, "rm", "-f", dir+"/big")
	}
	// df inside shows the limit (1024-blocks), as a rollout checking free
	// space would see it.
	if out := hostExec(t, h, "df", "-P", "/usr/local/bin"); !strings.Contains(out, " 20480 ") {
		t.Errorf("df inside:\n%s", out)
	}
}

// TestSweepStale: what a test process that died left behind is removed by
// the next NewNetwork.
func TestSweepStale(t *testing.T) {
	requireRoot(t)
	if err := ensureTools(); err != nil {
		t.Fatal(err)
	}
	n, err := newNetwork()
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := n.reserve(1)
	h, err := n.addHost(idx, Options{DiskLimit: "20m"})
	if err != nil {
		n.stop()
		t.Fatal(err)
	}
	// Its owner "died": no process has this identity.
	if err := os.WriteFile(n.dir+"/owner", []byte("999999999 1\n"+n.Subnet+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	NewNetwork(t) // sweeps
	if _, err := os.Stat(n.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left: %v", n.dir, err)
	}
	if linkExists(n.Bridge) || linkExists(h.veth) {
		t.Error("links left")
	}
	if _, err := os.Stat("/run/netns/" + h.NS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("netns left: %v", err)
	}
	if mps, _ := mountsUnder(n.dir); len(mps) > 0 {
		t.Errorf("mounts left: %v", mps)
	}
	select {
	case <-h.initDone:
	case <-time.After(5 * time.Second):
		t.Error("the host's init still runs")
	}
}

// TestManyHosts measures how long hosts take to create. It runs only when
// TESTHOST_MANY is set to a number of hosts.
func TestManyHosts(t *testing.T) {
	count, _ := strconv.Atoi(os.Getenv("TESTHOST_MANY"))
	if count == 0 {
		t.Skip("set TESTHOST_MANY=20 to measure")
	}
	n := NewNetwork(t)
	start := time.Now()
	h := n.AddHost(t, Options{})
	t.Logf("1 host: %v", time.Since(start).Round(time.Millisecond))
	h.Stop()
	start = time.Now()
	hosts := n.AddHosts(t, count, Options{})
	t.Logf("%d hosts in parallel: %v", count, time.Since(start).Round(time.Millisecond))
	for _, h := range hosts {
		c := mustDial(t, h, "root", h.RootPassword)
		if out, _, err := sshRun(c, "hostname", ""); err != nil || out != h.Name+"\n" {
			t.Errorf("%s: %q %v", h.Name, out, err)
		}
	}
	start = time.Now()
	for _, h := range hosts {
		h.Stop()
	}
	t.Logf("stopping %d hosts: %v", count, time.Since(start).Round(time.Millisecond))
}
