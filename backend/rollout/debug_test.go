//go:build linux

package rollout

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/rollout/testhost"
)

// Commands over one connection keep their whole output, stdout and stderr
// together, and a privileged one gets exactly its stdin through a sudo that
// asks for the password (a regression: the two output streams once shared
// an unlocked buffer).
func TestRemoteCommandsOnARealHost(t *testing.T) {
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	r := &Runner{Known: NewKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))}
	cred := &Credentials{Password: []byte(h.SudoPassword)}
	c, err := r.connect(context.Background(), Target{Host: h.IP, Port: 22, User: h.SudoUser}, cred, h.HostKeyFingerprint(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &remote{client: c, target: Target{Host: h.IP, User: h.SudoUser}}
	for i := 0; i < 20; i++ {
		out, err := m.run(context.Background(), detectScript, nil, false)
		if err != nil || !strings.HasPrefix(out, "arch=") || !strings.Contains(out, "\nfree_kb=") {
			t.Fatalf("run %d: %v %q", i, err, out)
		}
	}
	out, _ := m.run(context.Background(), detectScript, nil, false)
	if err := r.becomeRoot(context.Background(), m, parseFacts(out), cred); err != nil {
		t.Fatal(err)
	}
	out, err = m.run(context.Background(), "id -u; cat; echo to-stderr >&2", []byte("the-payload\n"), true)
	// stdout keeps its order; stderr comes on its own stream, so where its
	// line lands among stdout's is up to the network.
	stdout := strings.ReplaceAll(strings.ReplaceAll(out, "to-stderr\n", ""), "\nto-stderr", "")
	if err != nil || stdout != "0\nthe-payload" || strings.Count(out, "to-stderr") != 1 {
		t.Fatalf("privileged command with stdin: %v %q", err, out)
	}
}
