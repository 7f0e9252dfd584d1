package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// openSSH is OpenSSH's sshd on loopback, started for the bench from a
// throwaway configuration and keys in a temporary directory: the client's
// key may only run `borg serve --restrict-to-path DIR` (forced, as a
// storage host does it), and root logs in with that key alone.
type openSSH struct {
	cmd  *exec.Cmd
	port int
	rsh  string // BORG_RSH for the client
}

// startOpenSSH starts sshd; borg serve may only use repositories under
// repos. It needs root (sshd's privilege separation) and OpenSSH.
func startOpenSSH(dir, repos string) (*openSSH, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("needs root, to run sshd")
	}
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		sshd = "/usr/sbin/sshd"
		if _, err := os.Stat(sshd); err != nil {
			return nil, fmt.Errorf("no sshd: apt-get install openssh-server")
		}
	}
	dir = filepath.Join(dir, "openssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client.pub"))
	if err != nil {
		return nil, err
	}
	borg, err := exec.LookPath("borg")
	if err != nil {
		return nil, err
	}
	auth := fmt.Sprintf("command=\"%s serve --restrict-to-path %s\",restrict %s", borg, repos, pub)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(auth), 0o600); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := strings.Join([]string{
		fmt.Sprintf("ListenAddress 127.0.0.1:%d", port),
		"HostKey " + filepath.Join(dir, "host"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"StrictModes no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
		"PermitRootLogin prohibit-password", "LogLevel ERROR", "",
	}, "\n")
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	// sshd refuses to start without its privilege separation directory,
	// which only an installed, started sshd leaves behind.
	os.MkdirAll("/run/sshd", 0o755)
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	o := &openSSH{cmd: cmd, port: port, rsh: fmt.Sprintf("ssh -i %s -p %d -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
		filepath.Join(dir, "client"), port)}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return o, nil
		}
		if time.Now().After(deadline) {
			o.stop()
			return nil, fmt.Errorf("sshd did not listen on 127.0.0.1:%d: %s", port, stderr.String())
		}
	}
}

// url is the ssh:// location of the repository at path through this sshd.
func (o *openSSH) url(path string) string {
	return fmt.Sprintf("ssh://root@127.0.0.1:%d%s", o.port, path)
}

func (o *openSSH) stop() {
	o.cmd.Process.Kill()
	o.cmd.Wait()
}
