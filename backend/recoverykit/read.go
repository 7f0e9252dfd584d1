package recoverykit

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"borgdesk/backend/shared/flx"
)

// ageIntro is how every age file begins.
const ageIntro = "age-encryption.org/v1\n"

// maxWorkFactor bounds the scrypt work a kit may ask for (2^22: about 4 GiB
// of memory); age's own default.
const maxWorkFactor = 22

// opened is a decrypted kit: a reader of its snapshot.
type opened struct {
	r    io.Reader
	file *os.File
}

func (o *opened) Close() error { return o.file.Close() }

// open decrypts the kit at name. Before it returns, age has checked the
// passphrase, the header and the final chunk (so a truncated kit is found
// here, before anything is written); every later chunk is authenticated as
// it is read.
func open(name, passphrase string) (*opened, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("%w: the passphrase is empty", ErrPassphrase)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open the recovery kit: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrNotAKit, name)
	}
	head := make([]byte, len(ageIntro))
	if n, _ := f.ReadAt(head, 0); n < len(head) || string(head) != ageIntro {
		f.Close()
		return nil, fmt.Errorf("%w: %s does not start like one (a kit is an encrypted file); check that you picked the right file", ErrNotAKit, name)
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %v", ErrPassphrase, err)
	}
	id.SetMaxWorkFactor(maxWorkFactor)
	ra, size, err := age.DecryptReaderAt(f, fi.Size(), id)
	if err != nil {
		f.Close()
		return nil, classify(name, err)
	}
	plain := bufio.NewReaderSize(&damageReader{r: io.NewSectionReader(ra, 0, size), name: name}, 256<<10)
	zr, err := gzip.NewReader(plain)
	if err != nil {
		f.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s opens with this passphrase but holds no kit (%v)", ErrNotAKit, name, err)
	}
	return &opened{r: &damageReader{r: zr, name: name}, file: f}, nil
}

// classify turns age's errors into sentences an operator can act on.
func classify(name string, err error) error {
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		for _, e := range nomatch.Errors {
			if strings.Contains(e.Error(), "not passphrase-encrypted") {
				return fmt.Errorf("%w: %s is encrypted to a key, not with a passphrase", ErrNotAKit, name)
			}
		}
		return fmt.Errorf("%w: the passphrase does not open %s; check it (it is the one chosen when the kit was exported) and try again", ErrWrongPassphrase, name)
	}
	msg := err.Error()
	if strings.Contains(msg, "work factor too large") {
		return fmt.Errorf("%w: %s asks for more scrypt work than Borgdesk allows (%v)", ErrDamaged, name, err)
	}
	return fmt.Errorf("%w: %s failed its integrity check (%v); use another copy of the kit", ErrDamaged, name, err)
}

// damageReader marks every read error but EOF as damage: what age hands
// out is authenticated, so a failure means the file was changed or cut.
type damageReader struct {
	r    io.Reader
	name string
}

func (d *damageReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%w: %s failed its integrity check (%v); use another copy of the kit", ErrDamaged, d.name, err)
	}
	return n, err
}

// fileFunc receives each entry of a kit with its content. Its hash and
// size come after the content in a snapshot: walk checks them once fn has
// read it, and a mismatch fails the walk.
type fileFunc func(m *Manifest, rel string, e *flx.Entry, content io.Reader) error

// walk decrypts a kit and streams its files through fn; onManifest (when
// set) sees the manifest before the first file. It checks the kit's shape:
// a manifest this build reads, only the files a kit may hold, the files a
// coordinator needs, and the counts the manifest promises. It returns the
// manifest and the verified entries.
func walk(name, passphrase string, onManifest func(*Manifest) error, fn fileFunc) (*Manifest, []Entry, error) {
	o, err := open(name, passphrase)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	return o.walk(name, onManifest, fn)
}

func (o *opened) walk(name string, onManifest func(*Manifest) error, fn fileFunc) (*Manifest, []Entry, error) {
	var man *Manifest
	var fnErr error
	var entries []Entry
	seen := map[string]bool{}
	var bytes int64
	_, err := flx.Walk(o.r, func(m *flx.Meta, e *flx.Entry, content io.Reader) (func() error, error) {
		if man == nil {
			raw, ok := m.Extra[ManifestKey]
			if !ok {
				fnErr = fmt.Errorf("%w: %s opens with this passphrase but is a plain snapshot, not a kit", ErrNotAKit, name)
				return nil, fnErr
			}
			if man, fnErr = decodeManifest(raw); fnErr != nil {
				return nil, fnErr
			}
			if onManifest != nil {
				if fnErr = onManifest(man); fnErr != nil {
					return nil, fnErr
				}
			}
		}
		rel, ok := cleanRel(e.Path)
		if !ok {
			fnErr = fmt.Errorf("%w: %s holds %q, which no kit of format %d has", ErrNotAKit, name, e.Path, man.Format)
			return nil, fnErr
		}
		if fn != nil {
			if fnErr = fn(man, rel, e, content); fnErr != nil {
				return nil, fnErr
			}
		}
		return func() error {
			seen[rel] = true
			bytes += e.Size
			entries = append(entries, Entry{Path: rel, Mode: e.Mode, Size: e.Size, Hash: e.Hash})
			return nil
		}, nil
	})
	switch {
	case fnErr != nil:
		return nil, nil, fnErr
	case errors.Is(err, ErrDamaged):
		return nil, nil, err
	case err != nil && man == nil:
		return nil, nil, fmt.Errorf("%w: %s opens with this passphrase but holds no kit (%v)", ErrNotAKit, name, err)
	case err != nil:
		return nil, nil, fmt.Errorf("%w: %s: %v; use another copy of the kit", ErrDamaged, name, err)
	case man == nil:
		return nil, nil, fmt.Errorf("%w: %s holds no files", ErrNotAKit, name)
	}
	for _, r := range required {
		if !seen[r] {
			return nil, nil, fmt.Errorf("%w: %s lacks %s", ErrDamaged, name, r)
		}
	}
	if len(seen) != man.Files || bytes != man.Bytes {
		return nil, nil, fmt.Errorf("%w: %s holds %d files (%d bytes) but its manifest says %d (%d bytes)", ErrDamaged, name, len(seen), bytes, man.Files, man.Bytes)
	}
	return man, entries, nil
}

// Inspection is what `recovery-kit inspect` shows: the manifest and the
// file list, verified, never a secret.
type Inspection struct {
	Manifest *Manifest `json:"manifest"`
	Files    []Entry   `json:"files"`
	Verified bool      `json:"verified"`
}

// Inspect decrypts a kit and checks every file's hash without writing
// anything.
func Inspect(name, passphrase string) (*Inspection, error) {
	man, files, err := walk(name, passphrase, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Inspection{Manifest: man, Files: files, Verified: true}, nil
}
