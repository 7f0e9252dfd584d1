package recoverykit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/shared/borgssh"
	"borgdesk/backend/store"
)

const (
	pass  = "correct horse battery staple"
	agent = "0b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10"
	// testWork keeps scrypt cheap in tests (age's default is 18).
	testWork = 10
)

// source is a coordinator's view of a data dir: its live store and fake
// key exports (the real `borg key export` is tested in backend/repos).
type source struct {
	st      *store.Store
	keyErrs map[string]error
}

func (s *source) SnapshotDatabase(ctx context.Context, dest string) error {
	return s.st.Snapshot(ctx, dest)
}

func (s *source) ExportKey(_ context.Context, agent string) ([]byte, error) {
	if err := s.keyErrs[agent]; err != nil {
		return nil, err
	}
	return []byte("BORG_KEY 1234\nkey of " + agent + "\n"), nil
}

// coordinatorDir makes a data dir as a running coordinator has it: the CA
// and its keys, the SSH host key, a repository with its passphrase, the
// SMTP password, pinned host keys, a live database with a server, and
// things a kit leaves out (the catalog, mounts, a repository's segments).
func coordinatorDir(t *testing.T) (string, *source) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := ca.LoadOrCreate(filepath.Join(dir, "ca"), time.Now); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "ca", "update.key"), "update signing key", 0o600)
	if _, err := borgssh.LoadOrCreateHostKey(filepath.Join(dir, HostKeyFile)); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "keys", agent+".passphrase"), "repo-passphrase-1", 0o600)
	write(t, filepath.Join(dir, "keys", "smtp.password"), "smtp-secret", 0o600)
	write(t, filepath.Join(dir, "keys", "hosted", "borgbase_ed25519"), "hosted target key", 0o600)
	write(t, filepath.Join(dir, KnownHosts), "[10.0.0.5]:22 ssh-ed25519 AAAA\n", 0o644)
	write(t, filepath.Join(dir, "repos", agent, "config"), "[repository]\nid = 1234\n", 0o600)
	write(t, filepath.Join(dir, "repos", agent, "data", "0", "1"), "segment", 0o600)
	write(t, filepath.Join(dir, "catalog.db"), "catalog", 0o600)
	write(t, filepath.Join(dir, "mounts.json"), "[]", 0o600)
	st, err := store.Open(ctx, filepath.Join(dir, DatabaseFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateServer(ctx, store.Server{UUID: agent, Name: "web1", Host: "10.0.0.5", User: "root"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "rpo.default", "48h"); err != nil {
		t.Fatal(err)
	}
	return dir, &source{st: st}
}

func write(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
}

func export(t *testing.T, dir string, src *source) (string, *Exported) {
	t.Helper()
	kit := filepath.Join(t.TempDir(), "fleet.kit")
	res, err := Export(context.Background(), ExportOptions{DataDir: dir, Path: kit, Passphrase: pass, Source: src, WorkFactor: testWork,
		Manifest:    Manifest{Version: "v1.2.3", DataDir: dir, CAFingerprint: "SHA256:abc", GatewayURL: "https://desk.lan:8443", BorgSSH: "desk.lan:2222", Servers: 1},
		ServerNames: map[string]string{agent: "web1"}})
	if err != nil {
		t.Fatal(err)
	}
	return kit, res
}

func TestExportImportRoundTrip(t *testing.T) {
	dir, src := coordinatorDir(t)
	kit, res := export(t, dir, src)

	fi, err := os.Stat(kit)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != res.Size {
		t.Fatalf("kit file: %v %v; want mode 0600 and size %d", fi, err, res.Size)
	}
	raw, _ := os.ReadFile(kit)
	if !bytes.HasPrefix(raw, []byte(ageIntro)) {
		t.Fatalf("kit starts with %q; want an age file", raw[:20])
	}
	for _, secret := range []string{"repo-passphrase-1", "smtp-secret", "PRIVATE KEY", "web1"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the kit file shows %q in clear", secret)
		}
	}
	m := res.Manifest
	if m.Format != Format || m.Version != "v1.2.3" || m.GatewayURL != "https://desk.lan:8443" || m.Schema != store.LatestSchema() || m.Servers != 1 {
		t.Errorf("manifest = %+v", m)
	}
	if len(m.Repositories) != 1 || m.Repositories[0] != (Repository{UUID: agent, Server: "web1", Passphrase: true, KeyExport: true}) {
		t.Errorf("repositories = %+v", m.Repositories)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".recovery-kit-*")); len(left) > 0 {
		t.Errorf("export left %v in the data dir", left)
	}

	// inspect: the manifest and the file list, verified, no secret.
	in, err := Inspect(kit, pass)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range in.Files {
		paths = append(paths, f.Path+" "+f.Mode)
	}
	want := "borgdesk.db 0600,ca/ca.crt 0644,ca/ca.key 0600,ca/gateway.key 0600,ca/update.key 0600,keys/" + agent + ".passphrase 0600," +
		"keys/hosted/borgbase_ed25519 0600,keys/smtp.password 0600,known_hosts 0644,repo-keys/" + agent + ".key 0600,ssh_host_ed25519_key 0600"
	if got := strings.Join(paths, ","); got != want && got != strings.Replace(want, "ca/gateway.key 0600,", "", 1) {
		t.Errorf("inspect files:\n%s\nwant\n%s", got, want)
	}
	shown, _ := json.Marshal(in)
	if bytes.Contains(shown, []byte("repo-passphrase-1")) || bytes.Contains(shown, []byte("smtp-secret")) {
		t.Error("inspect shows a secret")
	}

	// import into a fresh data dir: same files, same modes, the database.
	to := filepath.Join(t.TempDir(), "new-data")
	imp, err := Import(context.Background(), ImportOptions{Kit: kit, DataDir: to, Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Manifest.CAFingerprint != "SHA256:abc" || len(imp.Files) != m.Files {
		t.Errorf("imported %+v", imp)
	}
	if len(imp.Warnings) != 1 || !strings.Contains(imp.Warnings[0], dir) {
		t.Errorf("warnings = %v; want one naming the original data dir", imp.Warnings)
	}
	for _, f := range in.Files {
		if f.Path == DatabaseFile || strings.HasPrefix(f.Path, RepoKeysDir) {
			continue
		}
		a, _ := os.ReadFile(filepath.Join(dir, f.Path))
		b, err := os.ReadFile(filepath.Join(to, f.Path))
		fa, _ := os.Stat(filepath.Join(dir, f.Path))
		fb, _ := os.Stat(filepath.Join(to, f.Path))
		if err != nil || !bytes.Equal(a, b) || fa.Mode() != fb.Mode() {
			t.Errorf("%s: imported %v (%v), want the original (%v)", f.Path, fb.Mode(), err, fa.Mode())
		}
	}
	if key, _ := os.ReadFile(filepath.Join(to, RepoKeysDir, agent+".key")); !strings.HasPrefix(string(key), "BORG_KEY") {
		t.Errorf("repository key export = %q", key)
	}
	var names []string
	entries, _ := os.ReadDir(to)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "borgdesk.db borgdesk.lock ca keys known_hosts repo-keys ssh_host_ed25519_key" {
		t.Errorf("imported data dir holds %s (no catalog, mounts, repositories or staging)", got)
	}
	st, err := store.Open(context.Background(), filepath.Join(to, DatabaseFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if sv, err := st.ServerByUUID(context.Background(), agent); err != nil || sv.Name != "web1" {
		t.Errorf("imported database: server %+v, %v", sv, err)
	}
	if v, _ := st.Setting(context.Background(), "rpo.default"); v != "48h" {
		t.Errorf("imported setting rpo.default = %q", v)
	}
	if fi, _ := os.Stat(to); fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", fi.Mode().Perm())
	}
}

// The scratch folder of an export killed long ago is cleared by the next.
func TestExportClearsAKilledExportsScratch(t *testing.T) {
	dir, src := coordinatorDir(t)
	stale := filepath.Join(dir, ".recovery-kit-123")
	write(t, filepath.Join(stale, DatabaseFile), "old copy", 0o600)
	long := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, long, long)
	export(t, dir, src)
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale scratch folder is still there")
	}
}

func TestExportRefusals(t *testing.T) {
	dir, src := coordinatorDir(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, path, pass string
		want             error
		says             string
	}{
		{"short passphrase", filepath.Join(t.TempDir(), "k"), "short pass", ErrPassphrase, "at least 12"},
		{"empty passphrase", filepath.Join(t.TempDir(), "k"), "   ", ErrPassphrase, "empty"},
		{"inside the data dir", filepath.Join(dir, "kit"), pass, ErrPlace, "inside the data dir"},
		{"missing folder", "/nonexistent/dir/kit", pass, ErrPlace, "does not exist"},
		{"relative", "kit", pass, ErrPlace, "absolute"},
		{"a directory", t.TempDir(), pass, ErrPlace, "not a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Export(ctx, ExportOptions{DataDir: dir, Path: tc.path, Passphrase: tc.pass, Source: src, WorkFactor: testWork})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v; want %v saying %q", err, tc.want, tc.says)
			}
			if _, err := os.Stat(filepath.Join(dir, "kit")); err == nil {
				t.Error("a kit was written into the data dir")
			}
		})
	}
}

