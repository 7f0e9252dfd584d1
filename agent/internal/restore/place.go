package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"syscall"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/safefs"
)

// placer moves extracted entries from the staging folder into the
// destination. Both are open directories (safefs): every destination
// entry is resolved from its opened parent, never through a symlink, and
// a move is a rename between two opened directories, so a user who owns
// a folder of the destination cannot race a placement outside it.
type placer struct {
	env        Env
	policy     string
	keepSetuid bool
	to         string // the destination, for messages
	res        *agentapi.RestoreResult
	tr         *tracker
	stamp      string
}

// placeAll drops setuid/setgid bits in the staging folder (nobody else
// can enter it), then places its entries into the destination root.
func (p *placer) placeAll(ctx context.Context, stage, root *safefs.Dir) error {
	if err := dropSetuid(stage, p.keepSetuid); err != nil {
		return fmt.Errorf("cannot check the modes of the extracted files: %v", unwrapPath(err))
	}
	return p.place(ctx, stage, root, "")
}

// show is the absolute path of name in d, for messages.
func (p *placer) show(d *safefs.Dir, name string) string {
	return filepath.Join(p.to, filepath.FromSlash(d.Rel(name)))
}

// place moves the entries of src into dst; rel is their path relative to
// the destination, for the report.
func (p *placer) place(ctx context.Context, src, dst *safefs.Dir, rel string) error {
	entries, err := src.ReadDir()
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return errors.New("restore cancelled while placing files")
		}
		if err := p.placeOne(ctx, src, dst, e, path.Join(rel, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func (p *placer) placeOne(ctx context.Context, src, dst *safefs.Dir, e fs.DirEntry, r string) error {
	name := e.Name()
	existing, err := dst.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		files, bytes := count(src, name)
		if err := move(src, dst, name, name, false); err != nil {
			return fmt.Errorf("cannot write %s: %v", p.show(dst, name), unwrapPath(err))
		}
		p.wrote(r, files, bytes)
	case err != nil:
		return fmt.Errorf("cannot read %s: %v", p.show(dst, name), unwrapPath(err))
	case e.IsDir() && existing.IsDir():
		return p.descend(ctx, src, dst, name, r)
	case e.IsDir() != existing.IsDir():
		// A folder where a file is, or the reverse: never destroy one
		// for the other.
		files, _ := count(src, name)
		p.res.Skipped += max(files, 1)
		p.env.Log("skipped %s: a %s is in the way at %s", r, kind(existing), p.show(dst, name))
	default:
		return p.conflict(src, dst, name, r)
	}
	return nil
}

// descend places a folder's entries into the existing folder, opened
// without following a symlink that may have replaced it since the Lstat.
func (p *placer) descend(ctx context.Context, src, dst *safefs.Dir, name, r string) error {
	s, err := src.OpenDir(name)
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", p.show(src, name), unwrapPath(err))
	}
	defer s.Close()
	d, err := dst.OpenDir(name)
	if err != nil {
		return fmt.Errorf("cannot write into %s: %v", p.show(dst, name), unwrapPath(err))
	}
	defer d.Close()
	return p.place(ctx, s, d, r)
}

// conflict places one file (or symlink) over an existing one.
func (p *placer) conflict(src, dst *safefs.Dir, name, r string) error {
	switch p.policy {
	case agentapi.PolicySkip:
		p.res.Skipped++
		return nil
	case agentapi.PolicyOverwrite:
		files, bytes := count(src, name)
		if err := move(src, dst, name, name, true); err != nil {
			return fmt.Errorf("cannot replace %s: %v", p.show(dst, name), unwrapPath(err))
		}
		p.res.Overwritten++
		p.wrote(r, files, bytes)
		return nil
	}
	// keep both: the archive's copy lands beside, renamed.
	target := name + ".restored-" + p.stamp
	for i := 2; ; i++ {
		if _, err := dst.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s.restored-%s-%d", name, p.stamp, i)
	}
	files, bytes := count(src, name)
	if err := move(src, dst, name, target, false); err != nil {
		return fmt.Errorf("cannot write %s: %v", p.show(dst, target), unwrapPath(err))
	}
	p.res.Renamed++
	p.wrote(r+" → "+target, files, bytes)
	return nil
}

func (p *placer) wrote(rel string, files, bytes int64) {
	p.res.Files += files
	p.res.Bytes += bytes
	if len(p.res.Written) < maxWritten {
		p.res.Written = append(p.res.Written, rel)
	}
	p.tr.placed(rel)
}

