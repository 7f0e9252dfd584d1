package testhost

import (
	"context"
	"strings"
	"testing"
)

// SudoWithoutPassword gives user a sudo rule that asks for no password, as
// many cloud images do: for every command, or only for cmds (full paths).
// The rule is in /etc/sudoers.d/testhost-USER, checked with visudo.
func (h *Host) SudoWithoutPassword(t testing.TB, user string, cmds ...string) {
	t.Helper()
	allowed := "ALL"
	if len(cmds) > 0 {
		allowed = strings.Join(cmds, ", ")
	}
	rule := user + " ALL=(ALL:ALL) NOPASSWD: " + allowed + "\n"
	script := `set -e; f=/etc/sudoers.d/testhost-"$1"; cat > "$f.new"; chmod 0440 "$f.new"; visudo -qcf "$f.new"; mv "$f.new" "$f"`
	if out, err := h.execInput(context.Background(), rule, "sh", "-c", script, "sh", user); err != nil {
		t.Fatalf("testhost: a NOPASSWD sudo rule for %s on %s: %v %s", user, h.Name, err, out)
	}
}
