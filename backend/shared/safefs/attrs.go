//go:build linux

package safefs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// SetAttrs sets a's owner, mode and times on f's descriptor: the file it
// is, whatever its name has become meanwhile.
func SetAttrs(f *os.File, a Attrs) error {
	return setAttrs(int(f.Fd()), f.Name(), a)
}

// SetAttrs sets a's owner, mode and times on d's descriptor.
func (d *Dir) SetAttrs(a Attrs) error {
	return setAttrs(d.fd, d.path, a)
}

func setAttrs(fd int, name string, a Attrs) error {
	// The owner first: chown clears setuid and setgid, the mode sets them
	// back when they are kept.
	if a.UID >= 0 || a.GID >= 0 {
		if err := unix.Fchown(fd, a.UID, a.GID); err != nil {
			return fmt.Errorf("chown %s: %w", name, err)
		}
	}
	if err := unix.Fchmod(fd, unixMode(a.Mode)); err != nil {
		return fmt.Errorf("chmod %s: %w", name, err)
	}
	if !a.Mtime.IsZero() {
		tv := unix.NsecToTimeval(a.Mtime.UnixNano())
		if err := unix.Futimes(fd, []unix.Timeval{tv, tv}); err != nil {
			return fmt.Errorf("set the times of %s: %w", name, err)
		}
	}
	return nil
}

func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		u |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		u |= unix.S_ISVTX
	}
	return u
}

// fileInfo is an fs.FileInfo from fstatat; Sys is the *unix.Stat_t.
type fileInfo struct {
	name string
	st   unix.Stat_t
}

func newFileInfo(name string, st *unix.Stat_t) fs.FileInfo {
	return &fileInfo{name: name, st: *st}
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.st.Size }
func (fi *fileInfo) IsDir() bool        { return fi.Mode().IsDir() }
func (fi *fileInfo) Sys() any           { return &fi.st }
func (fi *fileInfo) ModTime() time.Time { return time.Unix(fi.st.Mtim.Unix()) }

func (fi *fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(fi.st.Mode & 0o777)
	switch fi.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	}
	if fi.st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if fi.st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if fi.st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// Owner returns the uid and gid of an fs.FileInfo from this package or
// from os (-1, -1 when it carries neither).
func Owner(fi fs.FileInfo) (uid, gid int) {
	switch st := fi.Sys().(type) {
	case *unix.Stat_t:
		return int(st.Uid), int(st.Gid)
	case *syscall.Stat_t:
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
