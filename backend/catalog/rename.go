package catalog

import (
	"context"
	"fmt"
)

// Rename follows the rename of an archive in its repository: its index
// stays and answers to the new name. A row left under the new name by an
// archive pruned or deleted earlier is dropped first.
func (c *Catalog) Rename(ctx context.Context, server, old, renamed string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	defer tx.Rollback()
	var stale []int64
	rows, err := tx.QueryContext(ctx, `SELECT id FROM archives WHERE server = ? AND name = ? AND kind = ''`, server, renamed)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("catalog: %w", err)
		}
		stale = append(stale, id)
	}
	rows.Close()
	for _, id := range stale {
		for _, q := range []string{`DELETE FROM entries WHERE archive = ?`, `DELETE FROM links WHERE archive = ?`, `DELETE FROM archives WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("catalog: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE archives SET name = ? WHERE server = ? AND name = ? AND kind = ''`, renamed, server, old); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return tx.Commit()
}
