package recoverykit

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"borgdesk/backend/datadir"
	"borgdesk/backend/shared/atomicfile"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// ErrPlace means the kit cannot be written where it was asked to be.
var ErrPlace = errors.New("unsuitable place for the recovery kit")

// Source is what an export needs from the running coordinator: the data
// dir is locked by it, so the database is copied through its store.
type Source interface {
	// SnapshotDatabase writes a consistent copy of the live database to
	// dest, which does not exist yet.
	SnapshotDatabase(ctx context.Context, dest string) error
	// ExportKey returns `borg key export` of an agent's repository.
	ExportKey(ctx context.Context, agent string) ([]byte, error)
}

// ExportOptions say what to export and where.
type ExportOptions struct {
	DataDir    string
	Path       string // the kit file, absolute
	Passphrase string
	// Manifest carries the coordinator's identity (Version, DataDir,
	// CAFingerprint, GatewayURL, BorgSSH, Servers); the rest is filled in.
	Manifest Manifest
	// ServerNames names the agents' servers in the manifest.
	ServerNames map[string]string
	Source      Source
	Now         func() time.Time
	// WorkFactor is scrypt's log2(N): age's default (18, about a second
	// and 256 MiB) when zero. Tests lower it.
	WorkFactor int
}

// Exported is the result of an export.
type Exported struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Manifest *Manifest `json:"manifest"`
	Warnings []string  `json:"warnings,omitempty"`
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Export writes a recovery kit of the data dir to o.Path: the secrets as
// they are on disk, a consistent copy of the database and a key export of
// every repository, encrypted with the passphrase. The file appears (mode
// 0600) only once it is complete and has been read back and verified.
func Export(ctx context.Context, o ExportOptions) (*Exported, error) {
	if err := CheckPassphrase(o.Passphrase); err != nil {
		return nil, err
	}
	if err := checkPlace(o.Path, o.DataDir); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	removeStaleStages(o.DataDir, o.Now())
	stage, err := os.MkdirTemp(o.DataDir, datadir.KitStagePrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("recovery kit: scratch space in the data dir: %w", err)
	}
	defer os.RemoveAll(stage)

	man := o.Manifest
	man.Format, man.CreatedAt = Format, o.Now().UTC().Truncate(time.Second)
	db := filepath.Join(stage, DatabaseFile)
	if err := o.Source.SnapshotDatabase(ctx, db); err != nil {
		return nil, fmt.Errorf("recovery kit: %w", err)
	}
	if man.Schema, err = store.VerifyFile(ctx, db); err != nil {
		return nil, fmt.Errorf("recovery kit: the database copy: %w", err)
	}
	files, err := secretFiles(o.DataDir)
	if err != nil {
		return nil, err
	}
	files = append(files, kitFile(DatabaseFile, db))
	res := &Exported{Path: o.Path}
	repoFiles, err := exportKeys(ctx, o, stage, &man, res)
	if err != nil {
		return nil, err
	}
	files = append(files, repoFiles...)
	for i := range files {
		if files[i].Info, err = os.Stat(files[i].Abs); err != nil {
			return nil, fmt.Errorf("recovery kit: %w", err)
		}
		man.Bytes += files[i].Info.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	man.Files = len(files)
	if man.Digest, err = SecretsDigest(o.DataDir); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(man)
	if err != nil {
		return nil, err
	}
	opts := flx.Options{Type: flx.TypeExtended, KeepSecrets: true, Producer: "borgdesk " + man.Version, Now: man.CreatedAt,
		Extra: map[string]json.RawMessage{ManifestKey: raw}}
	fill := func(w io.Writer) error { return encrypt(w, files, opts, o.Passphrase, o.WorkFactor) }
	check := func(tmp string) error {
		got, _, err := walk(tmp, o.Passphrase, nil, nil)
		if err != nil {
			return fmt.Errorf("reading the kit back: %w", err)
		}
		if got.Files != man.Files || got.Bytes != man.Bytes {
			return fmt.Errorf("reading the kit back: %d files, %d bytes; wrote %d, %d", got.Files, got.Bytes, man.Files, man.Bytes)
		}
		return nil
	}
	if err := atomicfile.Stream(o.Path, 0o600, fill, check); err != nil {
		return nil, fmt.Errorf("write the recovery kit %s: %w", o.Path, err)
	}
	fi, err := os.Stat(o.Path)
	if err != nil {
		return nil, err
	}
	res.Size, res.Manifest = fi.Size(), &man
	return res, nil
}

// removeStaleStages deletes the scratch folders of exports that died (a
// killed coordinator) more than an hour ago; a running export's is younger.
func removeStaleStages(dataDir string, now time.Time) {
	old, _ := filepath.Glob(filepath.Join(dataDir, datadir.KitStagePrefix+"*"))
	for _, p := range old {
		if fi, err := os.Stat(p); err == nil && now.Sub(fi.ModTime()) > time.Hour {
			os.RemoveAll(p)
		}
	}
}

// encrypt writes the snapshot of files, gzipped, through age.
func encrypt(w io.Writer, files []flx.File, opts flx.Options, passphrase string, workFactor int) error {
	rcpt, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPassphrase, err)
	}
	if workFactor > 0 {
		rcpt.SetWorkFactor(workFactor)
	}
	aw, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(aw)
	if _, err := flx.Write(zw, files, opts); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return aw.Close()
}

