package rollout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrUnknownHostKey: the host's key is neither pinned nor confirmed.
var ErrUnknownHostKey = errors.New("host key not confirmed")

// ErrHostKeyChanged: the host offered a different key than the pinned one.
var ErrHostKeyChanged = errors.New("host key changed")

// hostKeyAlgorithms is the one order every connection asks for, so a host
// shows the same key to the probe and to the rollout.
var hostKeyAlgorithms = []string{ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}

// KnownHosts pins host keys in an OpenSSH known_hosts file (DATA/known_hosts).
type KnownHosts struct {
	path string
	mu   sync.Mutex
}

// NewKnownHosts uses the known_hosts file at path (created on first pin).
func NewKnownHosts(path string) *KnownHosts { return &KnownHosts{path: path} }

func addr(host string, port int) string {
	if port == 0 {
		port = 22
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// check looks key up: nil if pinned, else ErrUnknownHostKey or
// ErrHostKeyChanged (with the pinned fingerprint).
func (k *KnownHosts) check(address string, remote net.Addr, key ssh.PublicKey) (pinned string, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Stat(k.path); errors.Is(err, os.ErrNotExist) {
		return "", ErrUnknownHostKey
	}
	cb, err := knownhosts.New(k.path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", k.path, err)
	}
	err = cb(address, remote, key)
	var ke *knownhosts.KeyError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &ke) && len(ke.Want) == 0:
		return "", ErrUnknownHostKey
	case errors.As(err, &ke):
		for _, w := range ke.Want {
			if w.Key.Type() == key.Type() {
				return ssh.FingerprintSHA256(w.Key), ErrHostKeyChanged
			}
		}
		return ssh.FingerprintSHA256(ke.Want[0].Key), ErrHostKeyChanged
	}
	return "", err
}

// pin appends the key for address.
func (k *KnownHosts) pin(address string, key ssh.PublicKey) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	f, err := os.OpenFile(k.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, knownhosts.Line([]string{knownhosts.Normalize(address)}, key)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Callback verifies the host key before any credential is sent: a pinned
// key must match; an unknown key is pinned only if it is the fingerprint
// the operator accepted.
func (k *KnownHosts) Callback(accept string, seen *string) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		fp := ssh.FingerprintSHA256(key)
		if seen != nil {
			*seen = fp
		}
		pinned, err := k.check(hostname, remote, key)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrHostKeyChanged):
			return fmt.Errorf("%w: WARNING: the host key of %s changed: it was %s and is now %s. Someone could be intercepting the connection, or the server was reinstalled. Nothing was sent. If the change is expected, remove the old key in the known hosts list and confirm the new one",
				ErrHostKeyChanged, hostname, pinned, fp)
		case errors.Is(err, ErrUnknownHostKey) && accept == "":
			return fmt.Errorf("%w: the host key of %s is %s %s; compare it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the server and confirm it (CLI: --accept-host-key %s)",
				ErrUnknownHostKey, hostname, key.Type(), fp, fp)
		case errors.Is(err, ErrUnknownHostKey) && accept != fp:
			return fmt.Errorf("%w: the host key of %s is %s, not the confirmed %s; nothing was sent", ErrUnknownHostKey, hostname, fp, accept)
		case errors.Is(err, ErrUnknownHostKey):
			return k.pin(hostname, key)
		}
		return err
	}
}

// Forget removes the pinned keys of host:port (after an expected reinstall).
func (k *KnownHosts) Forget(host string, port int) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	raw, err := os.ReadFile(k.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	want := knownhosts.Normalize(addr(host, port))
	var keep []byte
	for _, line := range splitLines(raw) {
		if _, hosts, _, _, _, err := ssh.ParseKnownHosts(line); err == nil && len(hosts) == 1 && hosts[0] == want {
			continue
		}
		keep = append(append(keep, line...), '\n')
	}
	return os.WriteFile(k.path, keep, 0o600)
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i > 0 {
			out = append(out, b[:i])
		}
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

var errProbed = errors.New("probed")

// Probe fetches a host's key without authenticating: the SSH handshake
// stops right after the server proves its key.
func (k *KnownHosts) Probe(ctx context.Context, host string, port int) HostKey {
	if port == 0 {
		port = 22
	}
	hk := HostKey{Host: host, Port: port}
	var key ssh.PublicKey
	cfg := &ssh.ClientConfig{User: "borgdesk-probe", HostKeyAlgorithms: hostKeyAlgorithms, Timeout: 10 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { key = k; return errProbed }}
	conn, err := dial(ctx, addr(host, port), 10*time.Second)
	if err != nil {
		hk.Error = err.Error()
		return hk
	}
	defer conn.Close()
	_, _, _, err = ssh.NewClientConn(conn, addr(host, port), cfg)
	if key == nil {
		hk.Error = fmt.Sprintf("%s:%d did not complete the SSH handshake: %v", host, port, err)
		return hk
	}
	hk.Type, hk.Fingerprint = key.Type(), ssh.FingerprintSHA256(key)
	pinned, err := k.check(addr(host, port), conn.RemoteAddr(), key)
	switch {
	case err == nil:
		hk.Known = true
	case errors.Is(err, ErrHostKeyChanged):
		hk.Changed, hk.Pinned = true, pinned
	case !errors.Is(err, ErrUnknownHostKey):
		hk.Error = err.Error()
	}
	return hk
}

// dial connects with a deadline for the handshake.
func dial(ctx context.Context, address string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("%s did not answer within %s: check the address, the port and the firewall", address, timeout)
		}
		return nil, fmt.Errorf("cannot reach %s: %v", address, err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	return conn, nil
}
