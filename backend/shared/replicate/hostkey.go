package replicate

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"borgdesk/backend/shared/atomicfile"
)

// rcloneHostKeyOrder is the order in which rclone 1.60's SSH client asks
// for host keys (golang.org/x/crypto's default then): it checks the first
// type the server has against the pinned key, so the probe must see the
// same key, not the one an OpenSSH client would pick.
var rcloneHostKeyOrder = []string{
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA, ssh.KeyAlgoED25519,
}

// HostKey is the key an SFTP target shows.
type HostKey struct {
	Type        string `json:"type"`        // e.g. "ecdsa-sha2-nistp256"
	Fingerprint string `json:"fingerprint"` // "SHA256:…"
	// File is where the server keeps it, to compare with ssh-keygen -lf.
	File string `json:"file"`
	key  ssh.PublicKey
}

var errProbed = errors.New("probed")

// ProbeHostKey fetches the host key an SFTP target shows rclone, without
// authenticating: the handshake stops once the server proved its key.
func ProbeHostKey(ctx context.Context, host string, port int) (HostKey, error) {
	t := Target{Host: host, Port: port}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", t.Address())
	if err != nil {
		return HostKey{}, &Error{Kind: ErrUnreachable, Msg: fmt.Sprintf("cannot reach %s: %v; check the address, the port and the firewall", t.Address(), err)}
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var key ssh.PublicKey
	cfg := &ssh.ClientConfig{User: "borgdesk-probe", HostKeyAlgorithms: rcloneHostKeyOrder,
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { key = k; return errProbed }}
	_, _, _, err = ssh.NewClientConn(conn, t.Address(), cfg)
	if key == nil {
		return HostKey{}, &Error{Kind: ErrUnreachable, Msg: fmt.Sprintf("%s did not complete an SSH handshake (%v): is it an SSH server?", t.Address(), err)}
	}
	return hostKeyOf(key), nil
}

func hostKeyOf(key ssh.PublicKey) HostKey {
	file := "/etc/ssh/ssh_host_rsa_key.pub"
	switch {
	case key.Type() == ssh.KeyAlgoED25519:
		file = "/etc/ssh/ssh_host_ed25519_key.pub"
	case strings.HasPrefix(key.Type(), "ecdsa-"):
		file = "/etc/ssh/ssh_host_ecdsa_key.pub"
	}
	return HostKey{Type: key.Type(), Fingerprint: ssh.FingerprintSHA256(key), File: file, key: key}
}

// PinHostKey writes file (mode 0600) with key as the only known host key
// of the target: rclone refuses any other.
func PinHostKey(file string, t Target, key HostKey) error {
	if key.key == nil {
		return errors.New("no host key to pin")
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(t.Address())}, key.key) + "\n"
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return writeFile0600(file, []byte(line))
}

// PinnedFingerprint is the fingerprint pinned in file ("" when none).
func PinnedFingerprint(file string) string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	_, _, key, _, _, err := ssh.ParseKnownHosts(raw)
	if err != nil {
		return ""
	}
	return ssh.FingerprintSHA256(key)
}

// PublicKeyLine returns the authorized_keys line of the key in privFile
// ("" when there is none).
func PublicKeyLine(privFile, comment string) string {
	raw, err := os.ReadFile(privFile)
	if err != nil {
		return ""
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		return ""
	}
	return authorizedLine(signer.PublicKey(), comment)
}

// EnsureKey returns the authorized_keys line of the ed25519 key in
// privFile, creating the key (0600) when the file does not exist.
func EnsureKey(privFile, comment string) (string, error) {
	if raw, err := os.ReadFile(privFile); err == nil {
		signer, err := ssh.ParsePrivateKey(raw)
		if err != nil {
			return "", fmt.Errorf("replication key %s: %w", privFile, err)
		}
		return authorizedLine(signer.PublicKey(), comment), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(privFile), 0o700); err != nil {
		return "", err
	}
	if err := writeFile0600(privFile, pem.EncodeToMemory(block)); err != nil {
		return "", err
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	return authorizedLine(sshPub, comment), nil
}

func authorizedLine(k ssh.PublicKey, comment string) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment
}

// AuthorizedKeysLine is the line to add to the SFTP user's authorized_keys
// on the target: the key may do SFTP and run the hash commands rclone
// verifies with, nothing interactive and no forwarding.
func AuthorizedKeysLine(pubLine string) string { return "restrict " + pubLine }

func writeFile0600(file string, data []byte) error { return atomicfile.Write(file, data, 0o600) }

// WriteSecret stores a secret (an S3 secret key) in file, mode 0600.
func WriteSecret(file, secret string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return writeFile0600(file, []byte(strings.TrimSpace(secret)+"\n"))
}
