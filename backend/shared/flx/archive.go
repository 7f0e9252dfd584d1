package flx

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// FlexPBX's PHP admin module writes a snapshot as a tar.gz of component
// folders and a manifest.json; exported .flxx files are also seen as ZIP
// archives, with or without that manifest. These containers carry no
// per-file hashes: reading one checks what the container itself checks
// (gzip's and ZIP's CRC-32, tar's sizes) and hashes each member so that a
// restore can compare it with what is on disk.

// component is one folder of the module's archive and where the module
// restores it.
type component struct {
	dest string // beneath the root; "" with home: beneath the account's home
	home bool
	// note, when set, says why the folder is not restored as files.
	note string
}

// components maps the module's folders to their system paths, as its
// restore does. The manifest's contents use the same keys, except
// system_logs, whose folder is logs.
var components = map[string]component{
	"asterisk_config": {dest: "etc/asterisk"},
	"flexpbx_app":     {dest: "apps/flexpbx", home: true}, // the module's /home/flexpbxuser/apps/flexpbx
	"database":        {dest: "var/lib/asterisk"},         // SQLite files; SQL dumps are kept aside
	"cdr":             {dest: dumpDir + "/cdr"},
	"voicemail":       {dest: "var/spool/asterisk/voicemail"},
	"moh":             {dest: "var/lib/asterisk/moh"},
	"sounds":          {dest: "var/lib/asterisk/sounds/custom"},
	"recordings":      {dest: "var/spool/asterisk/monitor"},
	"fax":             {dest: "var/spool/asterisk/fax"},
	"logs":            {note: "not restored (FlexPBX's module does not restore logs either)"},
}

// dumpDir receives the module's SQL dumps: a restore of files does not
// load a database.
const dumpDir = "var/backups/borgdesk-flx/flexpbx-sql"

func componentFolder(key string) string {
	if key == "system_logs" {
		return "logs"
	}
	return key
}

// manifest is the module's manifest.json (what Borgdesk reads of it).
type manifest struct {
	BackupName string                     `json:"backup_name"`
	Format     string                     `json:"format"`
	Created    string                     `json:"created"`
	Hostname   string                     `json:"hostname"`
	Version    string                     `json:"version"`
	FlexPBX    string                     `json:"flexpbx_version"`
	Contents   map[string]json.RawMessage `json:"contents"`
}

const maxManifest = 1 << 20

// member is one archive member as listed before any content is read.
type member struct {
	name       string // as in the archive
	entry      Entry  // Path and Home set; no hash yet
	size       int64
	compressed int64 // ZIP only
	skip       bool
}

// archivePlan is what the listing pass learned.
type archivePlan struct {
	meta    *Meta
	members []member
}

