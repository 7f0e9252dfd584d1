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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
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

// Server is one mounted snapshot.
type Server struct {
	fuse   *fuse.Server
	dir    string
	damage error
}

// Mount serves the snapshot at path on the directory dir and returns once
// the kernel sees the mount. A snapshot that is damaged part-way is still
// mounted: Damage says what is wrong, the damaged entry reads as EIO and
// the entries after it (which flx cannot reach) are left out.
func Mount(path, dir string, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	snap, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("mount %s: %w", path, err)
	}
	// Reading through the descriptor keeps the mount on the file it
	// indexed when the path is renamed, removed or replaced (a new
	// latest.flx), not only on the bytes it has cached.
	src := fmt.Sprintf("/proc/self/fd/%d", snap.Fd())
	ix, err := buildIndex(src)
	if err != nil {
		snap.Close()
		return nil, fmt.Errorf("mount %s: %w", path, renamed{err, src, abs})
	}
	if ix.damage != nil {
		ix.damage = renamed{ix.damage, src, abs}
		opts.Log.Warn("flx snapshot is damaged; mounting what can be read", "snapshot", abs, "err", ix.damage)
	}
	c := newCache(src, abs, snap, ix, opts)
	root := &dirNode{mtime: ix.created}
	root.build = func(ctx context.Context, r *dirNode) { buildTree(ctx, r, ix, c, opts.Log) }
	forever := 24 * time.Hour // the snapshot does not change under the mount
	srv, err := fs.Mount(dir, root, &fs.Options{
		MountOptions: fuse.MountOptions{
			FsName:        abs,
			Name:          "flx",
			Options:       []string{"ro"},
			DisableXAttrs: true,
		},
		EntryTimeout:    &forever,
		AttrTimeout:     &forever,
		NegativeTimeout: &forever,
		UID:             uint32(os.Getuid()),
		GID:             uint32(os.Getgid()),
	})
	if err != nil {
		c.close()
		return nil, fmt.Errorf("mount %s on %s: %w", path, dir, err)
	}
	s := &Server{fuse: srv, dir: dir, damage: ix.damage}
	go func() { srv.Wait(); c.close() }()
	return s, nil
}

// Dir is the mount point.
func (s *Server) Dir() string { return s.dir }

// Damage is what the mount-time walk found wrong with the snapshot, or nil.
func (s *Server) Damage() error { return s.damage }

// Unmount detaches the file system; it fails (and stays mounted) while a
// process still uses it.
func (s *Server) Unmount() error { return s.fuse.Unmount() }

// Wait returns once the file system is unmounted, by Unmount or from
// outside (fusermount3 -u).
func (s *Server) Wait() { s.fuse.Wait() }

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
