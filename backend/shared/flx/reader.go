// Package flx reads and writes .flx and .flxx snapshots: JSON objects of
// configuration files with base64 contents and SHA-256 hashes, compatible
// with FlexPBX's backup tools; it also reads the tar.gz and ZIP containers
// FlexPBX's PHP module and exports write (container.go, archive.go).
// Reading and writing stream: a snapshot's contents are never held whole
// in memory, and a large file's never either; files up to 1 MiB are held
// a few at a time, so the cores can share encoding and writing them.
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
	"os"
	"path"
	"strconv"
	"strings"
)

// FormatVersion is the version written; 1.x is read.
const FormatVersion = "1.0"

// Backup types.
const (
	TypeSystem   = "system_config" // .flx
	TypeExtended = "extended"      // .flxx
)

// MaxFileSize bounds one entry's declared or decoded size.
var MaxFileSize int64 = 4 << 30

// Meta is a snapshot's metadata (everything but the files).
type Meta struct {
	Version               string          `json:"version"`
	BackupType            string          `json:"backup_type"`
	Created               string          `json:"created"`
	FlexPBXVersion        string          `json:"flexpbx_version,omitempty"`
	Producer              string          `json:"producer,omitempty"`
	SensitiveDataIncluded bool            `json:"sensitive_data_included"`
	Includes              map[string]bool `json:"includes,omitempty"`
	FileCount             int             `json:"file_count"`
	SourceRoot            string          `json:"source_root,omitempty"`
	SourceHome            string          `json:"source_home,omitempty"`
	DefaultSettings       json.RawMessage `json:"default_settings,omitempty"`
	UserTemplate          json.RawMessage `json:"user_template,omitempty"`
	AdminTemplate         json.RawMessage `json:"admin_template,omitempty"`
	Schemas               json.RawMessage `json:"schemas,omitempty"`
	Redactions            []Redaction     `json:"redaction_report,omitempty"`
	// RollbackCreated lists, in a rollback snapshot, the files the restore
	// created (a rollback removes them).
	RollbackCreated []string `json:"rollback_created,omitempty"`
	// Layout says where the entries' paths land: LayoutRoot (beneath the
	// restore root as they are) or LayoutFlexPBX (etc/… and usr/… beneath
	// the root, the rest in the FlexPBX account's home). A JSON snapshot
	// without the key is LayoutFlexPBX when it names no producer and no
	// source root, as FlexPBX's own tools write it.
	Layout string `json:"layout,omitempty"`
	// Account is the FlexPBX account whose home the snapshot was taken
	// from (its home-relative entries go into that account's home unless
	// the restore names another).
	Account string `json:"account,omitempty"`
	// Container is how the file was packed (ContainerJSON, …); never
	// written into a snapshot.
	Container string `json:"container,omitempty"`
	// NoFileHashes is set for tar.gz and ZIP containers: they carry no
	// per-file hashes, so nothing says the files are the ones backed up.
	NoFileHashes bool `json:"no_file_hashes,omitempty"`
	// Notes are what reading an archive left aside and why (logs, database
	// dumps): one sentence each.
	Notes []string `json:"notes,omitempty"`
	// Other keys are kept as they are.
	Extra map[string]json.RawMessage `json:"-"`

	sawProducer bool
}

// Redaction is one line of the redaction report: never the secret itself.
type Redaction struct {
	File  string `json:"file"`
	Rule  string `json:"rule"`
	Count int    `json:"count"`
}

// Entry is one file of a snapshot.
type Entry struct {
	Path  string `json:"path"`
	Hash  string `json:"hash"` // sha256:<hex>
	Size  int64  `json:"size"`
	Mode  string `json:"mode,omitempty"` // octal, e.g. "0644"
	Owner string `json:"owner,omitempty"`
	Mtime string `json:"mtime,omitempty"`
	// Home is set for a path relative to the FlexPBX account's home
	// (public_html/…, flexpbx-config.json), not to the root.
	Home bool `json:"home,omitempty"`
	// Member is the archive member the entry was read from (tar.gz and
	// ZIP containers), when it differs from Path.
	Member string `json:"member,omitempty"`
	// Index is the entry's position in the snapshot (from 1).
	Index int `json:"-"`
}

