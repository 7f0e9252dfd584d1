//go:build linux

package flxfs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// dirNode is a directory: the root, or one implied by the files' paths
// (a snapshot stores no directories, so they get 0755 and the snapshot's
// creation time).
type dirNode struct {
	fs.Inode
	mtime time.Time
	build func(context.Context, *dirNode) // the root's: fills the tree once mounted
}

var (
	_ fs.NodeOnAdder   = (*dirNode)(nil)
	_ fs.NodeGetattrer = (*dirNode)(nil)
	_ fs.NodeSetattrer = (*dirNode)(nil)
)

func (d *dirNode) OnAdd(ctx context.Context) {
	if d.build != nil {
		d.build(ctx, d)
	}
}

func (d *dirNode) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFDIR | 0o755
	setTimes(&out.Attr, d.mtime)
	return 0
}

func (d *dirNode) Setattr(context.Context, fs.FileHandle, *fuse.SetAttrIn, *fuse.AttrOut) syscall.Errno {
	return syscall.EROFS
}

// fileNode is one entry of the snapshot.
type fileNode struct {
	fs.Inode
	e     *entry
	cache *cache
	log   *slog.Logger
}

var (
	_ fs.NodeGetattrer = (*fileNode)(nil)
	_ fs.NodeSetattrer = (*fileNode)(nil)
	_ fs.NodeOpener    = (*fileNode)(nil)
)

func (n *fileNode) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | unixPerm(n.e.Perm())
	out.Size = uint64(n.e.Size)
	out.Blocks = (out.Size + 511) / 512
	setTimes(&out.Attr, n.e.mtime)
	return 0
}

func (n *fileNode) Setattr(context.Context, fs.FileHandle, *fuse.SetAttrIn, *fuse.AttrOut) syscall.Errno {
	return syscall.EROFS
}

// Open decodes the entry (or finds it cached). The kernel refuses writes
// on the read-only mount already; this refuses them too.
func (n *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC|syscall.O_APPEND) != 0 {
		return nil, 0, syscall.EROFS
	}
	ct, err := n.cache.acquire(n.e)
	if err != nil {
		n.log.Error("flx snapshot: cannot read a file", "snapshot", n.cache.name, "file", n.e.rel, "err", err)
		return nil, 0, syscall.EIO
	}
	// The content never changes under a mount: let the kernel keep its pages.
	return &handle{ct: ct, cache: n.cache}, fuse.FOPEN_KEEP_CACHE, 0
}

// handle is an open file: a reference on its decoded content.
type handle struct {
	ct    *content
	cache *cache
}

var (
	_ fs.FileReader   = (*handle)(nil)
	_ fs.FileReleaser = (*handle)(nil)
)

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, err := h.ct.ReadAt(dest, off)
	if err != nil && err != io.EOF {
		return nil, syscall.EIO
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.cache.release(h.ct)
	return 0
}

func setTimes(a *fuse.Attr, t time.Time) {
	if t.IsZero() {
		return
	}
	a.SetTimes(&t, &t, &t)
}

// unixPerm turns a Go file mode's permission and special bits into st_mode's.
func unixPerm(m os.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		p |= syscall.S_ISUID
	}
	if m&os.ModeSetgid != 0 {
		p |= syscall.S_ISGID
	}
	if m&os.ModeSticky != 0 {
		p |= syscall.S_ISVTX
	}
	return p
}

// buildTree adds a node for every indexed file and the directories its
// path implies. A path that is both a file and a directory's keeps the
// first comer; the other is logged and left out.
func buildTree(ctx context.Context, root *dirNode, ix *index, c *cache, log *slog.Logger) {
	for _, e := range ix.files {
		parent := &root.Inode
		parts := strings.Split(e.rel, "/")
		name := parts[len(parts)-1]
		for _, dir := range parts[:len(parts)-1] {
			ch := parent.GetChild(dir)
			if ch == nil {
				ch = parent.NewPersistentInode(ctx, &dirNode{mtime: ix.created}, fs.StableAttr{Mode: syscall.S_IFDIR})
				parent.AddChild(dir, ch, false)
			}
			if !ch.IsDir() {
				parent = nil
				break
			}
			parent = ch
		}
		if parent == nil || parent.GetChild(name) != nil {
			log.Warn("flx snapshot: a file and a directory share a path; the file is not shown", "snapshot", c.name, "file", e.rel)
			continue
		}
		node := &fileNode{e: e, cache: c, log: log}
		parent.AddChild(name, parent.NewPersistentInode(ctx, node, fs.StableAttr{Mode: syscall.S_IFREG}), false)
	}
}
