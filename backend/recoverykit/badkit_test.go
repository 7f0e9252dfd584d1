package recoverykit

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// craft writes a kit with any manifest and files, as a future (or broken)
// Borgdesk would: files maps kit paths to contents, "@db" for a copy of a
// real database.
func craft(t *testing.T, man Manifest, files map[string]string, db string) string {
	t.Helper()
	stage := t.TempDir()
	var list []flx.File
	for rel, content := range files {
		p := filepath.Join(stage, rel)
		if content == "@db" {
			p = db
		} else {
			write(t, p, content, 0o600)
		}
		fi, _ := os.Stat(p)
		list = append(list, flx.File{Rel: rel, Abs: p, Info: fi})
		man.Files++
		man.Bytes += fi.Size()
	}
	raw, _ := json.Marshal(man)
	kit := filepath.Join(t.TempDir(), "crafted.kit")
	f, err := os.Create(kit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := encrypt(f, list, flx.Options{Type: flx.TypeExtended, KeepSecrets: true, Extra: map[string]json.RawMessage{ManifestKey: raw}}, pass, testWork); err != nil {
		t.Fatal(err)
	}
	return kit
}

// dbCopy is a real database snapshot, optionally with a schema from the future.
func dbCopy(t *testing.T, src *source, schema int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "borgdesk.db")
	if err := src.st.Snapshot(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if schema > 0 {
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schema)); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	return p
}

func minimal(extra map[string]string) map[string]string {
	m := map[string]string{DatabaseFile: "@db", "ca/ca.crt": "cert", "ca/ca.key": "key", HostKeyFile: "host key"}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func ageFile(t *testing.T, content []byte, r age.Recipient) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	w.Close()
	p := filepath.Join(t.TempDir(), "file.age")
	os.WriteFile(p, buf.Bytes(), 0o600)
	return p
}

func mutate(t *testing.T, kit string, fn func([]byte) []byte) string {
	t.Helper()
	raw, err := os.ReadFile(kit)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "mutated.kit")
	os.WriteFile(p, fn(bytes.Clone(raw)), 0o600)
	return p
}

