package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/shared/borg"
)

// Meta describes an archive as it is indexed.
type Meta struct {
	Server       string // the server's UUID
	Name         string
	Time         time.Time
	Deduplicated int64
	Duration     float64
	// Dumps marks an archive of a database job: its files are dumps.
	Dumps bool
	// Kind is '' for a borg archive, KindFlx for a .flx snapshot (see
	// IndexSnapshot).
	Kind string
}

// Source streams an archive's items to fn, in borg's order.
type Source func(fn func(borg.Item) error) error

// nameCacheMax bounds the writer's name cache; beyond it the cache starts
// over (names are then looked up in SQLite again).
const nameCacheMax = 500_000

// Index replaces the catalog's record of one archive with the items src
// streams, in one transaction: a crash or an error leaves the previous
// state (or nothing), never half an archive. It returns the number of
// entries indexed.
func (c *Catalog) Index(ctx context.Context, m Meta, src Source) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names == nil || len(c.names) > nameCacheMax {
		c.names = make(map[string]int64, 4096)
	}
	// One connection with a large page cache for the bulk insert: the
	// entries_path index grows everywhere at once (every path gains a
	// version), and a cache smaller than it makes each insert a page read.
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -32000`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	defer tx.Rollback()
	ix, err := c.newIndexer(ctx, tx, m)
	if err != nil {
		return 0, err
	}
	defer ix.close()
	if err := pipeline(ctx, src, ix.add); err != nil {
		return 0, err
	}
	if err := ix.finish(); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		// The names cached during this transaction may not exist now.
		c.names = nil
		return 0, fmt.Errorf("catalog: %w", err)
	}
	return ix.n, nil
}

type indexer struct {
	ctx     context.Context
	c       *Catalog
	m       Meta
	tx      *sql.Tx
	archive int64
	n       int64
	files   int64
	bytes   int64
	dumps   []string

	selName, insName, selPath, insPath, insEntry, insLink, selOwner, insOwner *sql.Stmt

	dirs     map[string]int64 // a dir's path → its path id, for this archive
	present  map[int64]bool   // dir path ids with an entry in this archive
	children map[int64]int    // dir path id → number of direct children
	owners   map[[2]string]int64
}

func (c *Catalog) newIndexer(ctx context.Context, tx *sql.Tx, m Meta) (*indexer, error) {
	ix := &indexer{ctx: ctx, c: c, m: m, tx: tx, dirs: map[string]int64{}, present: map[int64]bool{}, children: map[int64]int{}, owners: map[[2]string]int64{}}
	var old int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM archives WHERE server = ? AND name = ? AND kind = ?`, m.Server, m.Name, m.Kind).Scan(&old)
	switch {
	case err == nil:
		for _, q := range []string{`DELETE FROM entries WHERE archive = ?`, `DELETE FROM links WHERE archive = ?`, `DELETE FROM archives WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, old); err != nil {
				return nil, fmt.Errorf("catalog: %w", err)
			}
		}
	case err != sql.ErrNoRows:
		return nil, fmt.Errorf("catalog: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO archives (server, name, time, deduplicated, duration, kind) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		m.Server, m.Name, m.Time.Unix(), m.Deduplicated, m.Duration, m.Kind).Scan(&ix.archive)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	prep := func(dst **sql.Stmt, q string) {
		if err != nil {
			return
		}
		*dst, err = tx.PrepareContext(ctx, q)
	}
	prep(&ix.selName, `SELECT id FROM names WHERE name = ?`)
	prep(&ix.insName, `INSERT INTO names (name) VALUES (?) RETURNING id`)
	prep(&ix.selPath, `SELECT id FROM paths WHERE parent = ? AND name = ?`)
	prep(&ix.insPath, `INSERT INTO paths (parent, name) VALUES (?, ?) RETURNING id`)
	prep(&ix.insEntry, `INSERT OR REPLACE INTO entries (archive, path, type, mode, size, mtime, owner) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	prep(&ix.insLink, `INSERT OR REPLACE INTO links (archive, path, target) VALUES (?, ?, ?)`)
	prep(&ix.selOwner, `SELECT id FROM owners WHERE usr = ? AND grp = ?`)
	prep(&ix.insOwner, `INSERT INTO owners (usr, grp) VALUES (?, ?) RETURNING id`)
	if err != nil {
		ix.close()
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return ix, nil
}

func (ix *indexer) close() {
	for _, s := range []*sql.Stmt{ix.selName, ix.insName, ix.selPath, ix.insPath, ix.insEntry, ix.insLink, ix.selOwner, ix.insOwner} {
		if s != nil {
			s.Close()
		}
	}
}

// lookup returns the id sel finds for args, inserting with ins when none.
func (ix *indexer) lookup(sel, ins *sql.Stmt, args ...any) (int64, error) {
	var id int64
	err := sel.QueryRowContext(ix.ctx, args...).Scan(&id)
	if err == sql.ErrNoRows {
		err = ins.QueryRowContext(ix.ctx, args...).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	return id, nil
}

func (ix *indexer) name(s string) (int64, error) {
	if id, ok := ix.c.names[s]; ok {
		return id, nil
	}
	id, err := ix.lookup(ix.selName, ix.insName, s)
	if err == nil {
		ix.c.names[s] = id
	}
	return id, err
}

func (ix *indexer) pathID(parent int64, base string) (int64, error) {
	n, err := ix.name(base)
	if err != nil {
		return 0, err
	}
	return ix.lookup(ix.selPath, ix.insPath, parent, n)
}

func (ix *indexer) owner(user, group string) (int64, error) {
	k := [2]string{user, group}
	if id, ok := ix.owners[k]; ok {
		return id, nil
	}
	id, err := ix.lookup(ix.selOwner, ix.insOwner, user, group)
	if err == nil {
		ix.owners[k] = id
	}
	return id, err
}

// dir returns the path id of a directory of this archive, adding entries
// for ancestors borg did not list (the parents of the backed-up paths).
func (ix *indexer) dir(p string) (int64, error) {
	if p == "" {
		return 0, nil
	}
	if id, ok := ix.dirs[p]; ok {
		return id, nil
	}
	parentPath, base := split(p)
	parent, err := ix.dir(parentPath)
	if err != nil {
		return 0, err
	}
	id, err := ix.pathID(parent, base)
	if err != nil {
		return 0, err
	}
	ix.dirs[p] = id
	if !ix.present[id] {
		ix.present[id] = true
		ix.children[parent]++
		own, err := ix.owner("root", "root")
		if err != nil {
			return 0, err
		}
		if _, err := ix.insEntry.ExecContext(ix.ctx, ix.archive, id, int64('d'), int64(0o755), 0, 0, own); err != nil {
			return 0, fmt.Errorf("catalog: %w", err)
		}
	}
	return id, nil
}

func (ix *indexer) add(it borg.Item) error {
	p := strings.Trim(it.Path, "/")
	if p == "" {
		return nil
	}
	parentPath, base := split(p)
	parent, err := ix.dir(parentPath)
	if err != nil {
		return err
	}
	id, err := ix.pathID(parent, base)
	if err != nil {
		return err
	}
	typ := byte('-')
	if it.Type != "" {
		typ = it.Type[0]
	}
	if typ == 'd' {
		ix.dirs[p] = id
		if ix.present[id] { // listed after an implicit entry: replace it, count once
			ix.children[parent]--
		}
		ix.present[id] = true
	}
	ix.children[parent]++
	own, err := ix.owner(it.User, it.Group)
	if err != nil {
		return err
	}
	var mtime int64
	if t := borg.ArchiveTime(it.MTime); !t.IsZero() {
		mtime = t.Unix()
	}
	if _, err := ix.insEntry.ExecContext(ix.ctx, ix.archive, id, int64(typ), int64(ParseMode(it.Mode)), it.Size, mtime, own); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if it.LinkTarget != "" {
		if _, err := ix.insLink.ExecContext(ix.ctx, ix.archive, id, it.LinkTarget); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	ix.n++
	if typ == '-' {
		ix.files++
		ix.bytes += it.Size
		if ix.m.Dumps {
			ix.dumps = append(ix.dumps, p)
		}
	}
	if ix.n%4096 == 0 {
		if err := ix.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (ix *indexer) finish() error {
	upd, err := ix.tx.PrepareContext(ix.ctx, `UPDATE entries SET children = ? WHERE archive = ? AND path = ?`)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	defer upd.Close()
	for id, n := range ix.children {
		if id == 0 {
			continue
		}
		if _, err := upd.ExecContext(ix.ctx, n, ix.archive, id); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	dumps := ""
	if len(ix.dumps) > 0 {
		b, _ := json.Marshal(ix.dumps)
		dumps = string(b)
	}
	_, err = ix.tx.ExecContext(ix.ctx, `UPDATE archives SET files = ?, bytes = ?, entries = ?, dumps = ?, indexed_at = ? WHERE id = ?`,
		ix.files, ix.bytes, ix.n, dumps, time.Now().Unix(), ix.archive)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

// split cuts a relative path into its parent and last component.
func split(p string) (string, string) {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

// pipeline runs src (borg decoding its listing) on its own goroutine and
// feeds add in batches, so listing and inserting overlap on two cores.
func pipeline(ctx context.Context, src Source, add func(borg.Item) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const size = 1024
	batches := make(chan []borg.Item, 8)
	srcErr := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([]borg.Item, 0, size)
		err := src(func(it borg.Item) error {
			batch = append(batch, it)
			if len(batch) == size {
				select {
				case batches <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([]borg.Item, 0, size)
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		srcErr <- err
	}()
	var addErr error
	for b := range batches {
		if addErr != nil {
			continue // drain until the source stops
		}
		for _, it := range b {
			if addErr = add(it); addErr != nil {
				cancel()
				break
			}
		}
	}
	if err := <-srcErr; addErr == nil {
		return err
	}
	return addErr
}