// A repository whose key cannot be exported is reported, not fatal.
func TestExportReportsAFailedKeyExport(t *testing.T) {
	dir, src := coordinatorDir(t)
	src.keyErrs = map[string]error{agent: os.ErrPermission}
	_, res := export(t, dir, src)
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "web1") || res.Manifest.Repositories[0].KeyExport {
		t.Fatalf("warnings %v, repositories %+v", res.Warnings, res.Manifest.Repositories)
	}
}

func TestSecretsDigest(t *testing.T) {
	dir, _ := coordinatorDir(t)
	d1, err := SecretsDigest(dir)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, KnownHosts), "another pin\n", 0o644)
	write(t, filepath.Join(dir, "catalog.db"), "reindexed", 0o600)
	if d2, _ := SecretsDigest(dir); d2 != d1 {
		t.Error("the digest changed with known_hosts or the catalog")
	}
	write(t, filepath.Join(dir, "keys", "smtp.password"), "new-password", 0o600)
	d3, _ := SecretsDigest(dir)
	if d3 == d1 {
		t.Error("the digest kept still when the SMTP password changed")
	}
	write(t, filepath.Join(dir, "repos", "1b6c8f4e-5f0e-4d5e-9a43-3f3b5c1f2a10", "config"), "[repository]\n", 0o600)
	if d4, _ := SecretsDigest(dir); d4 == d3 {
		t.Error("the digest kept still when a repository was added")
	}
}

// listDir names what a directory holds, for "nothing was written" checks.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