// Perm is the entry's permission bits (0644 when absent or unreadable).
func (e *Entry) Perm() os.FileMode {
	m, err := strconv.ParseUint(e.Mode, 8, 32)
	if err != nil || e.Mode == "" {
		return 0o644
	}
	perm := os.FileMode(m & 0o777)
	for bit, mode := range map[uint64]os.FileMode{0o4000: os.ModeSetuid, 0o2000: os.ModeSetgid, 0o1000: os.ModeSticky} {
		if m&bit != 0 {
			perm |= mode
		}
	}
	return perm
}

func (e *Entry) name() string {
	if e.Path != "" {
		return fmt.Sprintf("entry %d (%s)", e.Index, e.Path)
	}
	return fmt.Sprintf("entry %d", e.Index)
}

// Open opens a snapshot file, gunzipping .gz (or gzip magic) transparently.
func Open(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: broken gzip header: %w", name, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{gzipErr{zr, name}, f}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, f}, nil
}

type gzipErr struct {
	r    *gzip.Reader
	name string
}

func (g gzipErr) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: the gzip data is damaged or truncated: %w", g.name, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%s: the gzip data is truncated", g.name)
	}
	return n, err
}

// FileFunc receives each entry with a reader of its decoded content (which
// it must read to the end or not at all). Walk checks the entry's hash and
// size only after the content is read: it then calls the returned commit
// (if any); an entry that fails its checks is never committed.
type FileFunc func(m *Meta, e *Entry, content io.Reader) (commit func() error, err error)

// Walk streams a snapshot: metadata, then each file through fn. It fails,
// naming the entry, on anything malformed: bad JSON, missing or mismatched
// hashes and sizes, undecodable base64, unsafe or duplicate paths, a wrong
// file_count, a newer major version.
//
// Walk reads under the default Limits.
func Walk(r io.Reader, fn FileFunc) (*Meta, error) {
	return WalkLimited(r, fn, Limits{})
}

// WalkLimited is Walk under lim: past a cap it stops at once with a
// *LimitError.
func WalkLimited(r io.Reader, fn FileFunc, lim Limits) (*Meta, error) {
	lim = lim.withDefaults()
	l := newLexer(&capReader{r: r, max: lim.MaxBytes})
	m := &Meta{Extra: map[string]json.RawMessage{}}
	if err := l.expect('{'); err != nil {
		return nil, fmt.Errorf("not a .flx snapshot (a JSON object): %w", err)
	}
	seen := map[string]int{}
	count := 0
	sawFiles := false
	if c, err := l.peek(); err != nil {
		return nil, err
	} else if c == '}' {
		l.readByte()
		return nil, errors.New("an empty JSON object, not a .flx snapshot")
	}
	for {
		key, err := l.str()
		if err != nil {
			return nil, err
		}
		if err := l.expect(':'); err != nil {
			return nil, err
		}
		if key == "files" {
			sawFiles = true
			if err := checkVersion(m); err != nil {
				return nil, err
			}
			m.settleLayout()
			if err := l.expect('['); err != nil {
				return nil, fmt.Errorf("files: %w", err)
			}
			if c, err := l.peek(); err != nil {
				return nil, err
			} else if c == ']' {
				l.readByte()
			} else {
				for {
					count++
					if count > lim.MaxEntries {
						return nil, &LimitError{What: "entries", Limit: int64(lim.MaxEntries), Flag: "--max-files"}
					}
					if err := walkEntry(l, m, count, seen, fn, lim); err != nil {
						return nil, err
					}
					sep, err := l.next(",]")
					if err != nil {
						return nil, err
					}
					if sep == ']' {
						break
					}
				}
			}
		} else {
			raw, err := l.raw()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			if err := m.set(key, raw); err != nil {
				return nil, err
			}
		}
		sep, err := l.next(",}")
		if err != nil {
			return nil, err
		}
		if sep == '}' {
			break
		}
	}
	if err := l.end(); err != nil {
		return nil, err
	}
	if err := checkVersion(m); err != nil {
		return nil, err
	}
	if !sawFiles {
		return nil, errors.New("no files array: not a .flx snapshot")
	}
	if m.FileCount != count {
		return nil, fmt.Errorf("file_count says %d but the snapshot has %d files (truncated or edited?)", m.FileCount, count)
	}
	return m, nil
}

func checkVersion(m *Meta) error {
	if m.Version == "" {
		return errors.New("no version: not a .flx snapshot (or its files come before its version)")
	}
	major, _, _ := strings.Cut(m.Version, ".")
	if major != "1" {
		return fmt.Errorf("format version %s is newer than this Borgdesk reads (1.x): upgrade Borgdesk", m.Version)
	}
	return nil
}

