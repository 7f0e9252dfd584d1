// Package flxfs serves a .flx/.flxx snapshot as a read-only FUSE file
// system, so that an operator can browse and copy its files with ordinary
// tools.
//
// The snapshot is read through package flx and never parsed here. Mounting
// walks it once to build an index (path, size, mode, mtime, hash); a file's
// content is decoded only when the file is opened, and a small cache keeps
// the last few (large ones spilled to an unlinked temporary file), so the
// snapshot's content is never held whole in memory. A byte is served only
// after flx has checked the entry's hash: a damaged entry reads as EIO,
// never as wrong bytes. The file system never writes: every change is
// refused with EROFS.
package flxfs

import (
	"errors"
	"log/slog"
	"os"
	"strings"
)

// Options tune a mount; the zero value is fine.
type Options struct {
	// TempDir holds the decoded content of large files while they are open
	// (unlinked at once). os.TempDir() when empty.
	TempDir string
	// CacheFiles is how many decoded files are kept (16 when zero).
	CacheFiles int
	// CacheBytes bounds the decoded content kept in memory (32 MiB when zero).
	CacheBytes int64
	// Log receives what cannot be returned: the damage an open ran into.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.CacheFiles <= 0 {
		o.CacheFiles = 16
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 32 << 20
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// FSType is the file system type a flxfs mount has in /proc/self/mountinfo.
const FSType = "fuse.flx"

// ErrChanged means the snapshot file no longer matches the index made at
// mount time (it was replaced or edited while mounted).
var ErrChanged = errors.New("the snapshot file changed since it was mounted: unmount and mount it again")

// errStop ends a walk early once it has what it came for.
var errStop = errors.New("stop")

// renamed shows an error about the descriptor's /proc path with the
// snapshot's own.
type renamed struct {
	err      error
	from, to string
}

func (r renamed) Error() string { return strings.ReplaceAll(r.err.Error(), r.from, r.to) }
func (r renamed) Unwrap() error { return r.err }