func TestImportBadInput(t *testing.T) {
	dir, src := coordinatorDir(t)
	good, _ := export(t, dir, src)
	raw, _ := os.ReadFile(good)
	headerEnd := bytes.Index(raw, []byte("\n---")) // the header's MAC line
	scrypt, _ := age.NewScryptRecipient(pass)
	scrypt.SetWorkFactor(testWork)
	x, _ := age.GenerateX25519Identity()
	var flxBuf bytes.Buffer
	zw := gzip.NewWriter(&flxBuf)
	fi, _ := os.Stat(filepath.Join(dir, "ca", "ca.crt"))
	flx.Write(zw, []flx.File{{Rel: "ca.crt", Abs: filepath.Join(dir, "ca", "ca.crt"), Info: fi}}, flx.Options{KeepSecrets: true})
	zw.Close()
	plainFlx := filepath.Join(t.TempDir(), "etc.flx.gz")
	os.WriteFile(plainFlx, flxBuf.Bytes(), 0o600)
	future := Manifest{Format: Format + 1, Version: "v9.0.0"}
	current := Manifest{Format: Format, Version: "v1.0.0"}

	for _, tc := range []struct {
		name, kit, pass string
		want            error
		says            string
	}{
		{"wrong passphrase", good, "not the passphrase at all", ErrWrongPassphrase, "check it"},
		{"truncated to half", mutate(t, good, func(b []byte) []byte { return b[:len(b)/2] }), pass, ErrDamaged, "another copy"},
		{"last byte cut", mutate(t, good, func(b []byte) []byte { return b[:len(b)-1] }), pass, ErrDamaged, "another copy"},
		{"only the header", mutate(t, good, func(b []byte) []byte { return b[:headerEnd+10] }), pass, ErrDamaged, "another copy"},
		{"bit flipped in the middle", mutate(t, good, func(b []byte) []byte { b[len(b)/2] ^= 0x04; return b }), pass, ErrDamaged, "another copy"},
		{"bit flipped near the end", mutate(t, good, func(b []byte) []byte { b[len(b)-20] ^= 0x01; return b }), pass, ErrDamaged, "another copy"},
		{"header MAC changed", mutate(t, good, func(b []byte) []byte { b[headerEnd+6] ^= 0x01; return b }), pass, ErrDamaged, "another copy"},
		{"newer kit format", craft(t, future, minimal(nil), dbCopy(t, src, 0)), pass, ErrNewerKit, "made by Borgdesk v9.0.0 (kit format 2)"},
		{"newer database schema", craft(t, current, minimal(nil), dbCopy(t, src, store.LatestSchema()+1)), pass, ErrNewerKit, "upgrade Borgdesk first"},
		{"an empty file", mutate(t, good, func([]byte) []byte { return nil }), pass, ErrNotAKit, "right file"},
		{"random bytes", mutate(t, good, func(b []byte) []byte { return bytes.Repeat([]byte{0x5a}, 4096) }), pass, ErrNotAKit, "right file"},
		{"a plain .flx snapshot", plainFlx, pass, ErrNotAKit, "right file"},
		{"age with the passphrase, not a kit", ageFile(t, []byte("hello"), scrypt), pass, ErrNotAKit, "holds no kit"},
		{"an encrypted snapshot without manifest", ageFile(t, flxBuf.Bytes(), scrypt), pass, ErrNotAKit, "plain snapshot"},
		{"age to a key", ageFile(t, []byte("hello"), x.Recipient()), pass, ErrNotAKit, "encrypted to a key"},
		{"a file no kit has", craft(t, current, minimal(map[string]string{"etc/passwd": "root:x"}), dbCopy(t, src, 0)), pass, ErrNotAKit, "etc/passwd"},
		{"no database", craft(t, current, map[string]string{"ca/ca.crt": "c", "ca/ca.key": "k", HostKeyFile: "h"}, ""), pass, ErrDamaged, "lacks borgdesk.db"},
		{"a damaged database", craft(t, current, minimal(map[string]string{DatabaseFile: strings.Repeat("not sqlite ", 400)}), ""), pass, ErrDamaged, "does not open as a Borgdesk database"},
		{"empty passphrase", good, "", ErrPassphrase, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := filepath.Join(t.TempDir(), "data")
			_, err := Import(context.Background(), ImportOptions{Kit: tc.kit, DataDir: to, Passphrase: tc.pass})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v\nwant %v saying %q", err, tc.want, tc.says)
			}
			if _, serr := os.Stat(to); serr == nil {
				t.Errorf("the failed import left %s with %v", to, listDir(t, to))
			}
			// inspect says the same.
			if tc.want != ErrTargetNotEmpty && tc.name != "newer database schema" && tc.name != "a damaged database" {
				if _, ierr := Inspect(tc.kit, tc.pass); !errors.Is(ierr, tc.want) {
					t.Errorf("inspect: %v; want %v", ierr, tc.want)
				}
			}
		})
	}
}

