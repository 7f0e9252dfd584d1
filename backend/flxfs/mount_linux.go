//go:build linux

package flxfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

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
