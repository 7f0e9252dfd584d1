package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// Snapshot writes a consistent copy of the live database to dest (VACUUM
// INTO: one read transaction, so writers go on and the copy is whole). dest
// must not exist; the copy is mode 0600.
func (s *Store) Snapshot(ctx context.Context, dest string) error {
	if err := s.vacuumInto(ctx, dest); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	return nil
}

// VerifyFile checks, without writing to it, that path is a healthy Borgdesk
// database this build can open, and returns its schema version. A newer
// schema wraps ErrNewerSchema, a damaged file ErrCorrupt.
func VerifyFile(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, fmt.Errorf("open database %s: %w", path, err)
	}
	defer db.Close()
	s := &Store{db: db, path: path}
	if err := s.checkHealth(ctx); err != nil {
		return 0, err
	}
	v, err := s.SchemaVersion(ctx)
	switch {
	case err != nil:
		return 0, fmt.Errorf("read schema version of %s: %w", path, err)
	case v > LatestSchema():
		return v, fmt.Errorf("%w: %s has schema %d, this build knows up to %d", ErrNewerSchema, path, v, LatestSchema())
	case v == 0:
		return 0, fmt.Errorf("%w: %s has no Borgdesk schema", ErrCorrupt, path)
	}
	return v, nil
}
