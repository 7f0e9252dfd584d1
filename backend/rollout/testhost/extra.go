package testhost

import (
	"context"
	"strings"
	"testing"
)

// SSHDLog is everything sshd logged so far.
func (h *Host) SSHDLog() string { return h.sshdLog(1 << 20) }

// SetPassword sets a user's password inside the host (chpasswd, on stdin).
func (h *Host) SetPassword(t testing.TB, user, password string) {
	t.Helper()
	if out, err := h.execInput(context.Background(), user+":"+password+"\n", "chpasswd"); err != nil {
		t.Fatalf("chpasswd on %s: %v %s", h.Name, err, out)
	}
	switch user {
	case "root":
		h.RootPassword = password
	case h.SudoUser:
		h.SudoPassword = password
	case h.PlainUser:
		h.PlainPassword = password
	}
}

// AuthorizeKey adds an OpenSSH public key to a user's authorized_keys.
func (h *Host) AuthorizeKey(t testing.TB, user, pub string) {
	t.Helper()
	script := `set -e; home=$(getent passwd "$1" | cut -d: -f6); mkdir -p "$home/.ssh"; cat >> "$home/.ssh/authorized_keys"; ` +
		`chmod 700 "$home/.ssh"; chmod 600 "$home/.ssh/authorized_keys"; chown -R "$1" "$home/.ssh"`
	if out, err := h.execInput(context.Background(), strings.TrimSpace(pub)+"\n", "sh", "-c", script, "sh", user); err != nil {
		t.Fatalf("authorize a key for %s on %s: %v %s", user, h.Name, err, out)
	}
}
