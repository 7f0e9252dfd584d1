//go:build linux

package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// resolver is shared by a root and every directory opened beneath it.
type resolver struct {
	// walk is set once openat2 answered ENOSYS: resolve component by
	// component from then on.
	walk atomic.Bool
}

// Dir is an open directory beneath (or at) a root. Its methods take paths
// relative to it; none follows a symlink.
type Dir struct {
	fd   int
	path string // relative to the root, for messages ("." for the root)
	res  *resolver
}

// OpenRoot opens the directory everything is resolved beneath. The name
// itself is resolved as usual (the operator chose it); nothing beneath it
// is.
func OpenRoot(name string) (*Dir, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &Dir{fd: fd, path: ".", res: &resolver{}}, nil
}

// Close closes the directory's descriptor.
func (d *Dir) Close() error {
	if d == nil || d.fd < 0 {
		return nil
	}
	err := unix.Close(d.fd)
	d.fd = -1
	return err
}

// Fd is the directory's descriptor.
func (d *Dir) Fd() int { return d.fd }

// mapErr turns the kernel's answers to a refused resolution into the
// package's errors.
func mapErr(err error) error {
	switch {
	case errors.Is(err, unix.ELOOP):
		return ErrSymlink
	case errors.Is(err, unix.EXDEV):
		return ErrUnsafePath
	}
	return err
}

func (d *Dir) pathErr(op, rel string, err error) error {
	return &fs.PathError{Op: op, Path: d.Rel(rel), Err: mapErr(err)}
}

// openat resolves rel beneath d without following symlinks and opens it
// with flags.
func (d *Dir) openat(rel string, flags int, mode uint32) (int, error) {
	if err := checkRel(rel); err != nil {
		return -1, err
	}
	flags |= unix.O_NOFOLLOW | unix.O_CLOEXEC
	if !d.res.walk.Load() {
		fd, err := d.openat2(rel, flags, mode)
		switch {
		case errors.Is(err, unix.ENOTDIR):
			// A file or a symlink where a directory should be: the walk
			// (as safe) tells which.
			return d.walk(rel, flags, mode)
		case !errors.Is(err, unix.ENOSYS):
			return fd, err
		}
		d.res.walk.Store(true)
	}
	return d.walk(rel, flags, mode)
}

func (d *Dir) openat2(rel string, flags int, mode uint32) (int, error) {
	how := &unix.OpenHow{
		Flags:   uint64(flags),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	if flags&unix.O_CREAT != 0 {
		how.Mode = uint64(mode)
	}
	// EAGAIN: a rename raced the resolution; the kernel asks for a retry.
	for range 64 {
		fd, err := unix.Openat2(d.fd, rel, how)
		if !errors.Is(err, unix.EAGAIN) {
			return fd, err
		}
	}
	return -1, unix.EAGAIN
}

// walk is openat2's fallback: each directory opened with
// O_NOFOLLOW|O_DIRECTORY from the one before.
func (d *Dir) walk(rel string, flags int, mode uint32) (int, error) {
	if rel == "." {
		return unix.Openat(d.fd, ".", flags, mode)
	}
	parts := strings.Split(rel, "/")
	fd := d.fd
	for i, part := range parts {
		fl := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if i == len(parts)-1 {
			fl = flags
		}
		next, err := unix.Openat(fd, part, fl, mode)
		err = symlinkOr(fd, part, err)
		if fd != d.fd {
			unix.Close(fd)
		}
		if err != nil {
			return -1, err
		}
		fd = next
	}
	return fd, nil
}

// symlinkOr tells a symlink apart when opening name with
// O_DIRECTORY|O_NOFOLLOW failed: the kernel says ENOTDIR for both a file
// and a symlink there.
func symlinkOr(dirfd int, name string, err error) error {
	if !errors.Is(err, unix.ENOTDIR) {
		return err
	}
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return unix.ELOOP
	}
	return err
}

// OpenDir opens the directory rel beneath d.
func (d *Dir) OpenDir(rel string) (*Dir, error) {
	fd, err := d.openat(rel, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, d.pathErr("open", rel, err)
	}
	return &Dir{fd: fd, path: d.Rel(rel), res: d.res}, nil
}

