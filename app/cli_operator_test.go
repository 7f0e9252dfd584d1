package app

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// startServeOperators runs `borgdesk serve` in-process with its operator
// listener on a free port until the test ends.
func startServeOperators(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- runCLI(ctx, nil, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0", "--operators-listen", "127.0.0.1:0", "--log-file", "off")
	}()
	t.Cleanup(func() {
		cancel()
		if r := <-done; r.code != 0 {
			t.Errorf("serve exited %d: %s", r.code, r.stderr)
		}
	})
	waitSocket(t, filepath.Join(dir, "borgdesk.sock"), done)
}

// TestOperatorCommands: an admin invites a viewer on the coordinator's
// machine; the viewer connects from another config dir and uses
// --coordinator / BORGDESK_COORDINATOR; a run is refused with a sentence,
// audited, and a revoke ends the access.
func TestOperatorCommands(t *testing.T) {
	dir := t.TempDir()
	startServeOperators(t, dir)
	ctx := context.Background()
	local := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }

	if r := local("operator", "invite", "vera"); r.code != exitUsage || !strings.Contains(r.stderr, "--role") {
		t.Fatalf("invite without a role = %+v", r)
	}
	if r := local("operator", "invite", "vera", "--role", "root"); r.code != exitError || !strings.Contains(r.stderr, "choose admin, operator or viewer") {
		t.Fatalf("invite as root = %+v", r)
	}
	r := local("operator", "invite", "vera", "--role", "viewer", "--json")
	var inv struct{ URL, Code string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &inv) != nil || !strings.HasPrefix(inv.Code, "bdinvite1.") {
		t.Fatalf("operator invite --json = %+v", r)
	}

	cfg := t.TempDir() // the operator's machine
	away := map[string]string{"XDG_CONFIG_HOME": cfg}
	var out, errb bytes.Buffer
	e := env0(away, &out, &errb)
	e.stdin = strings.NewReader(inv.Code + "\n")
	if code := run(ctx, []string{"connect", inv.URL, "--invite", "-"}, e); code != 0 || !strings.Contains(out.String(), "connected to "+inv.URL+" as vera (viewer)") {
		t.Fatalf("connect --invite - = %d %s %s", code, out.String(), errb.String())
	}
	if r := runCLI(ctx, away, "connect", inv.URL, "--invite", inv.Code, "--name", "again"); r.code != exitError || !strings.Contains(r.stderr, "already used or has expired") {
		t.Fatalf("connect with a used invite = %+v", r)
	}
	if r := runCLI(ctx, away, "--coordinator", inv.URL, "status"); r.code != 0 || !strings.Contains(r.stdout, "operators.listen") {
		t.Fatalf("status on the remote coordinator = %+v", r)
	}
	if r := runCLI(ctx, away, "connect", "--renew", inv.URL); r.code != exitError || !strings.Contains(r.stderr, "renewal opens on") {
		t.Fatalf("connect --renew of a new certificate = %+v", r)
	}
	away["BORGDESK_COORDINATOR"] = inv.URL
	if r := runCLI(ctx, away, "job", "run", "web1/files"); r.code != exitError || !strings.Contains(r.stderr, "vera has the role viewer") || !strings.Contains(r.stderr, "needs the role operator") {
		t.Fatalf("job run as a viewer = %+v", r)
	}
	if r := runCLI(ctx, map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "BORGDESK_COORDINATOR": inv.URL}, "status"); r.code != exitError || !strings.Contains(r.stderr, "borgdesk connect") {
		t.Fatalf("status from a machine that never connected = %+v", r)
	}

	if r := local("operator", "list"); r.code != 0 || !strings.Contains(r.stdout, "vera") || !strings.Contains(r.stdout, "viewer") {
		t.Fatalf("operator list = %+v", r)
	}
	r = local("audit", "list", "--json")
	var audit []struct{ Operator, Action, Result string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &audit) != nil || len(audit) == 0 || audit[0].Operator != "vera" || audit[0].Result != "refused" {
		t.Fatalf("audit list --json = %+v; want vera's refusal first", r)
	}
	if r := local("operator", "revoke", "vera"); r.code != 0 || !strings.Contains(r.stdout, "revoked operator vera") {
		t.Fatalf("operator revoke = %+v", r)
	}
	if r := runCLI(ctx, away, "status"); r.code == 0 {
		t.Fatalf("status as revoked vera = %+v; want a refusal", r)
	}
}
