//go:build linux

package flx

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func writeTree(t *testing.T, root string, files map[string]string, modes map[string]os.FileMode) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		mode := os.FileMode(0o644)
		if m, ok := modes[p]; ok {
			mode = m
		}
		if err := os.WriteFile(full, []byte(c), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(full, mode)
	}
}

func snapshot(t *testing.T, root string, paths []string, o Options) string {
	t.Helper()
	files, skipped, err := Collect(root, paths)
	if err != nil {
		t.Fatal(err)
	}
	o.Skipped = skipped
	name, _, err := Create(t.TempDir(), "test", false, files, o)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// treeOf maps every regular file under root to its content and mode.
func treeOf(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, "var/backups/borgdesk-flx") {
			return nil
		}
		raw, _ := os.ReadFile(p)
		fi, _ := d.Info()
		out[rel] = fmt.Sprintf("%v %s", fi.Mode().Perm(), raw)
		return nil
	})
	return out
}

// backup then restore -m fresh into an empty root gives byte-identical files.
func TestRoundTripIsByteIdentical(t *testing.T) {
	src := t.TempDir()
	big := make([]byte, 3<<20+17)
	rand.Read(big)
	files := map[string]string{
		"etc/app/app.conf":       "a=1\n",
		"etc/app/conf.d/ünï.cfg": "unicode name\n",
		"etc/app/empty":          "",
		"etc/app/blob.bin":       string(big),
		"etc/app/run.sh":         "#!/bin/sh\necho hi\n",
		"etc/app/no-newline.txt": "last line without newline",
	}
	writeTree(t, src, files, map[string]os.FileMode{"etc/app/run.sh": 0o750, "etc/app/app.conf": 0o600})
	for _, gz := range []bool{false, true} {
		fl, _, err := Collect(src, []string{"etc"})
		if err != nil {
			t.Fatal(err)
		}
		name, m, err := Create(t.TempDir(), "rt", gz, fl, Options{KeepSecrets: true})
		if err != nil {
			t.Fatal(err)
		}
		if m.FileCount != len(files) || !m.SensitiveDataIncluded {
			t.Fatalf("meta %+v", m)
		}
		dst := t.TempDir()
		res, err := Restore(name, RestoreOptions{Root: dst, Mode: ModeFresh})
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts()[ActCreate] != len(files) {
			t.Errorf("changes %v", res.Counts())
		}
		want, got := treeOf(t, src), treeOf(t, dst)
		if len(got) != len(want) {
			t.Errorf("gz=%v: %d files restored, want %d", gz, len(got), len(want))
		}
		for p, w := range want {
			if got[p] != w {
				t.Errorf("gz=%v: %s differs after the round trip", gz, p)
			}
		}
	}
}

// A planted password= line (and its friends) is redacted and reported; the
// report never holds the secret; --keep-secrets keeps it and says so.
func TestSanitizing(t *testing.T) {
	src := t.TempDir()
	conf := strings.Join([]string{
		"db_host = localhost",
		"password=hunter2-planted",
		`"api_key": "sk_live_PLANTED"`,
		"admin = alice.smith@corp.example",
		"fullname=Alice Smith",
		"root:$6$saltsalt$PLANTEDHASHPLANTEDHASH:19000:0:99999:7:::",
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQPLANTEDKEY",
		"-----END OPENSSH PRIVATE KEY-----",
		"secret=sip-PLANTED",
		"",
	}, "\n")
	writeTree(t, src, map[string]string{
		"etc/pbx/pbx.conf":                conf,
		"etc/pbx/log/today.log":           "password=in-a-log-PLANTED\n",
		"etc/pbx/sessions/sess_abc":       "token=PLANTED\n",
		"etc/pbx/push_subscriptions.json": `{"endpoint":"PLANTED"}`,
		"etc/pbx/recordings/call.wav":     "RIFF",
	}, nil)
	name := snapshot(t, src, []string{"etc"}, Options{})
	raw, _ := os.ReadFile(name)
	in, err := Inspect(name)
	if err != nil {
		t.Fatal(err)
	}
	if in.Meta.SensitiveDataIncluded || len(in.Files) != 1 {
		t.Fatalf("meta %+v, files %v", in.Meta, in.Files)
	}
	dst := t.TempDir()
	if _, err := Restore(name, RestoreOptions{Root: dst, Mode: ModeFresh}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dst, "etc/pbx/pbx.conf"))
	for _, secret := range []string{"hunter2", "sk_live", "alice.smith", "Alice Smith", "PLANTEDHASH", "PLANTEDKEY", "sip-PLANTED"} {
		if bytes.Contains(got, []byte(secret)) || bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString([]byte(secret)))) {
			t.Errorf("%q survived sanitizing:\n%s", secret, got)
		}
		if strings.Contains(fmt.Sprint(in.Meta.Redactions), secret) {
			t.Errorf("the report holds %q", secret)
		}
	}
	for _, want := range []string{"password=REDACTED", `"api_key": "REDACTED"`, "admin = user@example.com", "fullname=User Name", "root:HASHED_PLACEHOLDER:19000", "secret=REDACTED", "db_host = localhost", "-----BEGIN PRIVATE KEY-----\nREDACTED\n-----END PRIVATE KEY-----"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("sanitized file lacks %q:\n%s", want, got)
		}
	}
	rules := map[string]int{}
	for _, r := range in.Meta.Redactions {
		rules[r.Rule] += r.Count
	}
	for _, r := range []string{"secret setting", "e-mail address", "real name", "password hash", "private key", "excluded: log", "excluded: session", "excluded: push subscription", "excluded: recording"} {
		if rules[r] == 0 {
			t.Errorf("report lacks %q: %v", r, in.Meta.Redactions)
		}
	}
	// --keep-secrets: kept, and flagged.
	kept := snapshot(t, src, []string{"etc/pbx/pbx.conf"}, Options{KeepSecrets: true})
	in, _ = Inspect(kept)
	dst = t.TempDir()
	Restore(kept, RestoreOptions{Root: dst, Mode: ModeFresh})
	got, _ = os.ReadFile(filepath.Join(dst, "etc/pbx/pbx.conf"))
	if !in.Meta.SensitiveDataIncluded || string(got) != conf {
		t.Errorf("--keep-secrets: sensitive=%v, content changed=%v", in.Meta.SensitiveDataIncluded, string(got) != conf)
	}
}