// MkdirAll opens the directory rel beneath d, making the missing ones
// (with perm) on the way; each component is made and opened from the
// one before, never through a symlink.
func (d *Dir) MkdirAll(rel string, perm fs.FileMode) (*Dir, error) {
	if err := checkRel(rel); err != nil {
		return nil, d.pathErr("mkdir", rel, err)
	}
	cur, err := d.OpenDir(".")
	if err != nil || rel == "." {
		return cur, err
	}
	for _, part := range strings.Split(rel, "/") {
		next, err := cur.mkdirOpen(part, perm)
		cur.Close()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

func (d *Dir) mkdirOpen(name string, perm fs.FileMode) (*Dir, error) {
	if err := unix.Mkdirat(d.fd, name, uint32(perm.Perm())); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, d.pathErr("mkdir", name, err)
	}
	fd, err := unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, d.pathErr("open", name, symlinkOr(d.fd, name, err))
	}
	return &Dir{fd: fd, path: d.Rel(name), res: d.res}, nil
}

// Mkdir makes the directory name in d.
func (d *Dir) Mkdir(name string, perm fs.FileMode) error {
	if err := checkName(name); err != nil {
		return d.pathErr("mkdir", name, err)
	}
	if err := unix.Mkdirat(d.fd, name, uint32(perm.Perm())); err != nil {
		return d.pathErr("mkdir", name, err)
	}
	return nil
}

// Open opens the regular file rel beneath d for reading. A FIFO or a
// device is refused without blocking on it.
func (d *Dir) Open(rel string) (*os.File, error) {
	fd, err := d.openat(rel, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, d.pathErr("open", rel, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, d.pathErr("stat", rel, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, d.pathErr("open", rel, ErrNotRegular)
	}
	return os.NewFile(uintptr(fd), d.Rel(rel)), nil
}

// CreateTemp creates a new file with a random name starting with prefix
// in d, for writing (mode 0600 until SetAttrs), and returns it and its
// name.
func (d *Dir) CreateTemp(prefix string) (*os.File, string, error) {
	for range 16 {
		name := prefix + randomSuffix()
		fd, err := unix.Openat(d.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return nil, "", d.pathErr("create", name, err)
		}
		return os.NewFile(uintptr(fd), d.Rel(name)), name, nil
	}
	return nil, "", d.pathErr("create", prefix+"*", unix.EEXIST)
}

// Create creates the new file name in d for writing (mode 0600 until
// SetAttrs); it fails if name exists, a symlink included.
func (d *Dir) Create(name string) (*os.File, error) {
	if err := checkName(name); err != nil {
		return nil, d.pathErr("create", name, err)
	}
	fd, err := unix.Openat(d.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, d.pathErr("create", name, err)
	}
	return os.NewFile(uintptr(fd), d.Rel(name)), nil
}

// Lstat describes the entry name of d itself, a symlink as a symlink.
// Its Sys is a *unix.Stat_t.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) {
	if err := checkName(name); err != nil {
		return nil, d.pathErr("lstat", name, err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, d.pathErr("lstat", name, err)
	}
	return newFileInfo(name, &st), nil
}

// Stat describes d itself.
func (d *Dir) Stat() (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return nil, d.pathErr("stat", ".", err)
	}
	return newFileInfo(path.Base(d.path), &st), nil
}

// ReadDir lists d's entries (not sorted; "." and ".." left out).
func (d *Dir) ReadDir() ([]fs.DirEntry, error) {
	// A new open file description: its own offset, so listing twice works.
	fd, err := unix.Openat(d.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, d.pathErr("open", ".", err)
	}
	f := os.NewFile(uintptr(fd), d.path)
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, d.pathErr("readdir", ".", err)
	}
	return entries, nil
}

// Rename renames oldName to newName within d, replacing newName (never
// following it: a symlink there is replaced, not written through).
func (d *Dir) Rename(oldName, newName string) error {
	return RenameAt(d, oldName, d, newName)
}

// RenameAt renames from/oldName to to/newName: both are names in opened
// directories, so no path is resolved again.
func RenameAt(from *Dir, oldName string, to *Dir, newName string) error {
	if err := errors.Join(checkName(oldName), checkName(newName)); err != nil {
		return linkErr(from, oldName, to, newName, ErrUnsafePath)
	}
	if err := unix.Renameat(from.fd, oldName, to.fd, newName); err != nil {
		return linkErr(from, oldName, to, newName, err)
	}
	return nil
}

