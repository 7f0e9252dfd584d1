package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/flx"
)

// KindFlx is the kind of a .flx snapshot's record in the catalog. Its
// files are found by Find beside the borg archives' (their versions say
// Snapshot), and nothing else sees them: archive listings, the browser,
// restores' sizes, Forget and Rename are for borg archives only.
const KindFlx = "flx"

// HomePrefix starts the catalog path of a snapshot entry relative to the
// FlexPBX account's home (public_html/…, flexpbx-config.json) when the
// snapshot does not say where that home was: ~/public_html/….
const HomePrefix = "~"

// IndexSnapshot indexes the .flx snapshot file at file as the server's
// snapshot name (a name the snapshots room chooses, such as
// "job-3/flexpbx-etc-….flx"), stored at t. It reads the snapshot through
// whatever its container and fails, indexing nothing, when the snapshot
// does not verify. It refuses a name a borg archive of the server has.
func (c *Catalog) IndexSnapshot(ctx context.Context, server, name, file string, t time.Time) (int64, error) {
	var clash int
	if err := c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM archives WHERE server = ? AND name = ? AND kind = ''`, server, name).Scan(&clash); err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	if clash > 0 {
		return 0, fmt.Errorf("catalog: snapshot %s has the name of one of the server's archives; rename the snapshot file", name)
	}
	src := func(fn func(borg.Item) error) error {
		_, err := flx.WalkFile(file, func(m *flx.Meta, e *flx.Entry, content io.Reader) (func() error, error) {
			it := snapshotItem(m, e)
			if it.Size < 0 { // the entry does not say: count its bytes
				n, err := io.Copy(io.Discard, content)
				if err != nil {
					return nil, err
				}
				it.Size = n
			}
			return nil, fn(it)
		}, flx.Limits{})
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", name, err)
		}
		return nil
	}
	return c.Index(ctx, Meta{Server: server, Name: name, Time: t, Kind: KindFlx}, src)
}

// snapshotItem is a snapshot entry as the indexer takes it: a regular
// file at its path (home-relative ones beneath the home the snapshot
// names, or ~), with its mode, owner and modification time when the
// snapshot has them.
func snapshotItem(m *flx.Meta, e *flx.Entry) borg.Item {
	p := e.Path
	if e.Home {
		home := strings.Trim(m.SourceHome, "/")
		if home == "" {
			home = HomePrefix
		}
		p = path.Join(home, p)
	}
	it := borg.Item{Type: "-", Path: p, Size: e.Size}
	if mode, err := strconv.ParseUint(e.Mode, 8, 32); err == nil {
		it.Mode = FormatMode('-', uint32(mode))
	}
	it.User, it.Group, _ = strings.Cut(e.Owner, ":")
	if mt := snapshotTime(e.Mtime); !mt.IsZero() {
		it.MTime = mt.In(time.Local).Format("2006-01-02T15:04:05.000000")
	}
	return it
}

// snapshotTime reads an entry's mtime: RFC 3339, or seconds since 1970.
func snapshotTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return time.Unix(int64(f), 0)
	}
	return time.Time{}
}

// Snapshots lists the names of the server's indexed snapshots.
func (c *Catalog) Snapshots(ctx context.Context, server string) (map[string]bool, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name FROM archives WHERE server = ? AND kind = ? AND indexed_at IS NOT NULL`, server, KindFlx)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// ForgetSnapshots removes snapshots (their files are gone) from the
// catalog, rows and entries: unlike a pruned archive, nothing is left to
// tell a browser.
func (c *Catalog) ForgetSnapshots(ctx context.Context, server string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	defer tx.Rollback()
	for _, name := range names {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM archives WHERE server = ? AND name = ? AND kind = ?`, server, name, KindFlx).Scan(&id)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		for _, q := range []string{`DELETE FROM entries WHERE archive = ?`, `DELETE FROM links WHERE archive = ?`, `DELETE FROM archives WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("catalog: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}
