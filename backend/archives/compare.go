package archives

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"strings"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"

	"borgdesk/backend/catalog"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/borg"
)

// CompareLimit is the largest version a comparison shows line by line; a
// larger file is compared by content only, so a comparison never holds
// more than twice this in memory nor diffs more than this.
const CompareLimit = 1 << 20

// CompareSide is one of the two versions compared.
type CompareSide struct {
	Archive string `json:"archive"`
	Size    int64  `json:"size"`
	MTime   string `json:"mtime"`
}

// FileComparison is two versions of one file of a server's archives: a
// unified diff when both are text of at most Limit bytes, else only
// whether their contents are the same.
type FileComparison struct {
	Server string      `json:"server"`
	Path   string      `json:"path"`
	From   CompareSide `json:"from"`
	To     CompareSide `json:"to"`
	// Identical is true when both versions hold the same bytes.
	Identical bool `json:"identical"`
	// Binary is true when either version is not UTF-8 text: no diff.
	Binary bool `json:"binary"`
	// TooLarge is true when either version is larger than Limit: no diff.
	TooLarge bool  `json:"too_large"`
	Limit    int64 `json:"limit"`
	// Diff is the unified diff from From to To ("" when there is none).
	Diff    string `json:"diff"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
}

// CompareFile compares one file as two archives of a server hold it, read
// out of the repository as a preview reads it: the line-by-line diff of
// text files, the sizes and whether the contents are the same for binary
// and large ones.
func (a *Archives) CompareFile(ctx context.Context, ref, path, from, to string) (FileComparison, error) {
	if from == "" || to == "" || from == to {
		return FileComparison{}, fmt.Errorf("%w: pick two different archives to compare %s", fault.ErrInvalid, path)
	}
	sv, ef, err := a.FileEntry(ctx, ref, from, path)
	if err != nil {
		return FileComparison{}, err
	}
	_, et, err := a.FileEntry(ctx, ref, to, path)
	if err != nil {
		return FileComparison{}, err
	}
	c := FileComparison{
		Server: sv.Name, Path: ef.Path, Limit: CompareLimit,
		From: CompareSide{Archive: from, Size: ef.Size, MTime: ef.MTime},
		To:   CompareSide{Archive: to, Size: et.Size, MTime: et.MTime},
	}
	c.TooLarge = ef.Size > CompareLimit || et.Size > CompareLimit
	if c.TooLarge && ef.Size != et.Size {
		return c, nil // different sizes: different contents, nothing to read
	}
	repo, err := a.readRepo(ctx, sv.UUID)
	if err != nil {
		return c, err
	}
	va, err := a.readVersion(ctx, repo, from, ef, !c.TooLarge)
	if err != nil {
		return c, err
	}
	vb, err := a.readVersion(ctx, repo, to, et, !c.TooLarge)
	if err != nil {
		return c, err
	}
	c.Identical = va.sum == vb.sum
	if c.TooLarge {
		return c, nil
	}
	if !isText(va.b) || !isText(vb.b) {
		c.Binary = true
		return c, nil
	}
	if c.Identical {
		return c, nil
	}
	c.Diff = udiff.Unified(from+"/"+ef.Path, to+"/"+et.Path, string(va.b), string(vb.b))
	c.Added, c.Removed = countChanges(c.Diff)
	return c, nil
}

// version is what was read of one version: the SHA-256 of all of it and,
// when kept, its bytes.
type version struct {
	sum [sha256.Size]byte
	b   []byte
}

// readVersion reads a whole file of an archive, keeping its bytes only
// when keep (it is at most CompareLimit then).
func (a *Archives) readVersion(ctx context.Context, repo borg.Repo, archive string, e catalog.Entry, keep bool) (version, error) {
	w := &hashKeep{h: sha256.New(), keep: keep}
	if err := a.reader().ExtractStdout(ctx, repo, archive, e.Path, w); err != nil {
		return version{}, fmt.Errorf("read %s of archive %s: %w", e.Path, archive, err)
	}
	if keep && len(w.b) > CompareLimit {
		// The catalog said it was small; the archive holds more.
		return version{}, fmt.Errorf("read %s of archive %s: it holds %d bytes, the catalog says %d; index the server again", e.Path, archive, len(w.b), e.Size)
	}
	var v version
	copy(v.sum[:], w.h.Sum(nil))
	v.b = w.b
	return v, nil
}

// hashKeep hashes everything written and keeps it when keep.
type hashKeep struct {
	h    hash.Hash
	keep bool
	b    []byte
}

func (w *hashKeep) Write(p []byte) (int, error) {
	w.h.Write(p)
	if w.keep && len(w.b) <= CompareLimit {
		w.b = append(w.b, p...)
	}
	return len(p), nil
}

// isText is true for UTF-8 without NUL bytes, as a preview decides.
func isText(b []byte) bool {
	return utf8.Valid(b) && !bytes.ContainsRune(b, 0)
}

// countChanges counts the added and removed lines of a unified diff (the
// "---"/"+++" header before the first hunk is not a change).
func countChanges(diff string) (added, removed int) {
	inHunk := false
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			inHunk = true
		case !inHunk:
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
	}
	return added, removed
}
