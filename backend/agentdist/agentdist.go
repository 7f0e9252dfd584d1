// Package agentdist hands out the borgdesk-agent binaries the coordinator
// carries, each with an ed25519 signature over its version, platform and
// SHA-256, made with a key that never leaves the coordinator's data dir.
// Agents verify that signature (with the public key they received at
// enrollment) before they replace themselves.
package agentdist

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"borgdesk/backend/ca"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
)

// ErrNoBinary means the coordinator carries no agent for that platform.
var ErrNoBinary = errors.New("no agent binary for this platform")

// Binary is one signed agent build.
type Binary struct {
	Path      string
	Version   string
	OS, Arch  string
	SHA256    string // hex
	Size      int64
	Signature string // base64 ed25519 over agentapi.UpdateMessage; set by Sign only
}

// Dist is the set of agent binaries in a directory, and the signing key.
type Dist struct {
	dir string
	key ed25519.PrivateKey

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	mod  time.Time
	size int64
	bin  Binary
}

// Open uses the agent binaries in dir (named borgdesk-agent-<os>-<arch>)
// and the signing key at keyPath, creating the key (0600) on first use.
// A key file others can read, or that another user owns, is refused.
func Open(dir, keyPath string) (*Dist, error) {
	if err := ca.CheckKeyFile(keyPath, "update signing key", "consider every agent update signed since untrusted"); err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(keyPath)
	if err != nil {
		return nil, err
	}
	return &Dist{dir: dir, key: key, cache: map[string]cached{}}, nil
}

// Dir is where the binaries are looked up.
func (d *Dist) Dir() string { return d.dir }

// PublicKey is the base64 ed25519 key agents verify updates with.
func (d *Dist) PublicKey() string {
	return base64.StdEncoding.EncodeToString(d.key.Public().(ed25519.PublicKey))
}

var platform = regexp.MustCompile(`^[a-z0-9]+$`)

// ErrUntrusted means a binary or its folder could have been replaced by
// someone other than the coordinator's user.
var ErrUntrusted = errors.New("agent binary is not safe to hand out")

// Lookup returns the binary for goos/arch, unsigned: only Sign makes it
// an update an agent accepts. The file and its folder must be writable by
// the coordinator's user (or root) alone.
func (d *Dist) Lookup(goos, arch string) (Binary, error) {
	if !platform.MatchString(goos) || !platform.MatchString(arch) {
		return Binary{}, fmt.Errorf("%w: %q/%q is not a platform name", ErrNoBinary, goos, arch)
	}
	path := filepath.Join(d.dir, "borgdesk-agent-"+goos+"-"+arch)
	fi, err := os.Lstat(path)
	if err != nil {
		return Binary{}, fmt.Errorf("%w %s/%s: %s is missing (build it with `make agent`)", ErrNoBinary, goos, arch, path)
	}
	if err := trusted(d.dir, true); err != nil {
		return Binary{}, err
	}
	if err := trusted(path, false); err != nil {
		return Binary{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.cache[path]; ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.bin, nil
	}
	bin, err := d.describe(path, goos, arch)
	if err != nil {
		return Binary{}, err
	}
	d.cache[path] = cached{fi.ModTime(), fi.Size(), bin}
	return bin, nil
}

func (d *Dist) describe(path, goos, arch string) (Binary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Binary{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Binary{}, fmt.Errorf("hash %s: %w", path, err)
	}
	version, err := Version(path)
	if err != nil {
		return Binary{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return Binary{Path: path, Version: version, OS: goos, Arch: arch, SHA256: sum, Size: n}, nil
}

// Sign makes bin an update agents accept: an ed25519 signature over its
// version, platform and hash. The caller decides that the agent may move
// to this version (Newer, or the operator's pin).
func (d *Dist) Sign(bin Binary) Binary {
	sig := ed25519.Sign(d.key, agentapi.UpdateMessage(bin.Version, bin.OS, bin.Arch, bin.SHA256))
	bin.Signature = base64.StdEncoding.EncodeToString(sig)
	return bin
}

// trusted refuses a file (or folder) that is a link, or that a group,
// others or another user than this process's (root aside) could replace.
func trusted(path string, dir bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	switch {
	case dir && !fi.IsDir(), !dir && !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is a link or not a plain %s; put the real build there", ErrUntrusted, path, map[bool]string{true: "folder", false: "file"}[dir])
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%w: %s has mode %v, so others could replace it; run `chmod go-w %s`", ErrUntrusted, path, fi.Mode().Perm(), path)
	}
	if uid, ok := ca.FileOwner(fi); ok && uid != os.Getuid() && uid != 0 {
		return fmt.Errorf("%w: %s belongs to user %d, not to the user Borgdesk runs as (%d) or root; run `chown %d %s`", ErrUntrusted, path, uid, os.Getuid(), os.Getuid(), path)
	}
	return nil
}

var versionFlag = regexp.MustCompile(`borgdesk/backend/shared/version\.Version=([^\s'"]+)`)

// Version reads the version a Go binary was linked with (its -X flag), for
// any architecture, without running it.
func Version(path string) (string, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s is not a Go binary: %w", path, err)
	}
	for _, s := range bi.Settings {
		if s.Key == "-ldflags" {
			if m := versionFlag.FindStringSubmatch(s.Value); m != nil {
				return m[1], nil
			}
		}
	}
	return "dev", nil
}

func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "BORGDESK UPDATE SIGNING KEY", Bytes: key.Seed()})
		if err := atomicfile.Write(path, pemBytes, 0o600); err != nil {
			return nil, fmt.Errorf("write update signing key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read update signing key: %w", err)
	}
	b, _ := pem.Decode(raw)
	if b == nil || len(b.Bytes) != ed25519.SeedSize {
		return nil, fmt.Errorf("update signing key %s is damaged; restore it from a backup (agents trust only this key for updates)", path)
	}
	return ed25519.NewKeyFromSeed(b.Bytes), nil
}
