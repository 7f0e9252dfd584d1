package borg

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"borgdesk/backend/shared/tail"
)

// CopyArchive copies one archive from src to dst: `borg export-tar` of the
// source piped into `borg import-tar` of the destination, keeping its name
// and start time (borg 1.2 has no `transfer`; its tar export keeps paths,
// modes, owners, times to the second, symlinks and hard links, not ACLs
// or xattrs). It
// returns the copy's file count and original size as borg reports them.
func (b *Borg) CopyArchive(ctx context.Context, src, dst Repo, a Archive) (Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	exp := b.command(ctx, src, "export-tar", src.Location+"::"+a.Name, "-")
	expErr := tail.New(4096)
	exp.Stdout, exp.Stderr = pw, expErr
	args := []string{"import-tar", "--json"}
	if ts := strings.TrimSuffix(a.Start, "Z"); ts != "" {
		if i := strings.IndexByte(ts, '.'); i > 0 {
			ts = ts[:i] // import-tar takes whole seconds
		}
		args = append(args, "--timestamp", ts)
	}
	imp := b.command(ctx, dst, append(args, dst.Location+"::"+a.Name, "-")...)
	impErr := tail.New(4096)
	var out strings.Builder
	imp.Stdin, imp.Stdout, imp.Stderr = pr, &out, impErr
	if err := imp.Start(); err != nil {
		return Stats{}, fmt.Errorf("borg import-tar: %w", err)
	}
	if err := exp.Start(); err != nil {
		pw.Close()
		imp.Wait()
		return Stats{}, fmt.Errorf("borg export-tar: %w", err)
	}
	eerr := exp.Wait()
	pw.CloseWithError(eerr)
	if eerr != nil {
		cancel() // do not commit a partial archive
	}
	ierr := imp.Wait()
	if err := b.exitErr(ctx, "export-tar", eerr, expErr.String()); err != nil {
		return Stats{}, fmt.Errorf("copy %s: %w", a.Name, err)
	}
	if err := b.exitErr(ctx, "import-tar", ierr, impErr.String()); err != nil {
		return Stats{}, fmt.Errorf("copy %s: %w", a.Name, err)
	}
	var res struct {
		Archive Archive `json:"archive"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		return Stats{}, fmt.Errorf("borg import-tar: unreadable JSON: %w", err)
	}
	return res.Archive.Stats, nil
}

// SameItems compares two archives entry by entry — path, type, mode, owner,
// size, modification time, link target — and describes the first few
// differences ("" when they match). It proves a copy before the source is
// given up.
func (b *Borg) SameItems(ctx context.Context, r1 Repo, a1 string, r2 Repo, a2 string) (string, error) {
	key := func(it Item) string {
		mtime := it.MTime
		if len(mtime) > 19 {
			mtime = mtime[:19] // tar keeps whole seconds
		}
		return fmt.Sprintf("%s %s %s:%s %d %s %s", it.Type, it.Mode, it.User, it.Group, it.Size, mtime, it.LinkTarget)
	}
	first := map[string]string{}
	if err := b.ListItems(ctx, r1, a1, func(it Item) error { first[it.Path] = key(it); return nil }); err != nil {
		return "", err
	}
	var diffs []string
	seen := 0
	err := b.ListItems(ctx, r2, a2, func(it Item) error {
		want, ok := first[it.Path]
		switch {
		case !ok:
			diffs = append(diffs, "extra "+it.Path)
		case want != key(it):
			diffs = append(diffs, fmt.Sprintf("%s: %s ≠ %s", it.Path, want, key(it)))
		}
		if ok {
			seen++
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if seen < len(first) {
		diffs = append(diffs, fmt.Sprintf("%d entries missing", len(first)-seen))
	}
	if len(diffs) > 5 {
		diffs = append(diffs[:5], fmt.Sprintf("and %d more", len(diffs)-5))
	}
	return strings.Join(diffs, "; "), nil
}