// memberName checks an archive member's name and returns it cleaned
// ("" for the archive's own "./").
func memberName(name string) (string, error) {
	switch {
	case strings.ContainsRune(name, 0):
		return "", fmt.Errorf("member %q has a NUL in its name: refusing it", name)
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("member %q is an absolute path: refusing it (a snapshot's members are relative)", name)
	case strings.Contains(name, `\`):
		return "", fmt.Errorf("member %q has a backslash in its name: refusing it", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("member %q climbs out with \"..\": refusing it", name)
		}
	}
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// plan maps the listed members to entries: with a manifest, by component
// folder; without one (ZIP only), as the paths of a FlexPBX-layout
// snapshot.
func (p *archivePlan) plan(rawManifest []byte, folders map[string]bool, kind string) error {
	m := p.meta
	if rawManifest == nil && len(p.members) == 0 {
		return fmt.Errorf("an empty %s archive, not a .flx snapshot", kind)
	}
	m.Container, m.NoFileHashes, m.Version = kind, true, FormatVersion
	if rawManifest == nil {
		if kind != ContainerZip {
			return fmt.Errorf("a %s archive without manifest.json, not a FlexPBX snapshot", kind)
		}
		m.Layout, m.BackupType, m.Producer = LayoutFlexPBX, TypeExtended, "a ZIP archive (no manifest)"
		for i := range p.members {
			mb := &p.members[i]
			mb.entry.Path, mb.entry.Home = mb.name, homeRelative(mb.name)
		}
		return nil
	}
	var man manifest
	if err := json.Unmarshal(rawManifest, &man); err != nil {
		return fmt.Errorf("its manifest.json is not the module's JSON object (%v): damaged", err)
	}
	m.Layout, m.Created = LayoutRoot, man.Created
	m.FlexPBXVersion = firstOf(man.FlexPBX, man.Version)
	m.Producer = "FlexPBX backup module"
	if man.Hostname != "" {
		m.Producer += " on " + man.Hostname
	}
	m.BackupType = TypeSystem
	if man.Format == "flxx" {
		m.BackupType = TypeExtended
	}
	m.Extra["manifest"] = json.RawMessage(rawManifest)
	keys := make([]string, 0, len(man.Contents))
	for k := range man.Contents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		folder := componentFolder(k)
		if _, known := components[folder]; !known {
			return fmt.Errorf("the manifest names component %q, which is no FlexPBX component this Borgdesk knows", k)
		}
		if !folders[folder] {
			return fmt.Errorf("the manifest names component %q but the archive has no %s/ folder (truncated or edited)", k, folder)
		}
	}
	notes := map[string]int{}
	for i := range p.members {
		mb := &p.members[i]
		folder, rest, _ := strings.Cut(mb.name, "/")
		c, ok := components[folder]
		if !ok || rest == "" {
			return fmt.Errorf("member %q is outside the module's component folders (%s): refusing the archive", mb.name, knownFolders())
		}
		switch {
		case c.note != "":
			mb.skip = true
			notes[folder+"/ "+c.note]++
			continue
		case folder == "recordings":
			// The module copies recordings with their full path.
			rest = strings.TrimPrefix(rest, "var/spool/asterisk/monitor/")
		case folder == "cdr":
			notes[fmt.Sprintf("cdr/ call records are put in /%s/cdr, not loaded: load them with mysql", dumpDir)]++
		case folder == "database" && hasExt(rest, ".sql"):
			notes[fmt.Sprintf("database/ SQL dumps are put in /%s, not loaded: load them with mysql", dumpDir)]++
			mb.entry.Path = dumpDir + "/" + rest
			continue
		}
		mb.entry.Path, mb.entry.Home = c.dest+"/"+rest, c.home
	}
	for n, count := range notes {
		m.Notes = append(m.Notes, fmt.Sprintf("%s (%d files)", n, count))
	}
	sort.Strings(m.Notes)
	return nil
}

func knownFolders() string {
	var out []string
	for k := range components {
		out = append(out, k+"/")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// budget caps what reading an archive may inflate to: the total, each
// member, and the ratio of inflated to packed bytes (a ZIP or gzip bomb).
type budget struct {
	lim    Limits
	packed int64 // the archive file's size
	total  int64
}

func (b *budget) totalCap() int64 {
	return min(b.lim.MaxBytes, max(b.lim.RatioFloor, b.packed*b.lim.MaxRatio))
}

// memberCap is the most one member may inflate to.
func (b *budget) memberCap(compressed int64) int64 {
	c := MaxFileSize
	if compressed > 0 {
		c = min(c, max(b.lim.RatioFloor, compressed*b.lim.MaxRatio))
	}
	return c
}

func (b *budget) refuse(what string, limit int64, flag string) error {
	return fmt.Errorf("%s: %w", what, &LimitError{What: "total size", Limit: limit, Flag: flag})
}

// capped counts what a member's reader yields against its cap and the
// archive's total.
type capped struct {
	r    io.Reader
	b    *budget
	n    int64
	cap  int64
	name string
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.b.total += int64(n)
	if c.n > c.cap {
		return 0, fmt.Errorf("member %q inflates past %d bytes (more than %d times its packed size, or the per-file cap): a ZIP bomb or damaged (raise --max-ratio if you trust it)", c.name, c.cap, c.b.lim.MaxRatio)
	}
	if t := c.b.totalCap(); c.b.total > t {
		return 0, c.b.refuse(fmt.Sprintf("member %q", c.name), t, "--max-size or --max-ratio")
	}
	return n, err
}

// emit streams one member's content through fn like a JSON entry: the
// content is hashed as it is read, and the commit runs once it is whole.
func emit(m *Meta, mb *member, r io.Reader, b *budget, fn FileFunc) error {
	e := mb.entry
	cr := &capped{r: r, b: b, cap: b.memberCap(mb.compressed), name: mb.name}
	h := sha256.New()
	tee := io.TeeReader(cr, h)
	var commit func() error
	var err error
	if fn != nil {
		commit, err = fn(m, &e, tee)
	}
	if err == nil {
		_, err = io.Copy(io.Discard, tee)
	}
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, gzip.ErrChecksum) {
			return fmt.Errorf("member %q: its CRC-32 does not match (damaged)", mb.name)
		}
		return fmt.Errorf("%s: %w", e.name(), err)
	}
	e.Size = cr.n
	e.Hash = "sha256:" + hex.EncodeToString(h.Sum(nil))
	mb.entry = e
	if commit != nil {
		return commit()
	}
	return nil
}

// lister gathers the members of an archive, refusing unsafe ones.
type lister struct {
	lim      Limits
	seen     map[string]string
	folders  map[string]bool
	manifest []byte
	plan     archivePlan
}

func newLister(lim Limits) *lister {
	return &lister{lim: lim, seen: map[string]string{}, folders: map[string]bool{},
		plan: archivePlan{meta: &Meta{Extra: map[string]json.RawMessage{}}}}
}

// add lists one member; readManifest reads manifest.json's content.
func (l *lister) add(name string, mode fs.FileMode, size, compressed int64, owner string, mtime time.Time, readManifest func() ([]byte, error)) error {
	clean, err := memberName(name)
	if err != nil || clean == "" {
		return err
	}
	if len(clean) > l.lim.MaxPathLen {
		return fmt.Errorf("member %q: %w", name, &LimitError{What: "path length", Limit: int64(l.lim.MaxPathLen), Flag: "--max-path"})
	}
	folder, _, _ := strings.Cut(clean, "/")
	switch {
	case mode&fs.ModeSymlink != 0:
		return fmt.Errorf("member %q is a symlink: a snapshot holds regular files only; refusing the archive", name)
	case mode.IsDir():
		l.folders[folder] = true
		return nil
	case !mode.IsRegular():
		return fmt.Errorf("member %q is a %s, not a regular file: refusing the archive", name, kindOf(mode))
	case size > MaxFileSize:
		return fmt.Errorf("member %q declares %d bytes, more than the %d-byte limit on one file", name, size, MaxFileSize)
	}
	if prev, dup := l.seen[clean]; dup {
		return fmt.Errorf("member %q is in the archive twice (also as %q): refusing the archive", name, prev)
	}
	l.seen[clean] = name
	l.folders[folder] = true
	if clean == "manifest.json" {
		b, err := readManifest()
		if err != nil {
			return fmt.Errorf("member %q: %w", name, err)
		}
		l.manifest = b
		return nil
	}
	if len(l.plan.members) >= l.lim.MaxEntries {
		return &LimitError{What: "entries", Limit: int64(l.lim.MaxEntries), Flag: "--max-files"}
	}
	mb := member{name: clean, size: size, compressed: compressed}
	mb.entry = Entry{Mode: fmt.Sprintf("%04o", unixPerm(mode)), Owner: owner, Size: size}
	if !mtime.IsZero() {
		mb.entry.Mtime = mtime.UTC().Format(time.RFC3339)
	}
	l.plan.members = append(l.plan.members, mb)
	return nil
}

func kindOf(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeDevice != 0:
		return "device"
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

func unixPerm(mode fs.FileMode) uint32 {
	p := uint32(mode.Perm())
	for bit, v := range map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if mode&bit != 0 {
			p |= v
		}
	}
	return p
}

// finish numbers the entries that will be emitted and fills the count.
func (l *lister) finish(kind string) (*archivePlan, error) {
	if err := l.plan.plan(l.manifest, l.folders, kind); err != nil {
		return nil, err
	}
	n := 0
	for i := range l.plan.members {
		if !l.plan.members[i].skip {
			n++
			l.plan.members[i].entry.Index = n
		}
	}
	l.plan.meta.FileCount = n
	return &l.plan, nil
}

func readSmall(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err == nil && len(b) > maxManifest {
		err = fmt.Errorf("larger than %d bytes: not a manifest", maxManifest)
	}
	return b, err
}

// tarStream opens the archive's tar stream (through gunzip for tar.gz),
// under the total cap.
func tarStream(f *os.File, kind string, b *budget) (*tar.Reader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var r io.Reader = bufio.NewReader(f)
	if kind == ContainerTarGz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	return tar.NewReader(&capReader{r: r, max: b.totalCap()}), nil
}

// walkTar reads a tar or tar.gz snapshot in two passes: the first lists
// and checks every member and reads the manifest (which may come last),
// the second streams the contents through fn.
func walkTar(name, kind string, fn FileFunc, lim Limits) (*Meta, error) {
	lim = lim.withDefaults()
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := &budget{lim: lim, packed: fi.Size()}
	tr, err := tarStream(f, kind, b)
	if err != nil {
		return nil, err
	}
	l := newLister(lim)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, tarErr(err)
		}
		mode := h.FileInfo().Mode()
		if h.Typeflag == tar.TypeLink {
			return nil, fmt.Errorf("member %q is a hard link: a snapshot holds regular files only; refusing the archive", h.Name)
		}
		if err := l.add(h.Name, mode, h.Size, 0, h.Uname, h.ModTime, func() ([]byte, error) { return readSmall(tr) }); err != nil {
			return nil, err
		}
	}
	plan, err := l.finish(kind)
	if err != nil {
		return nil, err
	}
	b.total = 0
	tr, err = tarStream(f, kind, b)
	if err != nil {
		return nil, err
	}
	byName := map[string]*member{}
	for i := range plan.members {
		byName[plan.members[i].name] = &plan.members[i]
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, tarErr(err)
		}
		clean, _ := memberName(h.Name)
		mb, ok := byName[clean]
		if !ok || mb.skip || !h.FileInfo().Mode().IsRegular() {
			continue
		}
		if err := emit(plan.meta, mb, tr, b, fn); err != nil {
			return nil, err
		}
	}
	return plan.meta, nil
}

func tarErr(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the archive is truncated")
	}
	return fmt.Errorf("the archive is damaged (%v)", err)
}

// walkZip reads a ZIP snapshot: its central directory lists the members
// first, then each is inflated through fn under the caps.
func walkZip(name string, fn FileFunc, lim Limits) (*Meta, error) {
	lim = lim.withDefaults()
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, fmt.Errorf("a damaged ZIP archive (%v)", err)
	}
	defer zr.Close()
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	b := &budget{lim: lim, packed: fi.Size()}
	l := newLister(lim)
	for _, zf := range zr.File {
		zf := zf
		size := int64(zf.UncompressedSize64)
		if zf.UncompressedSize64 > uint64(MaxFileSize) {
			size = MaxFileSize + 1
		}
		read := func() ([]byte, error) {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return readSmall(rc)
		}
		if err := l.add(zf.Name, zf.Mode(), size, int64(zf.CompressedSize64), "", zf.Modified, read); err != nil {
			return nil, err
		}
	}
	plan, err := l.finish(ContainerZip)
	if err != nil {
		return nil, err
	}
	byName := map[string]*zip.File{}
	for _, zf := range zr.File {
		if clean, _ := memberName(zf.Name); clean != "" {
			byName[clean] = zf
		}
	}
	for i := range plan.members {
		mb := &plan.members[i]
		if mb.skip {
			continue
		}
		rc, err := byName[mb.name].Open()
		if err != nil {
			return nil, fmt.Errorf("member %q: %v", mb.name, err)
		}
		err = emit(plan.meta, mb, rc, b, fn)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	return plan.meta, nil
}