// A data dir with anything in it is refused, untouched; an empty one that
// existed stays, empty, after a failed import; leftovers of an import that
// was killed are cleared by the next.
func TestImportTargets(t *testing.T) {
	dir, src := coordinatorDir(t)
	kit, _ := export(t, dir, src)
	ctx := context.Background()

	full := t.TempDir()
	write(t, filepath.Join(full, DatabaseFile), "the live fleet", 0o600)
	_, err := Import(ctx, ImportOptions{Kit: kit, DataDir: full, Passphrase: pass})
	if !errors.Is(err, ErrTargetNotEmpty) || !strings.Contains(err.Error(), "borgdesk.db") || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("non-empty target: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(full, DatabaseFile)); string(b) != "the live fleet" || len(listDir(t, full)) != 1 {
		t.Errorf("the non-empty target changed: %v", listDir(t, full))
	}

	file := filepath.Join(t.TempDir(), "file")
	write(t, file, "x", 0o600)
	if _, err := Import(ctx, ImportOptions{Kit: kit, DataDir: file, Passphrase: pass}); !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("a file as target: %v", err)
	}

	empty := t.TempDir()
	if _, err := Import(ctx, ImportOptions{Kit: kit, DataDir: empty, Passphrase: "wrong wrong wrong"}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	corrupt := mutate(t, kit, func(b []byte) []byte { b[len(b)/2] ^= 1; return b })
	if _, err := Import(ctx, ImportOptions{Kit: corrupt, DataDir: empty, Passphrase: pass}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("damaged kit: %v", err)
	}
	if got := listDir(t, empty); len(got) != 0 {
		t.Errorf("the empty target holds %v after failed imports", got)
	}

	os.MkdirAll(filepath.Join(empty, stagePrefix+"123", "ca"), 0o700)
	write(t, filepath.Join(empty, stagePrefix+"123", "ca", "ca.key"), "half", 0o600)
	if _, err := Import(ctx, ImportOptions{Kit: kit, DataDir: empty, Passphrase: pass}); err != nil {
		t.Fatalf("import over a killed import's leftovers: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(empty, stagePrefix+"*")); len(left) > 0 {
		t.Errorf("leftovers %v", left)
	}
}

// A kit of many 64 KiB chunks damaged in an early one: age authenticates
// each chunk as it is read, so the damage shows while files are being
// written, and everything written goes.
func TestImportDamageFoundMidway(t *testing.T) {
	dir, src := coordinatorDir(t)
	big := make([]byte, 1<<20)
	rand.Read(big) // incompressible: the kit is about 1.4 MiB
	write(t, filepath.Join(dir, "keys", "zz-big.key"), string(big), 0o600)
	kit, res := export(t, dir, src)
	if res.Size < 4*64<<10 {
		t.Fatalf("kit of %d bytes: want several chunks", res.Size)
	}
	bad := mutate(t, kit, func(b []byte) []byte { b[len(b)*3/4] ^= 0x10; return b })
	to := filepath.Join(t.TempDir(), "data")
	_, err := Import(context.Background(), ImportOptions{Kit: bad, DataDir: to, Passphrase: pass})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "authenticate chunk at offset") { // not the final chunk, checked up front
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(to); err == nil {
		t.Errorf("left %v", listDir(t, to))
	}
}

// A disk that fills while the files are written: nothing is kept.
func TestImportDiskFullWhileWriting(t *testing.T) {
	dir, src := coordinatorDir(t)
	kit, res := export(t, dir, src)
	to := filepath.Join(t.TempDir(), "data")
	_, err := Import(context.Background(), ImportOptions{Kit: kit, DataDir: to, Passphrase: pass, writeLimit: res.Manifest.Bytes / 2})
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "free space there") || !strings.Contains(err.Error(), "nothing was kept") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(to); err == nil {
		t.Errorf("left %v", listDir(t, to))
	}
}

// A real small disk (tmpfs, root): the import refuses before it writes.
func TestImportOntoASmallDisk(t *testing.T) {
	testenv.NeedRoot(t, "mount a tmpfs")
	dir, src := coordinatorDir(t)
	big := make([]byte, 3<<20)
	rand.Read(big)
	write(t, filepath.Join(dir, "keys", "big.key"), string(big), 0o600)
	kit, _ := export(t, dir, src)
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", disk).Run() })
	to := filepath.Join(disk, "data")
	_, err := Import(context.Background(), ImportOptions{Kit: kit, DataDir: to, Passphrase: pass})
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "MiB") {
		t.Fatalf("err = %v", err)
	}
	if got := listDir(t, disk); len(got) != 0 {
		t.Errorf("the small disk holds %v", got)
	}
}