// rewrite edits a snapshot's JSON text.
func rewrite(t *testing.T, name string, fn func(string) string) string {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "edited.flx")
	os.WriteFile(out, []byte(fn(string(raw))), 0o600)
	return out
}

// Every bad input fails with a sentence naming the file's entry, and
// writes nothing.
func TestBadSnapshotsWriteNothing(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{"etc/a.conf": "alpha\n", "etc/b.conf": "bravo\n"}, nil)
	good := snapshot(t, src, []string{"etc"}, Options{KeepSecrets: true})
	raw, _ := os.ReadFile(good)
	aB64 := base64.StdEncoding.EncodeToString([]byte("alpha\n"))
	gzTrunc := filepath.Join(t.TempDir(), "t.flx.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(raw)
	zw.Close()
	os.WriteFile(gzTrunc, zb.Bytes()[:zb.Len()/2], 0o600)

	cases := map[string]struct {
		file string
		want string
	}{
		"not JSON":         {rewrite(t, good, func(string) string { return "this is not json" }), "not a .flx snapshot"},
		"truncated gzip":   {gzTrunc, "truncated"},
		"truncated JSON":   {rewrite(t, good, func(s string) string { return s[:len(s)/2] }), "truncated"},
		"wrong file_count": {rewrite(t, good, func(s string) string { return strings.Replace(s, `"file_count": 2`, `"file_count": 3`, 1) }), "file_count says 3"},
		"hash mismatch": {rewrite(t, good, func(s string) string {
			return strings.Replace(s, aB64, base64.StdEncoding.EncodeToString([]byte("ALPHA\n")), 1)
		}), "entry 1 (etc/a.conf): hash mismatch"},
		"bad base64":      {rewrite(t, good, func(s string) string { return strings.Replace(s, aB64, "!!!notbase64!!!", 1) }), "entry 1 (etc/a.conf): content is not valid base64"},
		"dot-dot":         {rewrite(t, good, func(s string) string { return strings.Replace(s, `"etc/b.conf"`, `"etc/../../escape.conf"`, 1) }), `climbs out with ".."`},
		"duplicate paths": {rewrite(t, good, func(s string) string { return strings.Replace(s, `"etc/b.conf"`, `"etc/a.conf"`, 1) }), "the same path as entry 1"},
		"10 GB declared": {rewrite(t, good, func(s string) string {
			return strings.Replace(s, `"path": "etc/a.conf"`, `"path": "etc/a.conf", "size": 10737418240`, 1)
		}), "declared size 10737418240"},
		"newer version":    {rewrite(t, good, func(s string) string { return strings.Replace(s, `"version": "1.0"`, `"version": "2.0"`, 1) }), "format version 2.0 is newer"},
		"no hash":          {rewrite(t, good, func(s string) string { return strings.Replace(s, `"hash": "sha256:`, `"hush": "sha256:`, 1) }), "hash \"\" is not sha256"},
		"trailing garbage": {rewrite(t, good, func(s string) string { return s + "{}" }), "after the end"},
		"size lies":        {rewrite(t, good, func(s string) string { return strings.Replace(s, `"size": 6,`, `"size": 7,`, 1) }), "size says 7 bytes"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst := t.TempDir()
			_, err := Restore(c.file, RestoreOptions{Root: dst, Mode: ModeFresh})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was written") {
				t.Fatalf("err = %v, want it to say %q and that nothing was written", err, c.want)
			}
			if entries, _ := os.ReadDir(dst); len(entries) != 0 {
				t.Errorf("something was written: %v", entries)
			}
		})
	}
}

