package app

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The "done when", through the real binaries: flx backup then
// restore -m fresh into an empty root gives byte-identical files; a planted
// password= line is redacted and reported; a tampered file aborts with
// nothing written; a ../ entry is refused. borgdesk-agent has the same
// command.
func TestFlxCommands(t *testing.T) {
	src, out, dst := t.TempDir(), t.TempDir(), t.TempDir()
	files := map[string]string{"etc/pbx/pbx.conf": "context=default\npassword=planted-in-test\n", "etc/pbx/ext.conf": "exten => 100,1,Answer()\n"}
	for p, c := range files {
		os.MkdirAll(filepath.Join(src, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(src, p), []byte(c), 0o640)
	}
	r := runBin(t, "flx", "backup", "--root", src, "-o", out, "--prefix", "pbx", "-c", "etc")
	if r.code != 0 {
		t.Fatalf("flx backup: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	snap := lines[len(lines)-1]
	if !strings.HasSuffix(snap, ".flx.gz") || !strings.Contains(r.stderr, "etc/pbx/pbx.conf") || !strings.Contains(r.stderr, "secret setting") || strings.Contains(r.stderr, "planted-in-test") {
		t.Fatalf("backup output: %+v", r)
	}
	if target, err := os.Readlink(filepath.Join(out, "latest.flx.gz")); err != nil || target != filepath.Base(snap) {
		t.Errorf("latest.flx.gz -> %q, %v", target, err) // a compressed snapshot's link names its form, as FlexPBX's tools do
	}
	r = runBin(t, "flx", "restore", "-m", "fresh", "-y", "--root", dst, snap)
	if r.code != 0 || !strings.Contains(r.stdout, "rollback point:") || !strings.Contains(r.stderr, "hold placeholders") || !strings.Contains(r.stderr, "  etc/pbx/pbx.conf") {
		t.Fatalf("flx restore: %+v", r)
	}
	got, _ := os.ReadFile(filepath.Join(dst, "etc/pbx/ext.conf"))
	if string(got) != files["etc/pbx/ext.conf"] {
		t.Errorf("restored ext.conf: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "etc/pbx/pbx.conf")); string(got) != "context=default\npassword=REDACTED\n" {
		t.Errorf("restored pbx.conf: %q", got)
	}
	r = runBin(t, "flx", "inspect", snap, "--json")
	var in struct {
		Verified bool
		Meta     struct {
			FileCount  int                           `json:"file_count"`
			Redactions []struct{ File, Rule string } `json:"redaction_report"`
		} `json:"meta"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil || !in.Verified || in.Meta.FileCount != 2 || len(in.Meta.Redactions) != 1 {
		t.Errorf("inspect --json: %v %+v %s", err, in, r.stdout)
	}

	// Keep-secrets snapshot, byte-identical, then tampered.
	r = runBin(t, "flx", "create", "--root", src, "-o", out, "--prefix", "raw", "--keep-secrets", "etc")
	raw := strings.TrimSpace(r.stdout)
	fresh := t.TempDir()
	if r := runBin(t, "flx", "restore", "-m", "fresh", "-y", "--root", fresh, raw); r.code != 0 {
		t.Fatalf("restore: %+v", r)
	}
	for p, c := range files {
		if got, _ := os.ReadFile(filepath.Join(fresh, p)); string(got) != c {
			t.Errorf("%s not byte-identical: %q", p, got)
		}
	}
	body, _ := os.ReadFile(raw)
	tampered := filepath.Join(t.TempDir(), "tampered.flx")
	// Flip one base64 character of the first file's content.
	i := bytes.Index(body, []byte(`"content": "`)) + len(`"content": "`)
	bad := append([]byte{}, body...)
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	os.WriteFile(tampered, bad, 0o600)
	empty := t.TempDir()
	r = runBin(t, "flx", "restore", "-y", "--root", empty, tampered)
	if r.code == 0 || !strings.Contains(r.stderr, "hash mismatch") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("tampered restore: %+v", r)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("the tampered restore wrote %v", entries)
	}
	if r := runBin(t, "flx", "verify", tampered); r.code != 1 {
		t.Errorf("verify of a tampered file exited %d", r.code)
	}
	dotdot := filepath.Join(t.TempDir(), "dotdot.flx")
	os.WriteFile(dotdot, bytes.Replace(body, []byte(`"path": "etc/pbx/ext.conf"`), []byte(`"path": "../../etc/passwd"`), 1), 0o600)
	r = runBin(t, "flx", "restore", "-y", "--root", empty, dotdot)
	if r.code == 0 || !strings.Contains(r.stderr, `climbs out with ".."`) {
		t.Errorf("../ entry: %+v", r)
	}

	// The agent has the same command.
	agent := filepath.Join(t.TempDir(), "borgdesk-agent")
	buildAgent(t, agent, "v1.0.0")
	outb, err := exec.Command(agent, "flx", "verify", snap).CombinedOutput()
	if err != nil || !strings.Contains(string(outb), "every hash matches") {
		t.Errorf("borgdesk-agent flx verify: %v %s", err, outb)
	}
	if err := exec.Command(agent, "flx", "verify", tampered).Run(); err == nil {
		t.Error("borgdesk-agent flx verify accepted a tampered file")
	}
}
