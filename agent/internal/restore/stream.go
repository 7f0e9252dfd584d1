package restore

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// A restore onto another server than the archive's gets no repository and
// no passphrase: the coordinator reads the archive and streams it as a tar
// (agentapi.PathTaskStream). receive fills the staging folder from that
// stream, in place of borg extract; placing is the same for both.
//
// The stream is untrusted input: no entry lands outside the staging
// folder. Absolute names, names with "..", hard links to anything but a
// file already received, and writes through a symlink are refused; device
// nodes and fifos are skipped; the sizes are capped to what the catalog
// said the restore holds, plus a little slack.

// errStreamTooLarge means the stream holds more than the task announced.
var errStreamTooLarge = errors.New("the coordinator's stream holds more than the restore announced")

// streamLimits caps a stream to the catalog's figures plus slack.
type streamLimits struct {
	files, bytes, entries int64
}

func limitsFor(files, bytes int64) streamLimits {
	return streamLimits{
		files:   files + files/100 + 16,
		bytes:   bytes + bytes/100 + 1<<20,
		entries: 4*files + 100_000, // folders and symlinks are not in the figures
	}
}

// receive fills staging with the task's stream from the coordinator.
func receive(ctx context.Context, env Env, p agentapi.RestorePayload, staging string, tr *tracker) error {
	if env.Stream == nil {
		return errors.New("this agent cannot receive a streamed restore")
	}
	body, err := env.Stream(ctx)
	if err != nil {
		return fmt.Errorf("opening the restore stream: %w", err)
	}
	defer body.Close()
	u := &untar{root: staging, lim: limitsFor(p.TotalFiles, p.TotalBytes), log: env.Log, owners: os.Geteuid() == 0,
		progress: func(n int64, name string) {
			tr.extracting(borg.ExtractProgress{Current: n, Total: p.TotalBytes, Path: name})
		}}
	if err := u.run(ctx, body); err != nil {
		return fmt.Errorf("receiving the files: %w", err)
	}
	// Read to the end: only there does the stream say it is complete.
	if n, err := io.Copy(io.Discard, io.LimitReader(body, 1<<20)); err != nil {
		return fmt.Errorf("receiving the files: %w", err)
	} else if n == 1<<20 {
		return fmt.Errorf("receiving the files: data after the end of the tar stream")
	}
	return nil
}

// untar writes a tar stream beneath root.
type untar struct {
	root     string
	lim      streamLimits
	log      func(string, ...any)
	progress func(bytes int64, name string)
	owners   bool // set owners (root only)

	files, bytes, entries int64
	dirs                  []*tar.Header // modes, owners and times set last
	regular               map[string]bool
	uids, gids            map[string]int
}

func (u *untar) run(ctx context.Context, r io.Reader) error {
	u.regular = map[string]bool{}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the tar stream: %w", err)
		}
		if u.entries++; u.entries > u.lim.entries {
			return errStreamTooLarge
		}
		if err := u.entry(h, tr); err != nil {
			return err
		}
	}
	return u.finishDirs()
}

// entry writes one tar entry.
func (u *untar) entry(h *tar.Header, r io.Reader) error {
	rel, err := cleanName(h.Name)
	if err != nil {
		return err
	}
	if rel == "" {
		return nil // the root itself
	}
	if err := u.parents(rel); err != nil {
		return err
	}
	target := filepath.Join(u.root, filepath.FromSlash(rel))
	switch h.Typeflag {
	case tar.TypeDir:
		return u.dir(h, rel, target)
	case tar.TypeReg, tar.TypeRegA:
		return u.file(h, rel, target, r)
	case tar.TypeSymlink:
		return u.symlink(h, target)
	case tar.TypeLink:
		return u.hardlink(h, rel, target)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		u.log("skipped %s: device nodes and fifos are not restored onto another server", rel)
		return nil
	default:
		u.log("skipped %s: unsupported tar entry type %q", rel, h.Typeflag)
		return nil
	}
}

// cleanName turns a tar name into a clean relative slash path, refusing
// absolute names and any "..".
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("refused %q: absolute or malformed name in the stream", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("refused %q: the name climbs out of the restore", name)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// parents makes sure every parent of rel is a real folder beneath root
// (never a symlink), creating missing ones as borg extract does.
func (u *untar) parents(rel string) error {
	dir := u.root
	parts := strings.Split(rel, "/")
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", dir, err)
			}
		case err != nil:
			return err
		case !fi.IsDir():
			return fmt.Errorf("refused %q: %s in its path is not a folder", rel, part)
		}
	}
	return nil
}

func (u *untar) dir(h *tar.Header, rel, target string) error {
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(target, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", target, err)
		}
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("refused %q: a folder over a file of the stream", rel)
	}
	hc := *h
	hc.Name = rel
	u.dirs = append(u.dirs, &hc)
	return nil
}

