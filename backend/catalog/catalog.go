// Package catalog is the fleet-wide file index: every archive's file list,
// read from `borg list --json-lines` as it streams, kept in its own SQLite
// file beside the coordinator's database.
//
// It is compact by construction. A path is stored once for the whole fleet,
// as a (parent, name) pair in a tree of path components whose names are
// themselves stored once; an archive's entry is then a few integers:
// (archive, path, type, mode, size, mtime, owner). The same nginx.conf in
// a thousand archives of ten servers costs one path row and a thousand
// small entry rows.
//
// From it the coordinator answers, without running borg: the children of a
// folder of an archive (the lazy archive browser), every version of a file
// across servers and archives (search and history), and the sizes a restore
// will move.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"

	_ "modernc.org/sqlite"
)

// ErrNotIndexed means an archive is not (or no longer) in the catalog.
var ErrNotIndexed = errors.New("archive is not in the catalog")

// ErrNoPath means a path is not in an archive.
var ErrNoPath = errors.New("path is not in the archive")

const schema = `
CREATE TABLE IF NOT EXISTS names (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS paths (
	id     INTEGER PRIMARY KEY,
	parent INTEGER NOT NULL,
	name   INTEGER NOT NULL,
	UNIQUE (parent, name)
);
CREATE INDEX IF NOT EXISTS paths_name ON paths(name);
CREATE TABLE IF NOT EXISTS owners (
	id    INTEGER PRIMARY KEY,
	usr   TEXT NOT NULL,
	grp   TEXT NOT NULL,
	UNIQUE (usr, grp)
);
CREATE TABLE IF NOT EXISTS archives (
	id           INTEGER PRIMARY KEY,
	server       TEXT NOT NULL,
	name         TEXT NOT NULL,
	time         INTEGER NOT NULL,
	files        INTEGER NOT NULL DEFAULT 0,
	bytes        INTEGER NOT NULL DEFAULT 0,
	deduplicated INTEGER NOT NULL DEFAULT 0,
	duration     REAL NOT NULL DEFAULT 0,
	entries      INTEGER NOT NULL DEFAULT 0,
	dumps        TEXT NOT NULL DEFAULT '',
	indexed_at   INTEGER,
	pruned_at    INTEGER,
	kind         TEXT NOT NULL DEFAULT '',
	UNIQUE (server, name)
);
CREATE TABLE IF NOT EXISTS entries (
	archive  INTEGER NOT NULL,
	path     INTEGER NOT NULL,
	type     INTEGER NOT NULL,
	mode     INTEGER NOT NULL,
	size     INTEGER NOT NULL,
	mtime    INTEGER NOT NULL,
	owner    INTEGER NOT NULL,
	children INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (archive, path)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_path ON entries(path);
CREATE TABLE IF NOT EXISTS links (
	archive INTEGER NOT NULL,
	path    INTEGER NOT NULL,
	target  TEXT NOT NULL,
	PRIMARY KEY (archive, path)
) WITHOUT ROWID;
`

// Catalog is the file index.
type Catalog struct {
	db   *sql.DB
	path string
	// mu serializes writers: one archive is indexed at a time, and the
	// in-memory name cache below belongs to the writer.
	mu    sync.Mutex
	names map[string]int64
}

// Open opens (creating if needed) the catalog at path.
func Open(ctx context.Context, path string) (*Catalog, error) {
	dsn := fmt.Sprintf("file:%s?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)&_pragma=cache_size(-32000)&_txlock=immediate", path)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog %s is damaged or not a Borgdesk catalog (%v); move it away and Borgdesk rebuilds it from the repositories", path, err)
	}
	if err := addKind(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return &Catalog{db: db, path: path}, nil
}

// addKind adds archives.kind to a catalog made before snapshots were
// indexed (every row then is a borg archive, kind ”).
func addKind(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('archives') WHERE name = 'kind'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := db.ExecContext(ctx, `ALTER TABLE archives ADD COLUMN kind TEXT NOT NULL DEFAULT ''`)
	return err
}

// Close closes the catalog.
func (c *Catalog) Close() error { return c.db.Close() }

// Path is the catalog's file.
func (c *Catalog) Path() string { return c.path }

// Size checkpoints the write-ahead log and returns the catalog's size on disk.
func (c *Catalog) Size(ctx context.Context) (int64, error) {
	if _, err := c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(c.path + suffix); err == nil {
			total += fi.Size()
		}
	}
	return total, nil
}
