package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLIIn(ctx context.Context, stdin string, args ...string) result {
	var out, errb bytes.Buffer
	e := env0(nil, &out, &errb)
	e.stdin = strings.NewReader(stdin)
	code := run(ctx, args, e)
	return result{code, out.String(), errb.String()}
}

// The recovery-kit commands in-process against a coordinator started by
// serve: status, export (through the socket), inspect, and import into a
// new data dir that a second serve then runs with the same CA.
func TestRecoveryKitCLI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	startServe(t, dir)
	const pass = "staple battery horse correct"
	passFile := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(passFile, []byte(pass+"\n"), 0o600)
	kit := filepath.Join(t.TempDir(), "fleet.kit")

	if r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "status"); r.code != 0 || !strings.Contains(r.stdout, "No recovery kit yet") {
		t.Errorf("status before = %+v", r)
	}
	if r := runCLIIn(ctx, "short\n", "--data", dir, "recovery-kit", "export", kit, "--passphrase-stdin"); r.code != exitError || !strings.Contains(r.stderr, "use at least 12") {
		t.Errorf("short passphrase = %+v", r)
	}
	if r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "export", kit); r.code != exitUsage || !strings.Contains(r.stderr, "--passphrase-file") {
		t.Errorf("no passphrase and no terminal = %+v", r)
	}
	if r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "export", filepath.Join(dir, "kit"), "--passphrase-file", passFile); r.code != exitError || !strings.Contains(r.stderr, "inside the data dir") {
		t.Errorf("kit inside the data dir = %+v", r)
	}
	if _, err := os.Stat(kit); err == nil {
		t.Fatal("a refused export wrote the kit")
	}
	r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "export", kit, "--passphrase-file", passFile)
	if r.code != 0 || !strings.Contains(r.stdout, "Recovery kit written to "+kit) || !strings.Contains(r.stdout, "verified") {
		t.Fatalf("export = %+v", r)
	}
	if fi, err := os.Stat(kit); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kit %v %v; want mode 0600", fi, err)
	}
	if r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "status"); r.code != 0 || !strings.Contains(r.stdout, "Up to date") || !strings.Contains(r.stdout, kit) {
		t.Errorf("status after = %+v", r)
	}
	if r := runCLI(ctx, nil, "--data", dir, "settings", "get", "recovery.last_export"); r.code != 0 || !strings.HasPrefix(r.stdout, "20") {
		t.Errorf("recovery.last_export = %+v", r)
	}

	// inspect: the manifest and the files, no secret.
	if r := runCLIIn(ctx, "not it at all\n", "recovery-kit", "inspect", kit, "--passphrase-stdin"); r.code != exitError || !strings.Contains(r.stderr, "passphrase does not open") {
		t.Errorf("inspect with a wrong passphrase = %+v", r)
	}
	r = runCLIIn(ctx, pass+"\n", "recovery-kit", "inspect", kit, "--passphrase-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "ca/ca.key") || !strings.Contains(r.stdout, "ssh_host_ed25519_key") || !strings.Contains(r.stdout, "whole") {
		t.Fatalf("inspect = %+v", r)
	}
	caKey, _ := os.ReadFile(filepath.Join(dir, "ca", "ca.key"))
	if strings.Contains(r.stdout, strings.Split(string(caKey), "\n")[1]) {
		t.Error("inspect printed the CA key")
	}
	var status map[string]any
	if r := runCLI(ctx, nil, "--data", dir, "status", "--json"); json.Unmarshal([]byte(r.stdout), &status) != nil {
		t.Fatalf("status = %+v", r)
	}

	// import: refused into a live data dir, fine into a new one.
	if r := runCLI(ctx, nil, "--data", dir, "recovery-kit", "import", kit, "--passphrase-file", passFile); r.code != exitError || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("import into the live data dir = %+v", r)
	}
	to := filepath.Join(t.TempDir(), "new")
	r = runCLI(ctx, nil, "recovery-kit", "import", kit, "--data", to, "--passphrase-file", passFile)
	if r.code != 0 || !strings.Contains(r.stdout, "Imported the recovery kit") || !strings.Contains(r.stdout, "borgdesk serve --data "+to) || !strings.Contains(r.stderr, "warning: the kit comes from the data dir "+dir) {
		t.Fatalf("import = %+v", r)
	}
	startServe(t, to)
	var after map[string]any
	if r := runCLI(ctx, nil, "--data", to, "status", "--json"); json.Unmarshal([]byte(r.stdout), &after) != nil || after["ca_fingerprint"] != status["ca_fingerprint"] {
		t.Errorf("the new coordinator's CA = %v; want %v", after["ca_fingerprint"], status["ca_fingerprint"])
	}
	if r := runCLI(ctx, nil, "recovery-kit", "frob", kit); r.code != exitUsage {
		t.Errorf("unknown subcommand = %+v", r)
	}
}
