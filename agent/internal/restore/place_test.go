package restore

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/safefs"
)

// The policies as before: skip keeps the server's file, overwrite
// replaces it, keep-both lands the archive's copy beside it; a folder
// never replaces a file; symlinks arrive as symlinks.
func TestPlacePolicies(t *testing.T) {
	cases := []struct {
		policy string
		conf   string // etc/app.conf afterwards
		beside bool   // etc/app.conf.restored-… exists
	}{
		{agentapi.PolicySkip, "mine\n", false},
		{agentapi.PolicyOverwrite, "archived\n", false},
		{agentapi.PolicyKeepBoth, "mine\n", true},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			dst := t.TempDir()
			writeFiles(t, dst, map[string]string{"etc/app.conf": "mine\n", "var/data": "a file\n"}, os.Geteuid(), 0o644)
			staging := filepath.Join(dst, StagingPrefix+"7")
			writeFiles(t, staging, map[string]string{"etc/app.conf": "archived\n", "etc/new.conf": "new\n", "var/data/x": "a folder's file\n"}, os.Geteuid(), 0o640)
			os.Symlink("/etc/passwd", filepath.Join(staging, "etc", "link"))
			res := agentapi.RestoreResult{To: dst}
			if err := placeWith(t, staging, dst, &placer{policy: c.policy, res: &res}); err != nil {
				t.Fatal(err)
			}
			if raw, _ := os.ReadFile(filepath.Join(dst, "etc/app.conf")); string(raw) != c.conf {
				t.Errorf("etc/app.conf: %q; want %q", raw, c.conf)
			}
			_, err := os.Stat(filepath.Join(dst, "etc/app.conf.restored-20260101-000000"))
			if (err == nil) != c.beside {
				t.Errorf("kept-both copy exists: %v; want %v", err == nil, c.beside)
			}
			if raw, _ := os.ReadFile(filepath.Join(dst, "var/data")); string(raw) != "a file\n" {
				t.Errorf("var/data was replaced by a folder: %q", raw)
			}
			if link, err := os.Readlink(filepath.Join(dst, "etc/link")); err != nil || link != "/etc/passwd" {
				t.Errorf("etc/link: %q, %v; want a symlink to /etc/passwd", link, err)
			}
			if res.Skipped < 1 || !strings.Contains(summary(&res), "skipped") {
				t.Errorf("summary %q, skipped %d", summary(&res), res.Skipped)
			}
		})
	}
}

// setuid/setgid bits from an archive survive only on root's files, and
// only when the task asks to keep them.
func TestPlaceDropsSetuid(t *testing.T) {
	needRoot(t, "stage files owned by root and by uid 12345")
	const suid = fs.ModeSetuid | fs.ModeSetgid
	for _, keep := range []bool{false, true} {
		dst := t.TempDir()
		staging := filepath.Join(dst, StagingPrefix+"8")
		writeFiles(t, staging, map[string]string{"bin/root-tool": "x"}, 0, 0o755|suid)
		writeFiles(t, staging, map[string]string{"bin/user-tool": "x"}, 12345, 0o755|suid)
		res := agentapi.RestoreResult{To: dst}
		if err := placeWith(t, staging, dst, &placer{policy: agentapi.PolicyOverwrite, keepSetuid: keep, res: &res}); err != nil {
			t.Fatal(err)
		}
		want := map[string]fs.FileMode{"root-tool": 0o755, "user-tool": 0o755}
		if keep {
			want["root-tool"] |= suid
		}
		for n, w := range want {
			fi, err := os.Lstat(filepath.Join(dst, "bin", n))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (fs.ModePerm | suid); got != w {
				t.Errorf("keep %v: %s is %v; want %v", keep, n, got, w)
			}
		}
	}
}

// The copy used across file systems keeps contents, modes, owners,
// times and symlinks, through descriptors.
func TestCopyTree(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFiles(t, src, map[string]string{"tree/a": "alpha\n", "tree/sub/b": "bravo\n"}, os.Geteuid(), 0o640)
	os.Symlink("../a", filepath.Join(src, "tree", "sub", "link"))
	s, err := safefs.OpenRoot(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := safefs.OpenRoot(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := copyTree(s, "tree", d, "copy"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"copy/a": "alpha\n", "copy/sub/b": "bravo\n"} {
		fi, err := os.Stat(filepath.Join(dst, p))
		raw, _ := os.ReadFile(filepath.Join(dst, p))
		if err != nil || string(raw) != want || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: %q %v %v; want %q 0640", p, raw, fi, err, want)
		}
	}
	if link, err := os.Readlink(filepath.Join(dst, "copy/sub/link")); err != nil || link != "../a" {
		t.Errorf("copy/sub/link: %q %v", link, err)
	}
}
