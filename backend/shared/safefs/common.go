// Package safefs resolves, reads and writes paths beneath a root directory
// without ever following a symlink, so that a restore running as root
// cannot be raced into writing outside its place by a local user who owns
// a directory inside it (swapping ~/.config for a link to /etc/cron.d
// between a check and a write).
//
// On Linux every path is resolved again at the moment it is used, from an
// open directory descriptor: openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS,
// or, on kernels without openat2 (before 5.6), one openat with
// O_NOFOLLOW|O_DIRECTORY per component. Files are created under a
// temporary name in an opened parent directory, their mode, owner and
// times are set on the open descriptor, and they are renamed into place
// within that same directory.
//
// Outside Linux (other.go) every operation refuses with ErrNotOnThisOS:
// restores run on the coordinator and the agents, and an imitation without
// openat2 would only look safe.
//
// It must never follow a symlink met while resolving (at any component,
// the last one included), accept an absolute path or "..", or change a
// file's mode, owner or times by path. It imports only the standard
// library and golang.org/x/sys: the agent uses it.
package safefs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"time"
)

var (
	// ErrSymlink is returned when a component of a path (or the path
	// itself) is a symlink.
	ErrSymlink = errors.New("a symlink is on the path and safefs never follows one")
	// ErrUnsafePath is returned for a path that is absolute, climbs with
	// "..", or is not clean.
	ErrUnsafePath = errors.New("not a clean relative path beneath the root")
	// ErrNotRegular is returned when a file opened for reading is not a
	// regular file.
	ErrNotRegular = errors.New("not a regular file")
)

// Path is the directory's path relative to the root ("." for the root).
func (d *Dir) Path() string { return d.path }

// Rel joins a name to the directory's path, for messages.
func (d *Dir) Rel(name string) string { return path.Join(d.path, name) }

// checkRel refuses absolute paths, "..", "." and empty components: a
// path from outside input is cleaned by its reader, so anything else is
// a bug or an attack.
func checkRel(rel string) error {
	if rel == "." {
		return nil
	}
	if rel == "" || strings.HasPrefix(rel, "/") || strings.ContainsRune(rel, 0) {
		return ErrUnsafePath
	}
	for _, part := range strings.Split(rel, "/") {
		if part == "" || part == "." || part == ".." {
			return ErrUnsafePath
		}
	}
	return nil
}

// checkName refuses a name that is not a single component.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return ErrUnsafePath
	}
	return nil
}

// Attrs are what a restore sets on a file it wrote.
type Attrs struct {
	// Mode is the permission bits, with setuid, setgid and sticky; pass
	// it through SafeMode first.
	Mode fs.FileMode
	// UID and GID are the owner; -1 leaves one as it is.
	UID, GID int
	// Mtime is the modification (and access) time; zero leaves it.
	Mtime time.Time
}

// SafeMode drops setuid and setgid from mode unless the file will belong
// to root (uid 0) and keep says the operator asked for them: a snapshot
// or an archive must not plant a program that runs as someone else.
func SafeMode(mode fs.FileMode, uid int, keep bool) fs.FileMode {
	if keep && uid == 0 {
		return mode
	}
	return mode &^ (fs.ModeSetuid | fs.ModeSetgid)
}