// A symlink in the target that points out is never written through.
func TestSymlinkEscapeRefused(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{"etc/app/x.conf": "x\n"}, nil)
	name := snapshot(t, src, []string{"etc"}, Options{})
	dst, outside := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dst, "etc"), 0o755)
	os.Symlink(outside, filepath.Join(dst, "etc", "app"))
	_, err := Restore(name, RestoreOptions{Root: dst})
	if err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Fatalf("restore through a symlink: %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside the root: %v", entries)
	}
	// A symlinked var/ cannot carry the rollback snapshot outside either.
	dst2, outside2 := t.TempDir(), t.TempDir()
	os.Symlink(outside2, filepath.Join(dst2, "var"))
	if _, err := Restore(name, RestoreOptions{Root: dst2}); err == nil || !strings.Contains(err.Error(), "rollback directory") {
		t.Fatalf("rollback directory through a symlink: %v", err)
	}
	if entries, _ := os.ReadDir(outside2); len(entries) != 0 {
		t.Errorf("the rollback went outside the root: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dst2, "etc")); err == nil {
		t.Error("files were restored although the rollback point could not be made")
	}
}

// merge keeps user data already there and updates system files; fresh
// removes what the snapshot's directories no longer have; --rollback puts
// back byte-identical files and removes what the restore created.
func TestModesAndRollback(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{
		"etc/pbx/pbx.conf":     "new system\n",
		"etc/pbx/added.conf":   "added\n",
		"home/alice/notes.txt": "snapshot notes\n",
		"var/lib/pbx/users.db": "snapshot db\n",
	}, nil)
	name := snapshot(t, src, []string{"etc", "home", "var"}, Options{KeepSecrets: true})
	dst := t.TempDir()
	writeTree(t, dst, map[string]string{
		"etc/pbx/pbx.conf":     "old system\n",
		"etc/pbx/stale.conf":   "stale\n",
		"home/alice/notes.txt": "the user's own notes\n",
		"var/lib/pbx/users.db": "live db\n",
	}, map[string]os.FileMode{"etc/pbx/pbx.conf": 0o640})
	before := treeOf(t, dst)

	res, err := Restore(name, RestoreOptions{Root: dst, Mode: ModeMerge})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string { b, _ := os.ReadFile(filepath.Join(dst, p)); return string(b) }
	if read("etc/pbx/pbx.conf") != "new system\n" || read("etc/pbx/added.conf") != "added\n" {
		t.Errorf("merge did not update system files")
	}
	if read("home/alice/notes.txt") != "the user's own notes\n" || read("var/lib/pbx/users.db") != "live db\n" {
		t.Errorf("merge overwrote user data")
	}
	if read("etc/pbx/stale.conf") != "stale\n" {
		t.Errorf("merge removed a file")
	}
	if _, err := Rollback(res.Rollback, dst); err != nil {
		t.Fatal(err)
	}
	after := treeOf(t, dst)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rollback did not restore the tree:\nbefore %v\nafter  %v", before, after)
	}

	res, err = Restore(name, RestoreOptions{Root: dst, Mode: ModeFresh})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "etc/pbx/stale.conf")); err == nil {
		t.Error("fresh left a file the snapshot's directory does not have")
	}
	if read("home/alice/notes.txt") != "snapshot notes\n" {
		t.Error("fresh did not replace the tree")
	}
	if _, err := Rollback(res.Rollback, dst); err != nil {
		t.Fatal(err)
	}
	if after := treeOf(t, dst); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rollback after fresh:\nbefore %v\nafter  %v", before, after)
	}

	// Dry run: the plan, nothing written.
	res, err = Restore(name, RestoreOptions{Root: dst, Mode: ModeFresh, DryRun: true})
	if err != nil || res.Counts()[ActRemove] != 1 || res.Counts()[ActCreate] != 1 || res.Counts()[ActOverwrite] != 3 {
		t.Errorf("dry run: %v %v", res.Counts(), err)
	}
	if after := treeOf(t, dst); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("the dry run wrote")
	}
}

