package flx

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// File is one file to put in a snapshot.
type File struct {
	Rel  string // the path stored, relative to the source root
	Abs  string // where to read it
	Info fs.FileInfo
	// Open, when set, opens the content instead of os.Open(Abs): a
	// restore's rollback reads through its root, never following a link.
	Open func() (io.ReadCloser, error)
}

func (f File) open() (io.ReadCloser, error) {
	if f.Open != nil {
		return f.Open()
	}
	return os.Open(f.Abs)
}

// Skipped is a file left out, and why.
type Skipped struct{ Rel, Why string }

// Collect lists the regular files under root's paths (relative to root, or
// absolute inside it), leaving out what Excluded names and what is not a
// regular file.
func Collect(root string, paths []string) ([]File, []Skipped, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, err
	}
	var files []File
	var skipped []Skipped
	seen := map[string]bool{}
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(root, p)
		}
		abs = filepath.Clean(abs)
		if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, nil, fmt.Errorf("%s is outside the root %s", p, root)
		}
		err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == abs {
					return fmt.Errorf("%s does not exist", p)
				}
				skipped = append(skipped, Skipped{p, err.Error()})
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				skipped = append(skipped, Skipped{rel, "not a regular file"})
				return nil
			}
			if why := Excluded(rel); why != "" {
				skipped = append(skipped, Skipped{rel, why})
				return nil
			}
			if seen[rel] {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				skipped = append(skipped, Skipped{rel, err.Error()})
				return nil
			}
			seen[rel] = true
			files = append(files, File{Rel: rel, Abs: p, Info: info})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	return files, skipped, nil
}

// Options shape a snapshot.
type Options struct {
	Type        string // TypeSystem or TypeExtended
	KeepSecrets bool   // no sanitizing; sensitive_data_included: true
	Producer    string
	Includes    map[string]bool
	SourceRoot  string
	SourceHome  string
	Now         time.Time
	// Skipped files go into the redaction report.
	Skipped                                               []Skipped
	DefaultSettings, UserTemplate, AdminTemplate, Schemas json.RawMessage
	// RollbackCreated marks a rollback snapshot.
	RollbackCreated []string
	// Layout and Account, when set, are written as the snapshot's layout
	// and account (see Meta).
	Layout, Account string
	// Extra are more top-level keys, written (sorted) before the files, so
	// a reader has them with the first entry (Meta.Extra): a recovery kit's
	// manifest travels this way.
	Extra map[string]json.RawMessage
}