// checkPlace refuses a kit path that is relative, in a missing directory,
// or inside the data dir (which the kit must outlive).
func checkPlace(path, dataDir string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%w: %q is not an absolute path", ErrPlace, path)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("%w: the folder %s does not exist", ErrPlace, filepath.Dir(path))
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s exists and is not a file", ErrPlace, path)
	}
	data, err := filepath.EvalSymlinks(dataDir)
	if err != nil {
		data = dataDir
	}
	if rel, err := filepath.Rel(data, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return fmt.Errorf("%w: %s is inside the data dir %s, and a kit must survive the loss of it: save it elsewhere (a USB stick, another machine, a password manager)", ErrPlace, path, dataDir)
	}
	return nil
}

// secretFiles lists what the kit takes from the data dir as it is: ca/ and
// keys/ whole (future key files come along), the SSH host key and the
// pinned host keys of the fleet's servers.
func secretFiles(dataDir string) ([]flx.File, error) {
	var files []flx.File
	for _, dir := range []string{datadir.CADir, datadir.KeysDir} {
		err := filepath.WalkDir(filepath.Join(dataDir, dir), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && dir == datadir.KeysDir {
				return filepath.SkipDir // no repository yet
			}
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(dataDir, p)
				files = append(files, kitFile(filepath.ToSlash(rel), p))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("recovery kit: read %s: %w", dir, err)
		}
	}
	for _, name := range []string{HostKeyFile, HostKeyFile + ".pub", KnownHosts} {
		p := filepath.Join(dataDir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			files = append(files, kitFile(name, p))
		} else if name == HostKeyFile {
			return nil, fmt.Errorf("recovery kit: the data dir has no SSH host key (%s); start the coordinator once so it makes one", p)
		}
	}
	return files, nil
}

// exportKeys runs `borg key export` for every repository in the data dir
// and records each in the manifest. A repository whose key cannot be
// exported is reported, not fatal: its key also lives in its own config.
func exportKeys(ctx context.Context, o ExportOptions, stage string, man *Manifest, res *Exported) ([]flx.File, error) {
	entries, err := os.ReadDir(datadir.At(o.DataDir).Repos())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("recovery kit: list repositories: %w", err)
	}
	var files []flx.File
	man.Repositories = []Repository{}
	for _, e := range entries {
		uuid := e.Name()
		if !e.IsDir() || !uuidRe.MatchString(uuid) {
			continue
		}
		if _, err := os.Stat(filepath.Join(datadir.At(o.DataDir).Repos(), uuid, "config")); err != nil {
			continue
		}
		r := Repository{UUID: uuid, Server: o.ServerNames[uuid]}
		_, err := os.Stat(datadir.At(o.DataDir).Key(uuid + ".passphrase"))
		r.Passphrase = err == nil
		if !r.Passphrase {
			res.Warnings = append(res.Warnings, fmt.Sprintf("repository %s has no passphrase file (keys/%s.passphrase): its archives cannot be read without it", name(r), uuid))
		}
		key, err := o.Source.ExportKey(ctx, uuid)
		if err != nil {
			r.KeyError = err.Error()
			res.Warnings = append(res.Warnings, fmt.Sprintf("repository %s: borg key export failed (%v); its key is still in its own config", name(r), err))
		} else {
			p := filepath.Join(stage, RepoKeysDir, uuid+".key")
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, key, 0o600); err != nil {
				return nil, fmt.Errorf("recovery kit: %w", err)
			}
			r.KeyExport = true
			files = append(files, kitFile(RepoKeysDir+"/"+uuid+".key", p))
		}
		man.Repositories = append(man.Repositories, r)
	}
	return files, nil
}

func name(r Repository) string {
	if r.Server != "" {
		return r.Server + " (" + r.UUID + ")"
	}
	return r.UUID
}

func kitFile(rel, abs string) flx.File { return flx.File{Rel: rel, Abs: abs} }