func (m *Meta) set(key string, raw json.RawMessage) error {
	var err error
	switch key {
	case "version":
		err = json.Unmarshal(raw, &m.Version)
		if err != nil {
			var f float64 // some producers wrote it as a number
			if json.Unmarshal(raw, &f) == nil {
				m.Version, err = strconv.FormatFloat(f, 'f', -1, 64), nil
				if !strings.Contains(m.Version, ".") {
					m.Version += ".0"
				}
			}
		}
	case "backup_type":
		err = json.Unmarshal(raw, &m.BackupType)
	case "created":
		err = json.Unmarshal(raw, &m.Created)
	case "flexpbx_version":
		err = json.Unmarshal(raw, &m.FlexPBXVersion)
	case "producer":
		m.sawProducer = true
		err = json.Unmarshal(raw, &m.Producer)
	case "layout":
		err = json.Unmarshal(raw, &m.Layout)
		if err == nil && m.Layout != LayoutRoot && m.Layout != LayoutFlexPBX {
			err = fmt.Errorf("%q is no layout this Borgdesk knows (root, flexpbx): upgrade Borgdesk", m.Layout)
		}
	case "account":
		err = json.Unmarshal(raw, &m.Account)
	case "sensitive_data_included":
		err = json.Unmarshal(raw, &m.SensitiveDataIncluded)
	case "includes":
		err = json.Unmarshal(raw, &m.Includes)
	case "file_count":
		err = json.Unmarshal(raw, &m.FileCount)
	case "source_root":
		err = json.Unmarshal(raw, &m.SourceRoot)
	case "source_home":
		err = json.Unmarshal(raw, &m.SourceHome)
	case "default_settings":
		m.DefaultSettings = raw
	case "user_template":
		m.UserTemplate = raw
	case "admin_template":
		m.AdminTemplate = raw
	case "schemas":
		m.Schemas = raw
	case "redaction_report":
		err = json.Unmarshal(raw, &m.Redactions)
	case "rollback_created":
		err = json.Unmarshal(raw, &m.RollbackCreated)
	default:
		m.Extra[key] = raw
	}
	if err != nil {
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}

// CleanPath validates an entry's path and returns it relative ("etc/x").
// Absolute paths are taken as relative to the snapshot's root; "..", empty
// and NUL-carrying paths are refused.
func CleanPath(p string) (string, error) {
	if p == "" || strings.ContainsRune(p, 0) {
		return "", errors.New("empty or NUL-carrying path")
	}
	rel := strings.TrimLeft(p, "/")
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q climbs out with \"..\"", p)
		}
	}
	rel = path.Clean(rel)
	if rel == "." || rel == "" {
		return "", fmt.Errorf("path %q names no file", p)
	}
	return rel, nil
}

func walkEntry(l *lexer, m *Meta, index int, seen map[string]int, fn FileFunc, lim Limits) error {
	e := &Entry{Index: index, Size: -1}
	if err := l.expect('{'); err != nil {
		return fmt.Errorf("entry %d: %w", index, err)
	}
	var (
		gotContent bool
		sum        []byte
		decoded    int64
		commit     func() error
	)
	if c, err := l.peek(); err != nil {
		return err
	} else if c == '}' {
		l.readByte()
		return fmt.Errorf("entry %d: empty", index)
	}
	for {
		key, err := l.str()
		if err != nil {
			return fmt.Errorf("%s: %w", e.name(), err)
		}
		if err := l.expect(':'); err != nil {
			return fmt.Errorf("%s: %w", e.name(), err)
		}
		switch key {
		case "content":
			if e.Path == "" {
				return fmt.Errorf("%s: content comes before the path", e.name())
			}
			if gotContent {
				return fmt.Errorf("%s: two contents", e.name())
			}
			gotContent = true
			if e.Size > MaxFileSize {
				return fmt.Errorf("%s: declared size %d is larger than the %d-byte limit", e.name(), e.Size, MaxFileSize)
			}
			sum, decoded, commit, err = streamContent(l, m, e, fn)
			if err != nil {
				return err
			}
		default:
			raw, err := l.raw()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", e.name(), key, err)
			}
			if err := e.set(key, raw); err != nil {
				return fmt.Errorf("%s: %s: %w", e.name(), key, err)
			}
			if key == "path" {
				if len(e.Path) > lim.MaxPathLen {
					return fmt.Errorf("entry %d: %w", index, &LimitError{What: "path length", Limit: int64(lim.MaxPathLen), Flag: "--max-path"})
				}
				rel, err := CleanPath(e.Path)
				if err != nil {
					return fmt.Errorf("%s: %w", e.name(), err)
				}
				if prev, dup := seen[rel]; dup {
					return fmt.Errorf("%s: the same path as entry %d", e.name(), prev)
				}
				seen[rel] = index
				e.Home = m.Layout == LayoutFlexPBX && homeRelative(e.Path)
			}
		}
		sep, err := l.next(",}")
		if err != nil {
			return fmt.Errorf("%s: %w", e.name(), err)
		}
		if sep == '}' {
			break
		}
	}
	if e.Path == "" {
		return fmt.Errorf("%s: no path", e.name())
	}
	if !gotContent {
		return fmt.Errorf("%s: no content", e.name())
	}
	want, ok := strings.CutPrefix(e.Hash, "sha256:")
	if !ok || len(want) != 64 {
		return fmt.Errorf("%s: hash %q is not sha256:<64 hex digits>", e.name(), e.Hash)
	}
	if got := hex.EncodeToString(sum); !strings.EqualFold(got, want) {
		return fmt.Errorf("%s: hash mismatch: the content hashes to sha256:%s, the snapshot says %s (damaged or tampered)", e.name(), got, e.Hash)
	}
	if e.Size >= 0 && e.Size != decoded {
		return fmt.Errorf("%s: size says %d bytes, the content has %d", e.name(), e.Size, decoded)
	}
	e.Size = decoded
	if commit != nil {
		return commit()
	}
	return nil
}

