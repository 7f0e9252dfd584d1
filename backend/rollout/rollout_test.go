package rollout

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestParseTargets(t *testing.T) {
	got, err := ParseTargets("# fleet\nweb1\nroot@web2:2222\n\nhost,port,user\ndb1, 22 ,deploy,shop-db\n[::1]:2200\n", "admin")
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{"web1", 22, "admin", ""}, {"web2", 2222, "root", ""}, {"db1", 22, "deploy", "shop-db"}, {"::1", 2200, "admin", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for text, msg := range map[string]string{
		"web1:99999":       "port",
		"web1\nweb1:22":    "already on line 1",
		"":                 "no hosts",
		"web 1":            "not a host name",
		"db1,abc,root":     "port",
		"web1\nroot@web2,": "",
	} {
		_, err := ParseTargets(text, "root")
		if msg == "" {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseTargets(%q) = %v, want an error about %q", text, err, msg)
		}
	}
	if _, err := ParseTargets("web1", ""); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("a host without a user: %v", err)
	}
}

func newKey(t *testing.T) ssh.PublicKey {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The host key callback pins only the confirmed fingerprint, accepts the
// pinned key afterwards, and refuses a changed key with OpenSSH's warning.
func TestKnownHostsPinning(t *testing.T) {
	kh := NewKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))
	key, other := newKey(t), newKey(t)
	remote := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 22}
	const host = "10.0.0.5:22"

	if err := kh.Callback("", nil)(host, remote, key); !errors.Is(err, ErrUnknownHostKey) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(key)) {
		t.Fatalf("unknown key without confirmation: %v", err)
	}
	if err := kh.Callback(ssh.FingerprintSHA256(other), nil)(host, remote, key); !errors.Is(err, ErrUnknownHostKey) {
		t.Fatalf("unknown key with another fingerprint confirmed: %v", err)
	}
	if _, err := os.Stat(kh.path); err == nil {
		t.Fatal("a refused key was pinned")
	}
	var seen string
	if err := kh.Callback(ssh.FingerprintSHA256(key), &seen)(host, remote, key); err != nil {
		t.Fatalf("confirmed key: %v", err)
	}
	if seen != ssh.FingerprintSHA256(key) {
		t.Errorf("seen fingerprint %q", seen)
	}
	if err := kh.Callback("", nil)(host, remote, key); err != nil {
		t.Fatalf("pinned key: %v", err)
	}
	err := kh.Callback(ssh.FingerprintSHA256(other), nil)(host, remote, other)
	if !errors.Is(err, ErrHostKeyChanged) || !strings.Contains(err.Error(), "WARNING") || !strings.Contains(err.Error(), ssh.FingerprintSHA256(key)) {
		t.Fatalf("changed key, even if 'confirmed': %v", err)
	}
	if err := kh.Forget("10.0.0.5", 22); err != nil {
		t.Fatal(err)
	}
	if err := kh.Callback("", nil)(host, remote, other); !errors.Is(err, ErrUnknownHostKey) {
		t.Fatalf("after forgetting, the key is unknown again: %v", err)
	}
}

// The one-line install's script is valid shell, pins the CA and carries
// its enrollment secret only in here-documents (a command's stdin), never
// as an argument, so ps never shows it.
func TestInstallScript(t *testing.T) {
	const secret = "secret-abc"
	s := InstallScript(ScriptParams{Name: "web1", Secret: secret, GatewayURL: "https://10.0.0.1:8443", CAFingerprint: "SHA256:xyz",
		CAPEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", SHA256: map[string]string{"amd64": "ab12"}, ExpiresAt: time.Now()})
	f := filepath.Join(t.TempDir(), "install.sh")
	os.WriteFile(f, []byte(s), 0o644)
	if out, err := exec.Command("sh", "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v %s\n%s", err, out, s)
	}
	for _, want := range []string{"--cacert", "sha256sum -c", "--token-file -", "-H @-", "--ca-fingerprint 'SHA256:xyz'", "sum='ab12'", "sum=''"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(s, "--token ") {
		t.Error("the script passes a token as an argument")
	}
	uses := 0
	for _, line := range argumentLines(s) {
		if strings.Contains(line, secret) {
			t.Errorf("the secret is on a command line, not in a here-document: %s", line)
		}
	}
	for _, body := range []string{secret, InstallSecretHeader + ": " + secret} {
		if strings.Contains(s, "<<'BORGDESK_SECRET'\n"+body+"\nBORGDESK_SECRET\n") {
			uses++
		}
	}
	if uses != 2 {
		t.Errorf("the secret reaches %d of curl's header and enroll's stdin; want both:\n%s", uses, s)
	}
}

// argumentLines are the lines of a script outside its here-documents.
func argumentLines(script string) []string {
	var lines []string
	end := ""
	for _, l := range strings.Split(script, "\n") {
		switch {
		case end != "":
			if l == end {
				end = ""
			}
		default:
			lines = append(lines, l)
			if i := strings.Index(l, "<<'"); i >= 0 {
				end = strings.TrimSuffix(l[i+3:], "'")
			}
		}
	}
	return lines
}

func TestSystemdUnitMatchesBuildFile(t *testing.T) {
	raw, err := os.ReadFile("../../build/systemd/borgdesk-agent.service")
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != SystemdUnit {
		t.Error("SystemdUnit differs from build/systemd/borgdesk-agent.service: change both together")
	}
}
