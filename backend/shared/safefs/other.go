//go:build !linux

package safefs

import (
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// ErrNotOnThisOS is what every operation answers outside Linux: the
// guarantees above rest on openat2 and Linux's O_NOFOLLOW walks, and a
// weaker imitation would be a restore that only looks safe. Restores run
// on the coordinator and the agents, which are Linux.
var ErrNotOnThisOS = fmt.Errorf("not on this OS: restoring beneath a root without following symlinks needs Linux, and this is %s (the coordinator runs on Linux; connect the window to it)", runtime.GOOS)

// Dir is an open directory beneath (or at) a root; outside Linux none
// can be opened.
type Dir struct {
	path string
}

// OpenRoot refuses outside Linux.
func OpenRoot(name string) (*Dir, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotOnThisOS}
}

// Close does nothing: no Dir is ever open.
func (d *Dir) Close() error { return nil }

// Fd is -1: no Dir is ever open.
func (d *Dir) Fd() int { return -1 }

func (d *Dir) refuse(op, rel string) error {
	if d == nil {
		return &fs.PathError{Op: op, Path: rel, Err: ErrNotOnThisOS}
	}
	return &fs.PathError{Op: op, Path: d.Rel(rel), Err: ErrNotOnThisOS}
}

// OpenDir refuses outside Linux.
func (d *Dir) OpenDir(rel string) (*Dir, error) { return nil, d.refuse("open", rel) }

// MkdirAll refuses outside Linux.
func (d *Dir) MkdirAll(rel string, perm fs.FileMode) (*Dir, error) {
	return nil, d.refuse("mkdir", rel)
}

// Mkdir refuses outside Linux.
func (d *Dir) Mkdir(name string, perm fs.FileMode) error { return d.refuse("mkdir", name) }

// Open refuses outside Linux.
func (d *Dir) Open(rel string) (*os.File, error) { return nil, d.refuse("open", rel) }

// CreateTemp refuses outside Linux.
func (d *Dir) CreateTemp(prefix string) (*os.File, string, error) {
	return nil, "", d.refuse("create", prefix+"*")
}

// Create refuses outside Linux.
func (d *Dir) Create(name string) (*os.File, error) { return nil, d.refuse("create", name) }

// Lstat refuses outside Linux.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) { return nil, d.refuse("lstat", name) }

// Stat refuses outside Linux.
func (d *Dir) Stat() (fs.FileInfo, error) { return nil, d.refuse("stat", ".") }

// ReadDir refuses outside Linux.
func (d *Dir) ReadDir() ([]fs.DirEntry, error) { return nil, d.refuse("readdir", ".") }

// Rename refuses outside Linux.
func (d *Dir) Rename(oldName, newName string) error { return d.refuse("rename", oldName) }

// RenameAt refuses outside Linux.
func RenameAt(from *Dir, oldName string, to *Dir, newName string) error {
	return from.refuse("rename", oldName)
}

// RenameNoReplace refuses outside Linux.
func RenameNoReplace(from *Dir, oldName string, to *Dir, newName string) error {
	return from.refuse("rename", oldName)
}

// Remove refuses outside Linux.
func (d *Dir) Remove(name string) error { return d.refuse("remove", name) }

// RemoveDir refuses outside Linux.
func (d *Dir) RemoveDir(name string) error { return d.refuse("rmdir", name) }

// RemoveAll refuses outside Linux.
func (d *Dir) RemoveAll(name string) error { return d.refuse("remove", name) }

// Symlink refuses outside Linux.
func (d *Dir) Symlink(target, name string) error { return d.refuse("symlink", name) }

// Readlink refuses outside Linux.
func (d *Dir) Readlink(name string) (string, error) { return "", d.refuse("readlink", name) }

// Lchown refuses outside Linux.
func (d *Dir) Lchown(name string, uid, gid int) error { return d.refuse("lchown", name) }

// Syncfs refuses outside Linux.
func (d *Dir) Syncfs() error { return d.refuse("syncfs", ".") }

// SetAttrs refuses outside Linux.
func SetAttrs(f *os.File, a Attrs) error {
	return &fs.PathError{Op: "chmod", Path: f.Name(), Err: ErrNotOnThisOS}
}

// SetAttrs refuses outside Linux.
func (d *Dir) SetAttrs(a Attrs) error { return d.refuse("chmod", ".") }

// Owner is (-1, -1) outside Linux: no stat this package trusts carries one.
func Owner(fi fs.FileInfo) (uid, gid int) { return -1, -1 }