func (e *Entry) set(key string, raw json.RawMessage) error {
	switch key {
	case "path":
		return json.Unmarshal(raw, &e.Path)
	case "hash":
		return json.Unmarshal(raw, &e.Hash)
	case "size":
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		v, err := n.Int64()
		if err != nil || v < 0 {
			return fmt.Errorf("size %s is not a whole number of bytes", raw)
		}
		e.Size = v
	case "mode":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			e.Mode = s
			return nil
		}
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		e.Mode = strconv.FormatInt(n, 8)
	case "owner":
		return json.Unmarshal(raw, &e.Owner)
	case "mtime":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			e.Mtime = s
			return nil
		}
		e.Mtime = string(raw)
	}
	return nil
}

// streamContent decodes one base64 content string into fn as it streams.
func streamContent(l *lexer, m *Meta, e *Entry, fn FileFunc) ([]byte, int64, func() error, error) {
	pr, pw := io.Pipe()
	h := sha256.New()
	counter := &countWriter{limit: MaxFileSize}
	type result struct {
		commit func() error
		err    error
	}
	done := make(chan result, 1)
	go func() {
		// The decoder reads 1 KiB at a time: a buffer in front of the
		// pipe makes that one hand-over per 64 KiB.
		dec := base64.NewDecoder(base64.StdEncoding, bufio.NewReaderSize(pr, 64<<10))
		tee := io.TeeReader(dec, io.MultiWriter(h, counter))
		var commit func() error
		var err error
		if fn != nil {
			commit, err = fn(m, e, tee)
		}
		if err == nil {
			_, err = io.Copy(io.Discard, tee) // whatever fn left unread
		}
		if err != nil {
			pr.CloseWithError(err)
		}
		done <- result{commit, err}
	}()
	lerr := l.stringTo(pw, -1)
	pw.CloseWithError(lerr)
	res := <-done
	switch {
	case lerr != nil && !errors.Is(lerr, io.ErrClosedPipe):
		return nil, 0, nil, fmt.Errorf("%s: content: %w", e.name(), lerr)
	case res.err != nil:
		var ce base64.CorruptInputError
		if errors.As(res.err, &ce) {
			return nil, 0, nil, fmt.Errorf("%s: content is not valid base64 (at byte %d of it)", e.name(), int64(ce))
		}
		if errors.Is(res.err, errTooBig) {
			return nil, 0, nil, fmt.Errorf("%s: content is larger than the %d-byte limit", e.name(), MaxFileSize)
		}
		return nil, 0, nil, fmt.Errorf("%s: %w", e.name(), res.err)
	}
	return h.Sum(nil), counter.n, res.commit, nil
}

var errTooBig = errors.New("too big")

type countWriter struct {
	n, limit int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.n > c.limit {
		return 0, errTooBig
	}
	return len(p), nil
}