// Write streams a snapshot of files to w and returns its metadata.
func Write(w io.Writer, files []File, o Options) (*Meta, error) {
	if o.Type == "" {
		o.Type = TypeSystem
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	m := &Meta{Version: FormatVersion, BackupType: o.Type, Created: o.Now.Format("2006-01-02 15:04:05"), FlexPBXVersion: o.Producer,
		Producer: o.Producer, SensitiveDataIncluded: o.KeepSecrets, Includes: o.Includes, FileCount: len(files), SourceRoot: o.SourceRoot,
		SourceHome: o.SourceHome, RollbackCreated: o.RollbackCreated, Layout: o.Layout, Account: o.Account}
	if m.Includes == nil {
		m.Includes = map[string]bool{"config_files": true, "default_settings": len(o.DefaultSettings) > 0,
			"user_template": o.Type == TypeExtended, "admin_template": o.Type == TypeExtended, "schemas": o.Type == TypeExtended}
	}
	field := func(first bool, k string, v any) {
		if !first {
			bw.WriteString(",\n")
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		bw.Write(kb)
		bw.WriteString(": ")
		bw.Write(vb)
	}
	bw.WriteString("{\n")
	field(true, "version", m.Version)
	field(false, "backup_type", m.BackupType)
	field(false, "created", m.Created)
	field(false, "flexpbx_version", m.FlexPBXVersion)
	field(false, "producer", m.Producer)
	field(false, "sensitive_data_included", m.SensitiveDataIncluded)
	field(false, "includes", m.Includes)
	field(false, "file_count", m.FileCount)
	if m.SourceRoot != "" {
		field(false, "source_root", m.SourceRoot)
	}
	if m.SourceHome != "" {
		field(false, "source_home", m.SourceHome)
	}
	if len(m.RollbackCreated) > 0 {
		field(false, "rollback_created", m.RollbackCreated)
	}
	if m.Layout != "" {
		field(false, "layout", m.Layout)
	}
	if m.Account != "" {
		field(false, "account", m.Account)
	}
	extra := make([]string, 0, len(o.Extra))
	for k := range o.Extra {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		field(false, k, o.Extra[k])
	}
	bw.WriteString(",\n\"files\": [")
	var report []Redaction
	ahead := encodeAhead(files, o.KeepSecrets)
	defer ahead.stop()
	for i, f := range files {
		if i > 0 {
			bw.WriteString(",")
		}
		counts, err := ahead.write(bw, i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Abs, err)
		}
		rules := make([]string, 0, len(counts))
		for r := range counts {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		for _, r := range rules {
			report = append(report, Redaction{File: f.Rel, Rule: r, Count: counts[r]})
		}
	}
	bw.WriteString("\n]")
	for _, s := range o.Skipped {
		if strings.HasPrefix(s.Why, "excluded: ") {
			report = append(report, Redaction{File: s.Rel, Rule: s.Why, Count: 1})
		}
	}
	m.Redactions = report
	if report == nil {
		report = []Redaction{}
	}
	field(false, "redaction_report", report)
	defaults := o.DefaultSettings
	if len(defaults) == 0 {
		defaults = json.RawMessage(`{}`)
	}
	field(false, "default_settings", defaults)
	if o.Type == TypeExtended {
		for _, kv := range []struct {
			k string
			v json.RawMessage
		}{{"user_template", o.UserTemplate}, {"admin_template", o.AdminTemplate}, {"schemas", o.Schemas}} {
			if len(kv.v) == 0 {
				kv.v = json.RawMessage(`{}`)
			}
			field(false, kv.k, kv.v)
		}
	}
	bw.WriteString("\n}\n")
	return m, bw.Flush()
}

func writeEntry(w io.Writer, f File, keepSecrets bool, ownerName func(uid uint32) string) (map[string]int, error) {
	src, err := f.open()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	mode := uint32(f.Info.Mode().Perm())
	for bit, v := range map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if f.Info.Mode()&bit != 0 {
			mode |= v
		}
	}
	head := map[string]any{"path": f.Rel, "mode": fmt.Sprintf("%04o", mode), "mtime": f.Info.ModTime().UTC().Format(time.RFC3339), "owner": ""}
	if uid, ok := fileUID(f.Info); ok {
		head["owner"] = ownerName(uint32(uid))
	}
	pb, _ := json.Marshal(head["path"])
	fmt.Fprintf(w, "\n{\"path\": %s, \"mode\": %q, \"owner\": %q, \"mtime\": %q, \"content\": \"", pb, head["mode"], head["owner"], head["mtime"])
	h := sha256.New()
	cnt := &countWriter{limit: MaxFileSize}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	sink := io.MultiWriter(enc, h, cnt)
	counts := map[string]int{}
	if keepSecrets {
		_, err = io.Copy(sink, src)
	} else {
		err = (&sanitizer{counts: counts}).copy(sink, src)
	}
	if err != nil {
		return nil, err
	}
	enc.Close()
	fmt.Fprintf(w, "\", \"size\": %d, \"hash\": \"sha256:%s\"}", cnt.n, hex.EncodeToString(h.Sum(nil)))
	return counts, nil
}

// IsSnapshotName reports whether a file name is a .flx/.flxx snapshot's
// (gzipped or not).
func IsSnapshotName(name string) bool {
	for _, ext := range []string{".flx", ".flxx", ".flx.gz", ".flxx.gz"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// FileName is <prefix>-YYYY-MM-DD_HH-MM-SS.flx[x][.gz].
func FileName(prefix, typ string, gz bool, now time.Time) string {
	ext := ".flx"
	if typ == TypeExtended {
		ext = ".flxx"
	}
	if gz {
		ext += ".gz"
	}
	return prefix + "-" + now.Format("2006-01-02_15-04-05") + ext
}

// LatestName is the link Create points at the newest snapshot of a type:
// latest.flx or latest.flxx, with .gz for a gzipped one (as FlexPBX's
// tools name it).
func LatestName(typ string, gz bool) string {
	name := "latest.flx"
	if typ == TypeExtended {
		name = "latest.flxx"
	}
	if gz {
		name += ".gz"
	}
	return name
}

// LatestNames are every name LatestName gives, newest kind first.
var LatestNames = []string{"latest.flxx", "latest.flxx.gz", "latest.flx", "latest.flx.gz"}

// Create writes a snapshot file into dir (gzipped with gz), via a temporary
// name, and points the LatestName link at it.
func Create(dir, prefix string, gz bool, files []File, o Options) (string, *Meta, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	name := filepath.Join(dir, FileName(prefix, o.Type, gz, o.Now))
	tmp, err := os.CreateTemp(dir, ".flx-*")
	if err != nil {
		return "", nil, err
	}
	defer os.Remove(tmp.Name())
	tmp.Chmod(0o600)
	var w io.Writer = tmp
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(tmp)
		w = zw
	}
	m, err := Write(w, files, o)
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", nil, err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return "", nil, err
	}
	latest := LatestName(o.Type, gz)
	link := filepath.Join(dir, latest)
	os.Remove(link + ".new")
	if err := os.Symlink(filepath.Base(name), link+".new"); err == nil {
		os.Rename(link+".new", link)
	}
	return name, m, nil
}
