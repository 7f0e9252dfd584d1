package recoverykit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"borgdesk/backend/datadir"
)

// SecretsDigest fingerprints the secrets a kit takes from the data dir (the
// files under ca/ and keys/, the SSH host key) and the set of repositories.
// It changes when a server is enrolled (a new passphrase), a password is
// set or a key is added: then the last kit no longer holds everything.
func SecretsDigest(dataDir string) (string, error) {
	files, err := secretFiles(dataDir)
	if err != nil {
		return "", err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	h := sha256.New()
	for _, f := range files {
		if f.Rel == KnownHosts {
			continue // pins come and go with rollouts; they are not secrets
		}
		sum, err := fileHash(f.Abs)
		if err != nil {
			return "", fmt.Errorf("recovery kit: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%s\n", f.Rel, sum)
	}
	repos, _ := filepath.Glob(filepath.Join(datadir.At(dataDir).Repos(), "*", "config"))
	sort.Strings(repos)
	for _, r := range repos {
		fmt.Fprintf(h, "repo\x00%s\n", filepath.Base(filepath.Dir(r)))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileHash(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