func (u *untar) file(h *tar.Header, rel, target string, r io.Reader) error {
	if u.files++; u.files > u.lim.files || h.Size < 0 || u.bytes+h.Size > u.lim.bytes {
		return errStreamTooLarge
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	err = u.copy(f, r, h.Size, rel)
	if err == nil {
		u.own(f.Chown, h)
		err = f.Chmod(tarMode(h))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	os.Chtimes(target, h.ModTime, h.ModTime)
	u.regular[rel] = true
	return nil
}

// copy writes size bytes of r to w, reporting progress as it goes.
func (u *untar) copy(w io.Writer, r io.Reader, size int64, rel string) error {
	buf := make([]byte, 256<<10)
	for size > 0 {
		n, err := r.Read(buf[:min(int64(len(buf)), size)])
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			size -= int64(n)
			u.bytes += int64(n)
			u.progress(u.bytes, rel)
		}
		if err != nil && size > 0 {
			return fmt.Errorf("the stream ended inside %s: %w", rel, err)
		}
	}
	return nil
}

func (u *untar) symlink(h *tar.Header, target string) error {
	if h.Linkname == "" || strings.ContainsRune(h.Linkname, 0) {
		return fmt.Errorf("refused %q: a symlink without a target", h.Name)
	}
	// The link is kept as it was archived (as borg extract keeps it) and
	// never followed: parents() refuses to write through it.
	if err := os.Symlink(h.Linkname, target); err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	u.own(func(uid, gid int) error { return os.Lchown(target, uid, gid) }, h)
	return nil
}

// hardlink links target to a regular file this stream wrote before.
func (u *untar) hardlink(h *tar.Header, rel, target string) error {
	src, err := cleanName(h.Linkname)
	if err != nil || src == "" || !u.regular[src] {
		return fmt.Errorf("refused %q: a hard link to %q, which is not a file of this restore", rel, h.Linkname)
	}
	if err := os.Link(filepath.Join(u.root, filepath.FromSlash(src)), target); err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	return nil
}

// finishDirs sets the folders' modes, owners and times, deepest first, so
// that a read-only folder did not stop its contents being written.
func (u *untar) finishDirs() error {
	for i := len(u.dirs) - 1; i >= 0; i-- {
		h := u.dirs[i]
		target := filepath.Join(u.root, filepath.FromSlash(h.Name))
		f, err := os.OpenFile(target, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			return fmt.Errorf("setting the mode of %s: %w", target, err)
		}
		u.own(f.Chown, h)
		err = f.Chmod(tarMode(h))
		f.Close()
		if err != nil {
			return fmt.Errorf("setting the mode of %s: %w", target, err)
		}
		os.Chtimes(target, h.ModTime, h.ModTime)
	}
	return nil
}

// tarMode is an entry's permission bits with setuid, setgid and sticky.
func tarMode(h *tar.Header) fs.FileMode {
	m := fs.FileMode(h.Mode).Perm()
	if h.Mode&04000 != 0 {
		m |= fs.ModeSetuid
	}
	if h.Mode&02000 != 0 {
		m |= fs.ModeSetgid
	}
	if h.Mode&01000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// own sets an entry's owner, by name where this server knows the name
// (as borg extract does), else by number. Only root can.
func (u *untar) own(chown func(uid, gid int) error, h *tar.Header) {
	if !u.owners {
		return
	}
	chown(u.id(&u.uids, h.Uname, h.Uid, lookupUser), u.id(&u.gids, h.Gname, h.Gid, lookupGroup))
}

func (u *untar) id(cache *map[string]int, name string, fallback int, lookup func(string) (int, bool)) int {
	if name == "" {
		return fallback
	}
	if *cache == nil {
		*cache = map[string]int{}
	}
	id, ok := (*cache)[name]
	if !ok {
		if id, ok = lookup(name); !ok {
			id = fallback
		}
		(*cache)[name] = id
	}
	return id
}

func lookupUser(name string) (int, bool) {
	us, err := user.Lookup(name)
	if err != nil {
		return 0, false
	}
	id, err := strconv.Atoi(us.Uid)
	return id, err == nil
}

func lookupGroup(name string) (int, bool) {
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, false
	}
	id, err := strconv.Atoi(g.Gid)
	return id, err == nil
}

// readDump copies a streamed database dump to w, capped to the size the
// catalog announced plus slack.
func readDump(ctx context.Context, env Env, total int64, w io.Writer) error {
	if env.Stream == nil {
		return errors.New("this agent cannot receive a streamed restore")
	}
	body, err := env.Stream(ctx)
	if err != nil {
		return fmt.Errorf("opening the restore stream: %w", err)
	}
	defer body.Close()
	lim := limitsFor(1, total).bytes
	n, err := io.Copy(w, io.LimitReader(body, lim+1))
	if err != nil {
		return fmt.Errorf("receiving the dump: %w", err)
	}
	if n > lim {
		return errStreamTooLarge
	}
	return nil
}
