// Package store is Borgdesk's state: one SQLite file (modernc.org/sqlite, no
// cgo) in WAL mode, migrated by PRAGMA user_version.
//
// Nothing else opens the database or sees a *sql.DB: callers get typed
// methods. The store never overwrites a database it does not understand: a
// newer schema or a damaged file is refused, and every migration is preceded
// by a VACUUM INTO copy of the database as it was.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotFound is returned when a row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write would break a uniqueness rule.
	ErrConflict = errors.New("already exists")
	// ErrNewerSchema means the database was written by a newer Borgdesk.
	ErrNewerSchema = errors.New("database schema is newer than this Borgdesk")
	// ErrCorrupt means the file is not a usable SQLite database.
	ErrCorrupt = errors.New("database is damaged or not a Borgdesk database")
)

// Store is the coordinator's database.
type Store struct {
	db   *sql.DB // reads
	w    *sql.DB // writes: one connection (see Open)
	path string
	now  func() time.Time
	// appendEvent is appendEventSQL, prepared at the first event: every
	// event is written through it.
	stmtMu      sync.Mutex
	appendEvent *sql.Stmt
}

// Options tune Open. The zero value is fine.
type Options struct {
	// Now is the clock used for timestamps; time.Now when nil.
	Now func() time.Time
	// BusyTimeout is how long a writer waits for a lock; 5 s when zero.
	BusyTimeout time.Duration
}

// Open opens (creating if needed) the database at path and migrates it to
// the latest schema.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	// journal_mode is not in the DSN: switching to WAL writes the file
	// header, and a database we refuse must stay byte-for-byte as it was.
	dsn := fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate",
		path, opts.BusyTimeout.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Every write goes through w, one connection: writers queue in Go, in
	// order, instead of polling SQLite's lock (which starves some of them
	// past the busy timeout when thousands of agents heartbeat); reads use
	// db's pool beside them (WAL).
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s := &Store{db: db, w: w, path: path, now: opts.Now}
	fail := func(err error) (*Store, error) {
		w.Close()
		db.Close()
		return nil, err
	}
	if err := s.checkHealth(ctx); err != nil {
		return fail(err)
	}
	if err := s.checkVersion(ctx); err != nil {
		return fail(err)
	}
	// WAL is a property of the file: set once, it holds for every connection.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fail(fmt.Errorf("enable WAL on %s: %w", path, err))
	}
	if err := s.migrate(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	if s.appendEvent != nil {
		s.appendEvent.Close()
		s.appendEvent = nil
	}
	s.stmtMu.Unlock()
	werr := s.w.Close()
	if err := s.db.Close(); err != nil {
		return err
	}
	return werr
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// checkHealth refuses files that are not SQLite databases or fail SQLite's
// quick integrity check, before any write could make things worse.
func (s *Store) checkHealth(ctx context.Context) error {
	var result string
	err := s.db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&result)
	if err != nil {
		if isCorrupt(err) {
			return fmt.Errorf("%w: %s (%v); nothing was changed: restore it from a backup or move it aside to start fresh", ErrCorrupt, s.path, err)
		}
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%w: %s failed its integrity check (%s); nothing was changed: restore it from a backup or move it aside to start fresh", ErrCorrupt, s.path, result)
	}
	return nil
}

// checkVersion refuses a database written by a newer Borgdesk.
func (s *Store) checkVersion(ctx context.Context) error {
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if want := len(migrations); have > want {
		return fmt.Errorf("%w: %s has schema %d, this build knows up to %d; upgrade Borgdesk, or point --data at another directory (nothing was changed)", ErrNewerSchema, s.path, have, want)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	want := len(migrations)
	if have == want {
		return nil
	}
	if have > 0 {
		backup := fmt.Sprintf("%s.schema-%d.%s.bak", s.path, have, s.now().UTC().Format("20060102T150405Z"))
		if err := s.vacuumInto(ctx, backup); err != nil {
			return fmt.Errorf("copy database before migrating from schema %d: %w", have, err)
		}
	}
	for v := have; v < want; v++ {
		if err := s.applyMigration(ctx, v+1, migrations[v]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, script string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate to schema %d: %w", version, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("migrate to schema %d: %w", version, err)
	}
	// PRAGMA takes no bound parameters; version is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return fmt.Errorf("migrate to schema %d: set version: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate to schema %d: commit: %w", version, err)
	}
	return nil
}

func (s *Store) vacuumInto(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup %s already exists; move it aside", dest)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return err
	}
	return os.Chmod(dest, 0o600)
}

// SchemaVersion reports the database's schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// LatestSchema is the schema version this build migrates to.
func LatestSchema() int { return len(migrations) }

func isCorrupt(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return true
		}
	}
	return strings.Contains(err.Error(), "file is not a database")
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// ts formats a time for storage: UTC RFC 3339 with nanoseconds, so that
// string order is time order.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func nullTS(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return ts(*t)
}

func parseNullTS(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t := parseTS(ns.String)
	return &t
}

// returningIDs runs a statement ending in RETURNING id and collects the ids.
func (s *Store) returningIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.w.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// loadEach reads the rows with ids through get.
func loadEach[T any](ctx context.Context, ids []int64, get func(context.Context, int64) (T, error)) ([]T, error) {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, err := get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// one maps "no rows" from a single-row read to ErrNotFound, naming what was
// looked for.
func one[T any](v T, err error, what string) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return v, err
}
