//go:build linux

package flx

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"borgdesk/backend/shared/flx/flexpbxtest"
)

// The forms FlexPBX writes, and where each one's files come from in the
// fixture's install (the module's flexpbx_app is its apps/flexpbx).
var flexpbxForms = []struct {
	file string
	// homeBase is where the public_html files land in the account's home.
	homeBase string
	hashes   bool
}{
	{"flexpbx-tools.flx", "", true},
	{"flexpbx-tools.flxx", "", true},
	{"flexpbx-module.flx", "apps/flexpbx/", false},
	{"flexpbx-export.flxx", "apps/flexpbx/", false},
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Errorf("%s: %v", got, err)
		return
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s holds %q; want %q (from %s)", got, g, w, want)
	}
}

func statOwner(t *testing.T, p string) (uid int, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid), fi.Mode().Perm()
}

// Done when: a FlexPBX-made JSON snapshot restored with -m merge -u pbx
// puts public_html/… into ~pbx/public_html/… and etc/… into /etc/…
// (under the root), owned and moded as FlexPBX's restore does, with its
// default_settings applied.
func TestFlexPBXJSONMergeLandsInTheHome(t *testing.T) {
	pbx := flexpbxtest.User(t)
	src, out := flexpbxtest.Fixtures(t, pbx)
	dst := t.TempDir()
	res, err := Restore(filepath.Join(out, "flexpbx-tools.flx"), RestoreOptions{Root: dst, Mode: ModeMerge, User: pbx.Username})
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dst, "home", pbx.Username)
	srcHome := filepath.Join(src, "home", pbx.Username)
	sameFile(t, filepath.Join(home, "public_html/api/login.php"), filepath.Join(srcHome, "public_html/api/login.php"))
	sameFile(t, filepath.Join(dst, "etc/asterisk/pjsip.conf"), filepath.Join(src, "etc/asterisk/pjsip.conf"))
	if _, err := os.Stat(filepath.Join(dst, "public_html")); err == nil {
		t.Error("public_html was restored beneath the root, not into the home")
	}
	if res.Account == nil || res.Account.Name != pbx.Username || res.Account.Why != "-u" {
		t.Errorf("account %+v; want %s chosen by -u", res.Account, pbx.Username)
	}
	uid, _ := strconv.Atoi(pbx.Uid)
	if got, _ := statOwner(t, filepath.Join(home, "public_html/api/login.php")); got != uid {
		t.Errorf("login.php belongs to uid %d; want %d (%s)", got, uid, pbx.Username)
	}
	if _, mode := statOwner(t, filepath.Join(dst, "etc/sudoers.d/flexpbx-asterisk")); mode != 0o440 {
		t.Errorf("sudoers drop-in mode %04o; want 0440", mode)
	}
	if _, mode := statOwner(t, filepath.Join(dst, "usr/local/bin/flexpbx-toggle-permissions")); mode != 0o755 {
		t.Errorf("tool mode %04o; want 0755", mode)
	}
	var cfg map[string]any
	b, _ := os.ReadFile(filepath.Join(home, "flexpbx-config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || cfg["asterisk_mode"] != "secure" {
		t.Errorf("flexpbx-config.json %q (%v); want the snapshot's default_settings", b, err)
	}
	sameFile(t, filepath.Join(home, "templates/settings_template.json"), filepath.Join(home, "flexpbx-config.json"))
}

// Every form round-trips in every mode against a temp root with a real
// account: the files land where FlexPBX puts them, byte for byte; a
// second restore over an edit puts the snapshot's bytes back (merge keeps
// the account's users/), and its rollback restores the edit.
func TestFlexPBXRoundTripEveryFormAndMode(t *testing.T) {
	pbx := flexpbxtest.User(t)
	src, out := flexpbxtest.Fixtures(t, pbx)
	srcHome := filepath.Join(src, "home", pbx.Username)
	for _, form := range flexpbxForms {
		for _, mode := range []string{ModeFresh, ModeMerge, ModeMigrate} {
			t.Run(form.file+"/"+mode, func(t *testing.T) {
				dst := t.TempDir()
				file := filepath.Join(out, form.file)
				o := RestoreOptions{Root: dst, Mode: mode, User: pbx.Username}
				if _, err := Restore(file, o); err != nil {
					t.Fatal(err)
				}
				home := filepath.Join(dst, "home", pbx.Username)
				login := filepath.Join(home, form.homeBase, "public_html/api/login.php")
				sameFile(t, login, filepath.Join(srcHome, "public_html/api/login.php"))
				sameFile(t, filepath.Join(dst, "etc/asterisk/extensions.conf"), filepath.Join(src, "etc/asterisk/extensions.conf"))
				if !form.hashes {
					sameFile(t, filepath.Join(dst, "var/spool/asterisk/voicemail/default/2001/INBOX/msg0000.txt"),
						filepath.Join(src, "var/spool/asterisk/voicemail/default/2001/INBOX/msg0000.txt"))
					if _, err := os.Stat(filepath.Join(dst, "var/spool/asterisk/monitor/2001-call.txt")); err != nil {
						t.Errorf("the recording is not at the module's path: %v", err)
					}
				}
				os.WriteFile(login, []byte("edited\n"), 0o644)
				again, err := Restore(file, o)
				if err != nil {
					t.Fatal(err)
				}
				sameFile(t, login, filepath.Join(srcHome, "public_html/api/login.php"))
				if _, err := Rollback(again.Rollback, dst); err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(login); string(b) != "edited\n" {
					t.Errorf("after the rollback login.php holds %q; want the edit back", b)
				}
				dry, err := Restore(file, RestoreOptions{Root: dst, Mode: mode, User: pbx.Username, DryRun: true})
				if err != nil {
					t.Fatal(err)
				}
				if c := dry.Counts(); c[ActOverwrite] != 1 {
					t.Errorf("dry run after the rollback: %v; want exactly the edited file to overwrite", c)
				}
			})
		}
	}
}

