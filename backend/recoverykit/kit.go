// Package recoverykit makes and reads Borgdesk recovery kits: everything a
// new workstation needs to take over the fleet (the CA, the agent-update
// signing key, the Borg SSH host key, every repository passphrase and key
// export, and a consistent copy of the database) in one file encrypted with
// a passphrase the operator chooses.
//
// A kit is a .flxx snapshot (backend/shared/flx: every file with its mode and
// SHA-256) whose header carries the kit's manifest, gzipped, then encrypted
// with age's scrypt passphrase recipient (scrypt, ChaCha20-Poly1305): a
// plain age file, so `age -d` opens it even without Borgdesk.
//
// The package never writes a secret anywhere but the kit and, on import, a
// data dir that was empty; it never overwrites a file, and an import that
// fails for any reason leaves the target as it found it.
package recoverykit

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"borgdesk/backend/datadir"
)

// Format is the kit format this build writes and the newest it reads.
// History: 1 — the first (CA, keys/, SSH host key, known_hosts, repository
// key exports, database).
const Format = 1

// ManifestKey is the snapshot header key that holds the manifest.
const ManifestKey = "borgdesk_recovery_kit"

// MinPassphrase is the shortest passphrase a kit is made with, in characters.
const MinPassphrase = 12

// Paths inside a kit, relative to the data dir they came from and go back to.
const (
	DatabaseFile = datadir.DBFile
	HostKeyFile  = datadir.HostKeyFile
	KnownHosts   = datadir.KnownHostsFile
	RepoKeysDir  = "repo-keys"
)

// Errors an operator can act on; every error wraps one of them.
var (
	ErrPassphrase      = errors.New("unusable passphrase")
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrNotAKit         = errors.New("not a Borgdesk recovery kit")
	ErrDamaged         = errors.New("the recovery kit is damaged or truncated")
	ErrNewerKit        = errors.New("the recovery kit is newer than this Borgdesk")
	ErrTargetNotEmpty  = errors.New("the data dir is not empty")
	ErrNoSpace         = errors.New("no space left for the import")
)

// Manifest says what a kit is and whose: the coordinator it was taken from
// and what it holds. It carries no secret.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"borgdesk_version"`
	CreatedAt time.Time `json:"created_at" ts_type:"string"`
	// Schema is the database's schema version.
	Schema int `json:"schema"`
	// DataDir is where the coordinator's data dir was; agents address
	// repositories kept there by this path.
	DataDir       string `json:"data_dir"`
	CAFingerprint string `json:"ca_fingerprint"`
	GatewayURL    string `json:"gateway_url"`
	// BorgSSH is the Borg SSH server's host:port as agents know it.
	BorgSSH      string       `json:"borg_ssh,omitempty"`
	Servers      int          `json:"servers"`
	Repositories []Repository `json:"repositories"`
	// Files and Bytes count the kit's files and their total size.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Digest is SecretsDigest of the data dir when the kit was made: a
	// coordinator restored from the kit knows it is as current as the kit.
	Digest string `json:"secrets_digest"`
}

// Repository is one repository the kit has the keys of.
type Repository struct {
	UUID   string `json:"uuid"`
	Server string `json:"server,omitempty"`
	// Passphrase and KeyExport say whether the kit holds them.
	Passphrase bool `json:"passphrase"`
	KeyExport  bool `json:"key_export"`
	// KeyError says why the key export is missing.
	KeyError string `json:"key_error,omitempty"`
}

// Entry is one file of a kit, as inspect shows it: never its content.
type Entry struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Size int64  `json:"size"`
	Hash string `json:"hash"`
}

// CheckPassphrase refuses a passphrase too short to protect the fleet's CA.
func CheckPassphrase(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("%w: the passphrase is empty", ErrPassphrase)
	}
	if n := utf8.RuneCountInString(p); n < MinPassphrase {
		return fmt.Errorf("%w: the passphrase has %d characters; use at least %d (a few random words are easy to keep and hard to guess)", ErrPassphrase, n, MinPassphrase)
	}
	return nil
}

// allowed reports whether a kit of this format may hold rel: anything under
// ca/, keys/ and repo-keys/, and the named files at the top.
func allowed(rel string) bool {
	top, _, nested := strings.Cut(rel, "/")
	switch top {
	case datadir.CADir, datadir.KeysDir, RepoKeysDir:
		return nested
	case DatabaseFile, HostKeyFile, HostKeyFile + ".pub", KnownHosts:
		return !nested
	}
	return false
}

// required are the files without which a kit cannot restore a coordinator.
var required = []string{DatabaseFile, "ca/ca.crt", "ca/ca.key", HostKeyFile}

func decodeManifest(raw json.RawMessage) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: its manifest is unreadable (%v)", ErrNotAKit, err)
	}
	if m.Format <= 0 {
		return nil, fmt.Errorf("%w: its manifest has no format version", ErrNotAKit)
	}
	if m.Format > Format {
		return nil, fmt.Errorf("%w: it was made by Borgdesk %s (kit format %d) and this Borgdesk reads kit formats up to %d; upgrade Borgdesk first, then import it", ErrNewerKit, m.Version, m.Format, Format)
	}
	return &m, nil
}

// cleanRel validates a path from a kit for the file system.
func cleanRel(p string) (string, bool) {
	rel := path.Clean(p)
	if rel != p || rel == "." || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "../") || rel == ".." {
		return "", false
	}
	return rel, allowed(rel)
}
