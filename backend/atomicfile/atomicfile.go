// Package atomicfile writes files so that readers see the old content or the
// new, never a torn file, with the mode set before any byte is written.
// Stdlib only: the agent uses it for its keys and certificates.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data via a temporary file in the same directory,
// fsync and rename.
func Write(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