// migrate installs into another (real) user's home and gives it to them.
func TestMigrateToAnotherUser(t *testing.T) {
	if _, err := Restore("x", RestoreOptions{Root: t.TempDir(), Mode: ModeMigrate, User: "no-such-user-borgdesk"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("migrate to a missing user: %v", err)
	}
	testenv.NeedRoot(t, "create a test user")
	name := "bdflx" + strconv.Itoa(int(time.Now().UnixNano()%100000))
	if out, err := exec.Command("useradd", "--no-create-home", "--home-dir", "/home/"+name, name).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	u, _ := user.Lookup(name)

	src := t.TempDir()
	writeTree(t, src, map[string]string{"home/alice/.pbxrc": "ext=100\n", "home/alice/cfg/a.conf": "a\n", "etc/pbx/x.conf": "x\n"}, nil)
	snap := snapshot(t, src, []string{"home", "etc"}, Options{KeepSecrets: true})
	dst := t.TempDir()
	if _, err := Restore(snap, RestoreOptions{Root: dst, Mode: ModeMigrate, User: name}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"home/" + name + "/.pbxrc", "home/" + name + "/cfg/a.conf"} {
		fi, err := os.Stat(filepath.Join(dst, p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if ownerOf(fi) != u.Uid {
			t.Errorf("%s owned by %v, want %s", p, ownerOf(fi), u.Uid)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "home/alice")); err == nil {
		t.Error("the source home was restored as is")
	}
}

// The FlexPBX tools' own files read: escaped slashes, hash before content,
// gzip, .flxx templates.
func TestFlexPBXFixtures(t *testing.T) {
	in, err := Inspect("testdata/flexpbx-1.2.0.flx")
	if err != nil {
		t.Fatal(err)
	}
	if in.Meta.FlexPBXVersion != "1.2.0" || len(in.Files) != 3 || in.Files[0].Path != "/etc/asterisk/sip.conf" || string(in.Meta.DefaultSettings) == "" {
		t.Errorf("inspect: %+v %+v", in.Meta, in.Files)
	}
	dst := t.TempDir()
	if _, err := Restore("testdata/flexpbx-1.2.0.flx", RestoreOptions{Root: dst, Mode: ModeFresh}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "etc/flexpbx/flexpbx.conf")); !strings.Contains(string(b), "été") {
		t.Errorf("restored flexpbx.conf: %q", b)
	}
	ext, err := Inspect("testdata/flexpbx-1.2.0.flxx.gz")
	if err != nil {
		t.Fatal(err)
	}
	if ext.Meta.BackupType != TypeExtended || !strings.Contains(string(ext.Meta.UserTemplate), "voicemail") || len(ext.Meta.Schemas) == 0 {
		t.Errorf("flxx: %+v", ext.Meta)
	}
}

// Golden: what Borgdesk writes, byte for byte (go test -update to accept a
// deliberate change).
func TestGoldenSnapshot(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{"etc/app/app.conf": "name=demo\npassword=golden-secret\n", "etc/app/b.txt": "b\n"}, nil)
	mt := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{"etc/app/app.conf", "etc/app/b.txt"} {
		os.Chtimes(filepath.Join(src, p), mt, mt)
	}
	files, skipped, _ := Collect(src, []string{"etc"})
	for i := range files {
		files[i].Info = fixedOwner{files[i].Info}
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, files, Options{Producer: "borgdesk golden", Now: mt, Skipped: skipped, Type: TypeExtended,
		UserTemplate: []byte(`{"role":"user"}`)}); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/golden.flxx"
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the writer's output changed:\n%s", buf.String())
	}
	if _, err := Walk(bytes.NewReader(want), nil); err != nil {
		t.Errorf("the golden file does not read back: %v", err)
	}
}

// FuzzWalk: the reader never panics or hangs on any input; the corpus is
// in testdata/fuzz/FuzzWalk.
func FuzzWalk(f *testing.F) {
	for _, p := range []string{"testdata/flexpbx-1.2.0.flx", "testdata/golden.flxx"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"version":"1.0","file_count":0,"files":[]}`))
	f.Add([]byte(`{"version":"1.0","file_count":1,"files":[{"path":"a","content":"YQ==","hash":"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		Walk(bytes.NewReader(data), nil)
	})
}

func ownerOf(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return strconv.Itoa(int(st.Uid))
	}
	return "?"
}

// fixedOwner hides the file's owner, so the golden file does not depend on
// who runs the test.
type fixedOwner struct{ os.FileInfo }

func (fixedOwner) Sys() any { return nil }