// RenameNoReplace is RenameAt that fails with an error satisfying
// errors.Is(err, fs.ErrExist) when newName exists.
func RenameNoReplace(from *Dir, oldName string, to *Dir, newName string) error {
	if err := errors.Join(checkName(oldName), checkName(newName)); err != nil {
		return linkErr(from, oldName, to, newName, ErrUnsafePath)
	}
	err := unix.Renameat2(from.fd, oldName, to.fd, newName, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		// A file system without RENAME_NOREPLACE: check, then rename.
		var st unix.Stat_t
		if unix.Fstatat(to.fd, newName, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			err = unix.EEXIST
		} else {
			err = unix.Renameat(from.fd, oldName, to.fd, newName)
		}
	}
	if err != nil {
		return linkErr(from, oldName, to, newName, err)
	}
	return nil
}

func linkErr(from *Dir, oldName string, to *Dir, newName string, err error) error {
	return &os.LinkError{Op: "rename", Old: from.Rel(oldName), New: to.Rel(newName), Err: mapErr(err)}
}

// Remove removes the file (or symlink) name from d; a symlink is removed
// itself, never its target.
func (d *Dir) Remove(name string) error {
	if err := checkName(name); err != nil {
		return d.pathErr("remove", name, err)
	}
	if err := unix.Unlinkat(d.fd, name, 0); err != nil {
		return d.pathErr("remove", name, err)
	}
	return nil
}

// RemoveDir removes the empty directory name from d (never a symlink's
// target: rmdir does not follow one).
func (d *Dir) RemoveDir(name string) error {
	if err := checkName(name); err != nil {
		return d.pathErr("rmdir", name, err)
	}
	if err := unix.Unlinkat(d.fd, name, unix.AT_REMOVEDIR); err != nil {
		return d.pathErr("rmdir", name, err)
	}
	return nil
}

// RemoveAll removes name from d and, if it is a directory, everything in
// it; it descends through opened directories only, never a symlink.
func (d *Dir) RemoveAll(name string) error {
	if err := checkName(name); err != nil {
		return d.pathErr("remove", name, err)
	}
	err := unix.Unlinkat(d.fd, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EPERM) {
		return d.pathErr("remove", name, err)
	}
	sub, err := d.OpenDir(name)
	if err != nil {
		return err
	}
	entries, err := sub.ReadDir()
	for _, e := range entries {
		if rerr := sub.RemoveAll(e.Name()); rerr != nil && err == nil {
			err = rerr
		}
	}
	sub.Close()
	if err != nil {
		return err
	}
	if err := unix.Unlinkat(d.fd, name, unix.AT_REMOVEDIR); err != nil && !errors.Is(err, unix.ENOENT) {
		return d.pathErr("remove", name, err)
	}
	return nil
}

// Symlink makes name in d a symlink to target (which is stored, never
// resolved here).
func (d *Dir) Symlink(target, name string) error {
	if err := checkName(name); err != nil {
		return d.pathErr("symlink", name, err)
	}
	if err := unix.Symlinkat(target, d.fd, name); err != nil {
		return d.pathErr("symlink", name, err)
	}
	return nil
}

// Readlink reads the symlink name in d.
func (d *Dir) Readlink(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", d.pathErr("readlink", name, err)
	}
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(d.fd, name, buf)
	if err != nil {
		return "", d.pathErr("readlink", name, err)
	}
	return string(buf[:n]), nil
}

// Lchown sets the owner of the symlink name in d (a symlink has no
// descriptor to set it on; AT_SYMLINK_NOFOLLOW never reaches its target).
func (d *Dir) Lchown(name string, uid, gid int) error {
	if err := checkName(name); err != nil {
		return d.pathErr("lchown", name, err)
	}
	if err := unix.Fchownat(d.fd, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return d.pathErr("lchown", name, err)
	}
	return nil
}

// Syncfs flushes the file system d is on.
func (d *Dir) Syncfs() error {
	return unix.Syncfs(d.fd)
}
