//go:build linux

package rollout

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/rollout/testhost"
)

// distinctPassword is a password no file of a fresh host contains.
func distinctPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "pw-" + hex.EncodeToString(b) + "-sudo"
}

// filesWith lists the files under the host's dirs that contain secret.
func filesWith(h *testhost.Host, secret string, dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		filepath.WalkDir(filepath.Join(h.Root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return nil
			}
			if raw, err := os.ReadFile(p); err == nil && bytes.Contains(raw, []byte(secret)) {
				found = append(found, strings.TrimPrefix(p, h.Root))
			}
			return nil
		})
	}
	return found
}

// loginAs logs in with a password and inspects the host.
func loginAs(t *testing.T, h *testhost.Host, user string, cred *Credentials) (*Runner, *remote, facts) {
	t.Helper()
	r := &Runner{Known: NewKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))}
	target := Target{Host: h.IP, Port: 22, User: user}
	c, err := r.connect(context.Background(), target, cred, h.HostKeyFingerprint(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m := &remote{client: c, target: target}
	f, err := m.inspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r, m, f
}

// The login password reaches sudo only when sudo asks for it, and never the
// command: a NOPASSWD sudo gets none, and the command's stdin is exactly its
// payload. A sudo that asks still works, and a wrong password or a user
// without sudo rights gets its sentence.
func TestSudoGetsThePasswordOnlyWhenItAsks(t *testing.T) {
	n := testhost.NewNetwork(t)
	hosts := n.AddHosts(t, 2, testhost.Options{})
	asks, nopasswd := hosts[0], hosts[1]
	nopasswd.SudoWithoutPassword(t, nopasswd.SudoUser)
	for _, h := range hosts {
		h.SetPassword(t, h.SudoUser, distinctPassword())
	}
	ctx := context.Background()

	tests := []struct {
		name      string
		host      *testhost.Host
		user      string
		cred      func(h *testhost.Host) *Credentials
		wantErr   string
		wantAsked bool
	}{
		{name: "sudo asks for the login password", host: asks, user: asks.SudoUser, wantAsked: true,
			cred: func(h *testhost.Host) *Credentials { return &Credentials{Password: []byte(h.SudoPassword)} }},
		{name: "NOPASSWD sudo gets no password", host: nopasswd, user: nopasswd.SudoUser,
			cred: func(h *testhost.Host) *Credentials { return &Credentials{Password: []byte(h.SudoPassword)} }},
		{name: "NOPASSWD sudo and a sudo password given", host: nopasswd, user: nopasswd.SudoUser,
			cred: func(h *testhost.Host) *Credentials {
				return &Credentials{Password: []byte(h.SudoPassword), SudoPassword: []byte(h.SudoPassword)}
			}},
		{name: "a wrong sudo password", host: asks, user: asks.SudoUser, wantErr: "sudo on " + asks.IP + " refused the password for deploy",
			cred: func(h *testhost.Host) *Credentials {
				return &Credentials{Password: []byte(h.SudoPassword), SudoPassword: []byte("wrong-" + h.SudoPassword)}
			}},
		{name: "a user without sudo rights", host: asks, user: asks.PlainUser, wantErr: "nosudo may not use sudo on " + asks.IP,
			cred: func(h *testhost.Host) *Credentials { return &Credentials{Password: []byte(h.PlainPassword)} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.host
			cred := tc.cred(h)
			r, m, f := loginAs(t, h, tc.user, cred)
			err := r.becomeRoot(ctx, m, f, cred)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("becomeRoot: got %v; want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("becomeRoot: %v", err)
			}
			if asked := m.sudo != nil; asked != tc.wantAsked {
				t.Errorf("password kept for sudo: got %v; want %v", asked, tc.wantAsked)
			}
			out, err := m.run(ctx, "id -u; cat", []byte("the-payload\n"), true)
			if err != nil || out != "0\nthe-payload" {
				t.Errorf("privileged command with stdin: got %v %q; want \"0\\nthe-payload\"", err, out)
			}
		})
	}
	for _, h := range hosts {
		if files := filesWith(h, h.SudoPassword, "etc", "usr/local", "var", "tmp", "run", "root", "home"); len(files) > 0 {
			t.Errorf("%s: the password is in %v", h.Name, files)
		}
	}
}

// Even when sudo turns out not to ask (a NOPASSWD rule the probe did not
// see, or one added since), a password kept for sudo never reaches the
// command.
func TestAPasswordSudoDoesNotAskForStaysUnsent(t *testing.T) {
	n := testhost.NewNetwork(t)
	h := n.AddHost(t, testhost.Options{})
	h.SetPassword(t, h.SudoUser, distinctPassword())
	cred := &Credentials{Password: []byte(h.SudoPassword)}
	r, m, f := loginAs(t, h, h.SudoUser, cred)
	if err := r.becomeRoot(context.Background(), m, f, cred); err != nil {
		t.Fatal(err)
	}
	h.SudoWithoutPassword(t, h.SudoUser)
	out, err := m.run(context.Background(), "cat; echo; cat /proc/$$/environ | tr '\\0' '\\n'", []byte("the-payload"), true)
	if err != nil || !strings.HasPrefix(out, "the-payload\n") {
		t.Fatalf("privileged command: got %v %q; want the payload first", err, out)
	}
	if strings.Contains(out, h.SudoPassword) {
		t.Errorf("the command read the password (stdin or environment):\n%s", out)
	}
}
