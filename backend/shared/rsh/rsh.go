// Package rsh is the agent's own SSH client for borg (BORG_RSH): it reaches
// the coordinator's Borg SSH server with the agent's key and accepts only the
// host key pinned at enrollment, so agents need no OpenSSH client and no
// known_hosts file.
package rsh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Target is what borg asks to reach: [-p PORT] [USER@]HOST COMMAND…
type Target struct {
	User, Host string
	Port       int
	Command    []string
}

// ParseArgs reads the arguments borg appends to BORG_RSH.
func ParseArgs(args []string) (Target, error) {
	t := Target{Port: 22, User: "borgdesk"}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-p":
			if len(args) < 2 {
				return t, errors.New("-p needs a port")
			}
			if _, err := fmt.Sscanf(args[1], "%d", &t.Port); err != nil {
				return t, fmt.Errorf("-p %q: %w", args[1], err)
			}
			args = args[2:]
		default:
			return t, fmt.Errorf("unsupported ssh option %q", args[0])
		}
	}
	if len(args) < 2 {
		return t, errors.New("usage: [-p PORT] [USER@]HOST COMMAND…")
	}
	host := args[0]
	if u, h, ok := strings.Cut(host, "@"); ok {
		t.User, host = u, h
	}
	t.Host, t.Command = host, args[1:]
	return t, nil
}

// Params are the agent's key and the pinned host key.
type Params struct {
	KeyFile string
	HostKey string // authorized_keys format
}

// ErrHostKey means the server presented a key other than the pinned one.
var ErrHostKey = errors.New("the Borg SSH server's host key does not match the one pinned at enrollment")

// Run connects, runs the command, pipes stdio, and returns its exit code.
func Run(ctx context.Context, p Params, t Target, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	keyPEM, err := os.ReadFile(p.KeyFile)
	if err != nil {
		return 255, fmt.Errorf("agent SSH key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(keyPEM)
	if err != nil {
		return 255, fmt.Errorf("agent SSH key: %w", err)
	}
	if p.HostKey == "" {
		return 255, errors.New("no Borg SSH host key pinned in the configuration; enroll again")
	}
	pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(p.HostKey))
	if err != nil {
		return 255, fmt.Errorf("pinned host key: %w", err)
	}
	conf := &ssh.ClientConfig{
		User: t.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: func(host string, remote net.Addr, key ssh.PublicKey) error {
			if string(key.Marshal()) != string(pinned.Marshal()) {
				return fmt.Errorf("%w (got %s, pinned %s): refusing to connect; if the coordinator was reinstalled, enroll this agent again", ErrHostKey, ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(pinned))
			}
			return nil
		},
		HostKeyAlgorithms: []string{pinned.Type()},
		Timeout:           20 * time.Second,
	}
	addr := net.JoinHostPort(t.Host, fmt.Sprint(t.Port))
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	nc, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return 255, fmt.Errorf("connect to %s: %w", addr, err)
	}
	// The handshake must finish in time too: a server that accepts but never
	// answers would otherwise hang borg forever.
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	cc, chans, reqs, err := ssh.NewClientConn(nc, addr, conf)
	if err != nil {
		nc.Close()
		return 255, fmt.Errorf("connect to %s: %w", addr, err)
	}
	nc.SetDeadline(time.Time{})
	client := ssh.NewClient(cc, chans, reqs)
	defer client.Close()
	go func() { <-ctx.Done(); client.Close() }()
	sess, err := client.NewSession()
	if err != nil {
		return 255, err
	}
	defer sess.Close()
	sess.Stdin, sess.Stdout, sess.Stderr = stdin, stdout, stderr
	// Keep the connection alive across long borg operations.
	go keepAlive(ctx, client)
	err = sess.Run(strings.Join(t.Command, " "))
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitStatus(), nil
	}
	return 255, err
}

func keepAlive(ctx context.Context, c *ssh.Client) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				return
			}
		}
	}
}

// Fingerprint is the SHA256 fingerprint of an authorized_keys line.
func Fingerprint(line string) (string, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return "", err
	}
	return ssh.FingerprintSHA256(k), nil
}