func kind(fi fs.FileInfo) string {
	switch {
	case fi.IsDir():
		return "folder"
	case fi.Mode()&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "file"
}

// count returns the regular files (a symlink counts as one) and their
// bytes of name in d, descending through opened folders only.
func count(d *safefs.Dir, name string) (files, bytes int64) {
	fi, err := d.Lstat(name)
	if err != nil {
		return 0, 0
	}
	if !fi.IsDir() {
		if fi.Mode().IsRegular() {
			bytes = fi.Size()
		}
		return 1, bytes
	}
	sub, err := d.OpenDir(name)
	if err != nil {
		return 0, 0
	}
	defer sub.Close()
	entries, _ := sub.ReadDir()
	for _, e := range entries {
		f, b := count(sub, e.Name())
		files, bytes = files+f, bytes+b
	}
	return files, bytes
}

// dropSetuid clears setuid and setgid on the regular files under d unless
// they belong to root and keep is set, on their descriptors.
func dropSetuid(d *safefs.Dir, keep bool) error {
	entries, err := d.ReadDir()
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch {
		case e.IsDir():
			sub, err := d.OpenDir(e.Name())
			if err != nil {
				return err
			}
			err = dropSetuid(sub, keep)
			sub.Close()
			if err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := dropSetuidFile(d, e.Name(), keep); err != nil {
				return err
			}
		}
	}
	return nil
}

func dropSetuidFile(d *safefs.Dir, name string, keep bool) error {
	fi, err := d.Lstat(name)
	if err != nil || fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid) == 0 {
		return err
	}
	uid, _ := safefs.Owner(fi)
	mode := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	safe := safefs.SafeMode(mode, uid, keep)
	if safe == mode {
		return nil
	}
	f, err := d.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return safefs.SetAttrs(f, safefs.Attrs{Mode: safe, UID: -1, GID: -1})
}

// move renames src/oldName to dst/newName (over an existing entry only
// with replace), copying across file systems (a mount point inside the
// destination) with modes, owners and times kept.
func move(src, dst *safefs.Dir, oldName, newName string, replace bool) error {
	rename := safefs.RenameNoReplace
	if replace {
		rename = safefs.RenameAt
	}
	err := rename(src, oldName, dst, newName)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	// Copied under a temporary name, then renamed into place like the
	// rest, so a half copy is never seen under the real name.
	tmp := ".borgdesk-copy-" + newName
	dst.RemoveAll(tmp)
	if err := copyTree(src, oldName, dst, tmp); err != nil {
		dst.RemoveAll(tmp)
		return err
	}
	if err := rename(dst, tmp, dst, newName); err != nil {
		dst.RemoveAll(tmp)
		return err
	}
	return src.RemoveAll(oldName)
}

// copyTree copies src/name to dst/newName through descriptors: folders
// opened without following, files written through their descriptors,
// symlinks copied as symlinks and never followed.
func copyTree(src *safefs.Dir, name string, dst *safefs.Dir, newName string) error {
	fi, err := src.Lstat(name)
	if err != nil {
		return err
	}
	uid, gid := safefs.Owner(fi)
	a := safefs.Attrs{Mode: fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky), UID: uid, GID: gid, Mtime: fi.ModTime()}
	switch {
	case fi.IsDir():
		return copyDir(src, name, dst, newName, a)
	case fi.Mode()&fs.ModeSymlink != 0:
		link, err := src.Readlink(name)
		if err != nil {
			return err
		}
		if err := dst.Symlink(link, newName); err != nil {
			return err
		}
		dst.Lchown(newName, uid, gid)
		return nil
	case fi.Mode().IsRegular():
		return copyFile(src, name, dst, newName, a)
	}
	return nil // devices, fifos: borg restored them in staging only
}

func copyDir(src *safefs.Dir, name string, dst *safefs.Dir, newName string, a safefs.Attrs) error {
	if err := dst.Mkdir(newName, 0o700); err != nil {
		return err
	}
	s, err := src.OpenDir(name)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := dst.OpenDir(newName)
	if err != nil {
		return err
	}
	defer d.Close()
	entries, err := s.ReadDir()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := copyTree(s, e.Name(), d, e.Name()); err != nil {
			return err
		}
	}
	// Last, so that the entries made inside do not change its time.
	return d.SetAttrs(a)
}

func copyFile(src *safefs.Dir, name string, dst *safefs.Dir, newName string, a safefs.Attrs) error {
	in, err := src.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := dst.Create(newName)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = safefs.SetAttrs(out, a)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
