//go:build linux

package flxcli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/flx/flexpbxtest"
	"borgdesk/backend/shared/testenv"
)

// buildAgent builds the real borgdesk-agent and links FlexPBX's tool
// names to it, as the agent's install does.
func buildAgent(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	agent := filepath.Join(bin, "borgdesk-agent")
	cmd := exec.Command("go", "build", "-o", agent, "borgdesk/agent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build borgdesk/agent: %v\n%s", err, out)
	}
	for name := range ToolNames {
		if err := os.Symlink("borgdesk-agent", filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

func runTool(t *testing.T, bin, name string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func uidOf(t *testing.T, p string) int {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}

// The FlexPBX names and long options work through the real binaries:
// -h/--help exits 0; flexpbx-backup makes a compressed .flxx with its
// latest.flxx.gz link in ~/backup; flexpbx-restore puts it into another
// root; flexpbx-migrate moves the install to a second real account.
func TestFlexPBXToolsThroughTheBinary(t *testing.T) {
	testenv.NeedCommands(t, "go", "visudo")
	pbx := flexpbxtest.User(t)
	src, _ := flexpbxtest.Fixtures(t, pbx)
	bin := buildAgent(t)

	for name := range ToolNames {
		for _, h := range []string{"-h", "--help"} {
			out, _, code := runTool(t, bin, name, nil, h)
			if code != 0 || !strings.Contains(out, "Usage:\n  "+name) || !strings.Contains(out, "--verbose") {
				t.Errorf("%s %s: exit %d, %q; want 0 and the usage with the long options", name, h, code, out)
			}
		}
	}
	home := t.TempDir()
	out, errs, code := runTool(t, bin, "flexpbx-backup", []string{"HOME=" + home}, "--type", "flxx", "--compress", "--verbose", "--root", src, "--user", pbx.Username)
	if code != 0 {
		t.Fatalf("flexpbx-backup: exit %d\n%s%s", code, out, errs)
	}
	latest := filepath.Join(home, "backup", "latest.flxx.gz")
	if target, err := os.Readlink(latest); err != nil || !strings.HasPrefix(target, "flexpbx-") || !strings.HasSuffix(target, ".flxx.gz") {
		t.Errorf("latest link %q, %v; want latest.flxx.gz → flexpbx-….flxx.gz", target, err)
	}
	if !strings.Contains(errs, "public_html/api/login.php") {
		t.Errorf("--verbose did not list the files: %s", errs)
	}

	dst := t.TempDir()
	out, errs, code = runTool(t, bin, "flexpbx-restore", nil, "--mode", "merge", "--user", pbx.Username, "--yes", "--root", dst, latest)
	if code != 0 {
		t.Fatalf("flexpbx-restore: exit %d\n%s%s", code, out, errs)
	}
	login := filepath.Join(dst, "home", pbx.Username, "public_html/api/login.php")
	want, _ := os.ReadFile(filepath.Join(src, "home", pbx.Username, "public_html/api/login.php"))
	if got, err := os.ReadFile(login); err != nil || !bytes.Equal(got, want) {
		t.Errorf("restored login.php %q, %v; want %q", got, err, want)
	}

	bob := flexpbxtest.User(t)
	backups := t.TempDir()
	out, errs, code = runTool(t, bin, "flexpbx-migrate", nil, "--source", pbx.Username, "--backup-dir", backups, "--keep-backup", "--yes", "--root", src, bob.Username)
	if code != 0 {
		t.Fatalf("flexpbx-migrate: exit %d\n%s%s", code, out, errs)
	}
	if kept, _ := filepath.Glob(filepath.Join(backups, "flexpbx-migration-*.flx")); len(kept) != 1 {
		t.Errorf("--keep-backup kept %v; want the source account's backup", kept)
	}
	bobUID, _ := strconv.Atoi(bob.Uid)
	if got := uidOf(t, filepath.Join(src, "home", bob.Username, "public_html/api/login.php")); got != bobUID {
		t.Errorf("migrated login.php belongs to uid %d; want %s's %d", got, bob.Username, bobUID)
	}
}

// migrate backs up the source account, moves its files into the target's
// home, hands the sudoers drop-in over (whole words only: the tool's path
// keeps its name) checked by visudo, and removes its backup without -k.
func TestMigrateHandsTheSudoersOver(t *testing.T) {
	testenv.NeedCommands(t, "visudo")
	pbx := flexpbxtest.User(t)
	bob := flexpbxtest.User(t)
	root, _ := flexpbxtest.Fixtures(t, pbx)
	sudoers := filepath.Join(root, flx.SudoersDropIn)
	// A tool whose path holds the old account's name must keep it.
	os.WriteFile(sudoers, []byte(pbx.Username+" ALL=(root) NOPASSWD: /usr/local/bin/flexpbx-"+pbx.Username+"-tool\n"), 0o440)
	backups := t.TempDir()
	var out, errb bytes.Buffer
	code := Run([]string{"migrate", "-s", pbx.Username, "-b", backups, "-y", "--root", root, bob.Username}, Env{Stdout: &out, Stderr: &errb, Producer: "test"})
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out.String(), errb.String())
	}
	got, _ := os.ReadFile(sudoers)
	if want := bob.Username + " ALL=(root) NOPASSWD: /usr/local/bin/flexpbx-" + pbx.Username + "-tool\n"; string(got) != want {
		t.Errorf("sudoers drop-in %q; want %q", got, want)
	}
	if old, err := os.ReadFile(sudoers + ".bak"); err != nil || !strings.HasPrefix(string(old), pbx.Username+" ") {
		t.Errorf("the old rules: %q, %v; want them kept in .bak", old, err)
	}
	if fi, err := os.Stat(sudoers); err != nil || fi.Mode().Perm() != 0o440 || uidOf(t, sudoers) != 0 {
		t.Errorf("sudoers drop-in %v, %v; want root's, 0440", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(backups, "flexpbx-migration-*")); len(left) != 0 {
		t.Errorf("without -k the backup stayed: %v", left)
	}
	if !strings.Contains(out.String(), "permissions: "+bob.Username+" owns") {
		t.Errorf("no permission test reported: %s", out.String())
	}
	bobUID, _ := strconv.Atoi(bob.Uid)
	if got := uidOf(t, filepath.Join(root, "home", bob.Username, "users/2001.json")); got != bobUID {
		t.Errorf("users/2001.json belongs to %d; want %d: migrate carries the accounts", got, bobUID)
	}

	// A drop-in visudo refuses is left as it was.
	os.WriteFile(sudoers, []byte(bob.Username+" ALL=(root) NOPASSWD: relative/path\n"), 0o440)
	if _, err := flx.UpdateSudoers(root, bob.Username, pbx.Username); err == nil || !strings.Contains(err.Error(), "visudo -c refuses") {
		t.Errorf("UpdateSudoers over invalid rules: %v; want visudo's refusal", err)
	}
	if got, _ := os.ReadFile(sudoers); !strings.HasPrefix(string(got), bob.Username+" ") {
		t.Errorf("after the refusal the drop-in holds %q; want the old rules", got)
	}
}