// merge keeps the FlexPBX accounts already in the home; fresh replaces
// them.
func TestFlexPBXMergeKeepsAccounts(t *testing.T) {
	pbx := flexpbxtest.User(t)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"users/2001.json": `{"extension":"2001"}`, "public_html/api/x.php": "<?php\n"}, nil)
	files, _, err := Collect(src, []string{"users", "public_html"})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := Create(t.TempDir(), "t", false, files, Options{KeepSecrets: true, Layout: LayoutFlexPBX})
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	local := filepath.Join(dst, "home", pbx.Username, "users/2001.json")
	writeTree(t, dst, map[string]string{"home/" + pbx.Username + "/users/2001.json": `{"extension":"2001","local":true}`}, nil)
	if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeMerge, User: pbx.Username}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(local); !strings.Contains(string(b), "local") {
		t.Errorf("merge replaced the account's users/2001.json: %s", b)
	}
	if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeFresh, User: pbx.Username}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(local); strings.Contains(string(b), "local") {
		t.Errorf("fresh kept users/2001.json: %s", b)
	}
}

func isEmptyTree(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s was written", p)
		}
		return nil
	})
}

// Without -u the account is the snapshot's, else the owner of the one
// FlexPBX home there; else the restore refuses, asking for -u, with
// nothing written. A -u naming nobody and a home that is a symlink are
// refused too.
func TestFlexPBXAccountChoice(t *testing.T) {
	pbx := flexpbxtest.User(t)
	other := flexpbxtest.User(t)
	_, out := flexpbxtest.Fixtures(t, pbx)
	tools := filepath.Join(out, "flexpbx-tools.flx")

	dst := t.TempDir()
	if _, err := Restore(tools, RestoreOptions{Root: dst}); err == nil || !strings.Contains(err.Error(), "-u USER") || !strings.Contains(err.Error(), "public_html/api/login.php") {
		t.Errorf("no account known: %v; want a sentence naming the entry and asking for -u USER", err)
	}
	isEmptyTree(t, dst)

	owned := filepath.Join(dst, "home", pbx.Username)
	writeTree(t, dst, map[string]string{"home/" + pbx.Username + "/flexpbx-config.json": "{}\n"}, nil)
	flexpbxtest.Chown(t, owned, pbx)
	res, err := Restore(tools, RestoreOptions{Root: dst})
	if err != nil {
		t.Fatal(err)
	}
	if res.Account == nil || res.Account.Name != pbx.Username || !strings.Contains(res.Account.Why, "owner") {
		t.Errorf("account %+v; want %s as the owner of the FlexPBX home", res.Account, pbx.Username)
	}

	writeTree(t, dst, map[string]string{"home/" + other.Username + "/public_html/api/x.php": "x"}, nil)
	flexpbxtest.Chown(t, filepath.Join(dst, "home", other.Username), other)
	if _, err := Restore(tools, RestoreOptions{Root: dst}); err == nil || !strings.Contains(err.Error(), other.Username) || !strings.Contains(err.Error(), pbx.Username) {
		t.Errorf("two FlexPBX homes: %v; want both named", err)
	}

	if _, err := Restore(tools, RestoreOptions{Root: t.TempDir(), User: "no-such-user-flx"}); err == nil || !strings.Contains(err.Error(), `"no-such-user-flx" does not exist`) {
		t.Errorf("-u for nobody: %v", err)
	}

	linked := t.TempDir()
	elsewhere := t.TempDir()
	os.MkdirAll(filepath.Join(linked, "home"), 0o755)
	os.Symlink(elsewhere, filepath.Join(linked, "home", pbx.Username))
	if _, err := Restore(tools, RestoreOptions{Root: linked, User: pbx.Username}); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("home is a symlink: %v", err)
	}
	isEmptyTree(t, linked)
	isEmptyTree(t, elsewhere)
}

