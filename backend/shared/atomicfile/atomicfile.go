// Package atomicfile writes files so that readers see the old content or the
// new, never a torn file, with the mode set before any byte is written.
// Stdlib only: the agent uses it for its keys and certificates.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write replaces path with data via a temporary file in the same directory,
// fsync and rename.
func Write(path string, data []byte, mode os.FileMode) error {
	return Stream(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, nil)
}

// Stream replaces path with what fill writes, via a temporary file in the
// same directory: fsync, then check (when set) reads the complete temporary
// file, and only then the rename. Any error leaves path as it was and no
// temporary file behind.
func Stream(path string, mode os.FileMode, fill func(w io.Writer) error, check func(tmp string) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := fill(tmp); err != nil {
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
	if check != nil {
		if err := check(tmp.Name()); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