// A snapshot Borgdesk made with the flexpbx profile names its account:
// its home-relative entries go into that account's home without -u.
func TestFlexPBXSnapshotNamesItsAccount(t *testing.T) {
	pbx := flexpbxtest.User(t)
	src, _ := flexpbxtest.Fixtures(t, pbx)
	a, err := FindFlexPBXAccount(src, "")
	if err != nil || a == nil || a.Name != pbx.Username {
		t.Fatalf("FindFlexPBXAccount = %+v, %v; want %s", a, err, pbx.Username)
	}
	b, err := CollectFlexPBX(src, a, false)
	if err != nil {
		t.Fatal(err)
	}
	snap, m, err := Create(t.TempDir(), "pbx", true, b.Files, Options{Type: TypeExtended, Layout: LayoutFlexPBX, Account: a.Name,
		DefaultSettings: b.DefaultSettings, UserTemplate: b.UserTemplate, AdminTemplate: b.AdminTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(snap), "latest.flxx.gz")); err != nil {
		t.Errorf("a gzipped .flxx's latest link: %v; want latest.flxx.gz", err)
	}
	for name, raw := range map[string]json.RawMessage{"default_settings": b.DefaultSettings, "user_template": b.UserTemplate, "admin_template": b.AdminTemplate} {
		for _, secret := range []string{"hunter2", "k-1234567890", "alice@", "Alice Example", "$2y$", "4321", "ops@pbx"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s keeps %q: %s", name, secret, raw)
			}
		}
	}
	if !bytes.Contains(b.UserTemplate, []byte(HashedPlaceholder)) || !bytes.Contains(b.DefaultSettings, []byte(`"asterisk_mode":"secure"`)) {
		t.Errorf("templates not filled from the account: user %s, settings %s", b.UserTemplate, b.DefaultSettings)
	}
	if m.FileCount < 10 {
		t.Errorf("the profile collected %d files; want the home's and the system's", m.FileCount)
	}
	dst := t.TempDir()
	res, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeFresh})
	if err != nil {
		t.Fatal(err)
	}
	if res.Account == nil || res.Account.Why != "named by the snapshot" {
		t.Errorf("account %+v; want the snapshot's", res.Account)
	}
	home := filepath.Join(dst, "home", pbx.Username)
	sameFile(t, filepath.Join(home, "public_html/api/login.php"), filepath.Join(src, "home", pbx.Username, "public_html/api/login.php"))
	sameFile(t, filepath.Join(dst, "etc/sudoers.d/flexpbx-asterisk"), filepath.Join(src, "etc/sudoers.d/flexpbx-asterisk"))
	if b, err := os.ReadFile(filepath.Join(home, "templates/user_template.json")); err != nil || !bytes.Contains(b, []byte(HashedPlaceholder)) {
		t.Errorf("templates/user_template.json: %q, %v", b, err)
	}
}

// diff places home-relative entries as a restore would: against the
// restored root nothing differs; an edit in the home shows as changed.
func TestFlexPBXDiffAgainstTheHome(t *testing.T) {
	pbx := flexpbxtest.User(t)
	_, out := flexpbxtest.Fixtures(t, pbx)
	tools := filepath.Join(out, "flexpbx-tools.flx")
	dst := t.TempDir()
	if _, err := Restore(tools, RestoreOptions{Root: dst, User: pbx.Username}); err != nil {
		t.Fatal(err)
	}
	d, err := DiffAs(tools, dst, pbx.Username)
	if err != nil || len(d) != 0 {
		t.Fatalf("DiffAs after the restore = %v, %v; want no differences", d, err)
	}
	login := "home/" + pbx.Username + "/public_html/api/login.php"
	os.WriteFile(filepath.Join(dst, login), []byte("edited\n"), 0o644)
	d, err = DiffAs(tools, dst, pbx.Username)
	if err != nil || len(d) != 1 || d[0] != (DiffEntry{login, "changed"}) {
		t.Errorf("DiffAs after an edit = %v, %v; want %s changed", d, err, login)
	}
	d, err = Diff(tools, filepath.Join(out, "flexpbx-tools.flxx"))
	if err != nil || len(d) != 0 {
		t.Errorf("the .flx and .flxx hold the same files: %v, %v", d, err)
	}
}
