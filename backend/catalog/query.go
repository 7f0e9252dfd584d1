package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Entry is one item of an archive.
type Entry struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	Type       string `json:"type"`
	Size       int64  `json:"size"`
	MTime      string `json:"mtime"`
	Mode       string `json:"mode"`
	User       string `json:"user"`
	Group      string `json:"group"`
	LinkTarget string `json:"link_target,omitempty"`
	Children   int    `json:"children"`
}

// Listing is one folder of an archive.
type Listing struct {
	Archive   string  `json:"archive"`
	Dir       string  `json:"dir"`
	Entries   []Entry `json:"entries"`
	Total     int     `json:"total"`
	Truncated bool    `json:"truncated"`
}

// Archive is what the catalog knows of an archive.
type Archive struct {
	Server       string    `json:"server"`
	Name         string    `json:"name"`
	Time         time.Time `json:"time"`
	Files        int64     `json:"files"`
	Bytes        int64     `json:"bytes"`
	Deduplicated int64     `json:"deduplicated"`
	Duration     float64   `json:"duration_sec"`
	Entries      int64     `json:"entries"`
	Dumps        []string  `json:"dumps"`
	Pruned       time.Time `json:"pruned,omitzero"`
}

// Version is one archive's copy of a path, or one .flx snapshot's.
type Version struct {
	Archive string `json:"archive"`
	Time    string `json:"time"`
	Size    int64  `json:"size"`
	MTime   string `json:"mtime"`
	// Snapshot is set when the copy is in a .flx snapshot the coordinator
	// keeps (Archive is then the snapshot's name, see IndexSnapshot), not
	// in a borg archive.
	Snapshot bool `json:"snapshot,omitempty"`
	// File is where the coordinator keeps that snapshot (filled in by the
	// snapshots room, not by the catalog).
	File string `json:"file,omitempty"`
}

// Hit is a path found on a server, with every version the catalog holds.
type Hit struct {
	ServerUUID string    `json:"server_uuid"`
	ServerName string    `json:"server_name"`
	Path       string    `json:"path"`
	Type       string    `json:"type"`
	Versions   []Version `json:"versions"`
}

// Archives lists what the catalog holds of a server's archives, pruned
// ones included (with their pruning time).
func (c *Catalog) Archives(ctx context.Context, server string) (map[string]Archive, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name, time, files, bytes, deduplicated, duration, entries, dumps, COALESCE(pruned_at, 0)
		FROM archives WHERE server = ? AND indexed_at IS NOT NULL AND kind = ''`, server)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	out := map[string]Archive{}
	for rows.Next() {
		a := Archive{Server: server}
		var t, pruned int64
		var dumps string
		if err := rows.Scan(&a.Name, &t, &a.Files, &a.Bytes, &a.Deduplicated, &a.Duration, &a.Entries, &dumps, &pruned); err != nil {
			return nil, err
		}
		a.Time = time.Unix(t, 0)
		if pruned > 0 {
			a.Pruned = time.Unix(pruned, 0)
		}
		if dumps != "" {
			json.Unmarshal([]byte(dumps), &a.Dumps)
		}
		out[a.Name] = a
	}
	return out, rows.Err()
}

// archiveID finds an indexed archive; a pruned one is an error that says when.
func (c *Catalog) archiveID(ctx context.Context, server, name string) (int64, error) {
	var id, pruned int64
	var indexed sql.NullInt64
	err := c.db.QueryRowContext(ctx, `SELECT id, indexed_at, COALESCE(pruned_at, 0) FROM archives WHERE server = ? AND name = ? AND kind = ''`, server, name).Scan(&id, &indexed, &pruned)
	if err == sql.ErrNoRows || (err == nil && !indexed.Valid) {
		return 0, fmt.Errorf("%w: %s", ErrNotIndexed, name)
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: %w", err)
	}
	if pruned > 0 {
		return 0, &PrunedError{Archive: name, At: time.Unix(pruned, 0)}
	}
	return id, nil
}

// PrunedError says an archive was removed by retention.
type PrunedError struct {
	Archive string
	At      time.Time
}

func (e *PrunedError) Error() string {
	return fmt.Sprintf("archive %s is no longer in the repository (pruned at %s); pick another archive", e.Archive, e.At.Format("2006-01-02 15:04"))
}

// resolve finds the path id of a relative path ("" is the root, 0).
func (c *Catalog) resolve(ctx context.Context, p string) (int64, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return 0, nil
	}
	var id int64
	for _, part := range strings.Split(p, "/") {
		err := c.db.QueryRowContext(ctx, `SELECT p.id FROM paths p JOIN names n ON n.id = p.name WHERE p.parent = ? AND n.name = ?`, id, part).Scan(&id)
		if err == sql.ErrNoRows {
			return 0, fmt.Errorf("%w: %s", ErrNoPath, p)
		}
		if err != nil {
			return 0, fmt.Errorf("catalog: %w", err)
		}
	}
	return id, nil
}

const entryCols = `n.name, e.path, e.type, e.mode, e.size, e.mtime, o.usr, o.grp, e.children, COALESCE(l.target, '')`

const entryJoins = ` JOIN names n ON n.id = p.name
	JOIN owners o ON o.id = e.owner
	LEFT JOIN links l ON l.archive = e.archive AND l.path = e.path`

func scanEntry(rows interface{ Scan(...any) error }, dir string) (Entry, error) {
	var e Entry
	var id, typ, mode, mtime int64
	if err := rows.Scan(&e.Name, &id, &typ, &mode, &e.Size, &mtime, &e.User, &e.Group, &e.Children, &e.LinkTarget); err != nil {
		return e, err
	}
	e.Type = string(rune(typ))
	e.Mode = FormatMode(byte(typ), uint32(mode))
	if mtime != 0 {
		e.MTime = time.Unix(mtime, 0).Format(time.RFC3339)
	}
	e.Path = e.Name
	if dir != "" {
		e.Path = dir + "/" + e.Name
	}
	return e, nil
}

// List returns one folder of an archive, folders first then by name, at
// most limit entries (5000 when zero).
func (c *Catalog) List(ctx context.Context, server, archive, dir string, limit int) (Listing, error) {
	if limit <= 0 {
		limit = 5000
	}
	dir = strings.Trim(dir, "/")
	out := Listing{Archive: archive, Dir: dir, Entries: []Entry{}}
	aid, err := c.archiveID(ctx, server, archive)
	if err != nil {
		return out, err
	}
	pid, err := c.resolve(ctx, dir)
	if err == nil && pid != 0 {
		var typ int64
		err = c.db.QueryRowContext(ctx, `SELECT type FROM entries WHERE archive = ? AND path = ?`, aid, pid).Scan(&typ)
		if err == sql.ErrNoRows {
			err = fmt.Errorf("%w: %s", ErrNoPath, dir)
		} else if err == nil && typ != 'd' {
			err = fmt.Errorf("%s is a file, not a folder, in archive %s", dir, archive)
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), ErrNoPath.Error()) {
			return out, fmt.Errorf("%s is not in archive %s; open its parent folder and pick again", dir, archive)
		}
		return out, err
	}
	if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM paths p JOIN entries e ON e.archive = ? AND e.path = p.id WHERE p.parent = ?`, aid, pid).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("catalog: %w", err)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT `+entryCols+` FROM paths p CROSS JOIN entries e ON e.archive = ? AND e.path = p.id`+entryJoins+`
		WHERE p.parent = ? ORDER BY e.type <> 100, n.name LIMIT ?`, aid, pid, limit)
	if err != nil {
		return out, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows, dir)
		if err != nil {
			return out, err
		}
		out.Entries = append(out.Entries, e)
	}
	out.Truncated = out.Total > len(out.Entries)
	return out, rows.Err()
}

// Stat returns one entry of an archive.
func (c *Catalog) Stat(ctx context.Context, server, archive, p string) (Entry, error) {
	aid, err := c.archiveID(ctx, server, archive)
	if err != nil {
		return Entry{}, err
	}
	p = strings.Trim(p, "/")
	pid, err := c.resolve(ctx, p)
	if err != nil || pid == 0 {
		return Entry{}, fmt.Errorf("%s is not in archive %s", p, archive)
	}
	row := c.db.QueryRowContext(ctx, `SELECT `+entryCols+` FROM paths p CROSS JOIN entries e ON e.archive = ? AND e.path = p.id`+entryJoins+` WHERE p.id = ?`, aid, pid)
	dir, _ := split(p)
	e, err := scanEntry(row, dir)
	if err == sql.ErrNoRows {
		return Entry{}, fmt.Errorf("%s is not in archive %s", p, archive)
	}
	return e, err
}

// Totals counts the regular files and their bytes under paths of an
// archive (the whole archive when paths is empty). A path that is not in
// the archive is an error naming it.
func (c *Catalog) Totals(ctx context.Context, server, archive string, paths []string) (files, bytes int64, err error) {
	aid, err := c.archiveID(ctx, server, archive)
	if err != nil {
		return 0, 0, err
	}
	if len(paths) == 0 {
		err = c.db.QueryRowContext(ctx, `SELECT files, bytes FROM archives WHERE id = ?`, aid).Scan(&files, &bytes)
		return files, bytes, err
	}
	for _, p := range paths {
		pid, err := c.resolve(ctx, p)
		var typ int64
		if err == nil {
			err = c.db.QueryRowContext(ctx, `SELECT type FROM entries WHERE archive = ? AND path = ?`, aid, pid).Scan(&typ)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s is not in archive %s; browse the archive to find its path", strings.Trim(p, "/"), archive)
		}
		var f, b int64
		err = c.db.QueryRowContext(ctx, `WITH RECURSIVE sub(id) AS (
				SELECT ?
				UNION ALL
				SELECT p.id FROM sub CROSS JOIN paths p ON p.parent = sub.id CROSS JOIN entries e ON e.archive = ? AND e.path = p.id
			)
			SELECT count(*), COALESCE(sum(e.size), 0) FROM sub JOIN entries e ON e.archive = ? AND e.path = sub.id WHERE e.type = 45`, pid, aid, aid).Scan(&f, &b)
		if err != nil {
			return 0, 0, fmt.Errorf("catalog: %w", err)
		}
		files, bytes = files+f, bytes+b
	}
	return files, bytes, nil
}

// Forget marks archives as pruned and drops their entries; the archive
// rows stay so that a browser still open on one is told what happened.
func (c *Catalog) Forget(ctx context.Context, server string, names []string, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range names {
		var id int64
		err := c.db.QueryRowContext(ctx, `SELECT id FROM archives WHERE server = ? AND name = ? AND kind = ''`, server, name).Scan(&id)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		tx, err := c.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		for _, q := range []string{`DELETE FROM entries WHERE archive = ?`, `DELETE FROM links WHERE archive = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				tx.Rollback()
				return fmt.Errorf("catalog: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE archives SET pruned_at = ? WHERE id = ?`, at.Unix(), id); err != nil {
			tx.Rollback()
			return fmt.Errorf("catalog: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	return nil
}

// DropServer forgets everything of a removed server.
func (c *Catalog) DropServer(ctx context.Context, server string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range []string{
		`DELETE FROM entries WHERE archive IN (SELECT id FROM archives WHERE server = ?)`,
		`DELETE FROM links WHERE archive IN (SELECT id FROM archives WHERE server = ?)`,
		`DELETE FROM archives WHERE server = ?`,
	} {
		if _, err := c.db.ExecContext(ctx, q, server); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	return nil
}

// pathCache rebuilds the paths of path ids, walking up the tree.
type pathCache struct {
	c   *Catalog
	ctx context.Context
	m   map[int64]string
}

func (pc *pathCache) get(id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if s, ok := pc.m[id]; ok {
		return s, nil
	}
	var parent int64
	var name string
	if err := pc.c.db.QueryRowContext(pc.ctx, `SELECT p.parent, n.name FROM paths p JOIN names n ON n.id = p.name WHERE p.id = ?`, id).Scan(&parent, &name); err != nil {
		return "", err
	}
	dir, err := pc.get(parent)
	if err != nil {
		return "", err
	}
	s := name
	if dir != "" {
		s = dir + "/" + name
	}
	pc.m[id] = s
	return s, nil
}

// Find searches every indexed archive (of one server when server is not
// empty) for pattern: a plain word matches the names that contain it,
// whatever the case ("nginx" finds nginx.conf and Nginx-old), a glob on the
// name ("*.conf") or a glob on the path ("etc/nginx/*.conf", matched against
// the end of paths; "**" crosses folders). It returns at most limit paths
// (100 when zero), each with all its versions, newest first; with a plain
// word the exact name comes first, then the shortest names.
func (c *Catalog) Find(ctx context.Context, pattern, server string, limit int) ([]Hit, error) {
	if limit <= 0 {
		limit = 100
	}
	pattern = strings.Trim(strings.TrimSpace(pattern), "/")
	if pattern == "" {
		return nil, fmt.Errorf("give a file name or pattern to search for, such as nginx.conf or '*.conf'")
	}
	_, base := split(pattern)
	var pathRe *regexp.Regexp
	if strings.Contains(pattern, "/") {
		pathRe = globRegexp(pattern)
	}
	nameIDs, err := c.matchNames(ctx, base, pathRe == nil)
	if err != nil {
		return nil, err
	}

	pc := &pathCache{c: c, ctx: ctx, m: map[int64]string{}}
	versions, err := c.db.PrepareContext(ctx, `SELECT a.server, a.name, a.time, e.type, e.size, e.mtime, a.kind
		FROM entries e JOIN archives a ON a.id = e.archive
		WHERE e.path = ? AND a.pruned_at IS NULL AND (? = '' OR a.server = ?)
		ORDER BY a.time DESC`)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer versions.Close()
	var hits []Hit
	for _, nid := range nameIDs {
		rows, err := c.db.QueryContext(ctx, `SELECT id FROM paths WHERE name = ?`, nid)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			p, err := pc.get(id)
			if err != nil {
				return nil, fmt.Errorf("catalog: %w", err)
			}
			if pathRe != nil && !pathRe.MatchString(p) {
				continue
			}
			vr, err := versions.QueryContext(ctx, id, server, server)
			if err != nil {
				return nil, fmt.Errorf("catalog: %w", err)
			}
			byServer := map[string]*Hit{}
			var order []string
			for vr.Next() {
				var srv, arch, kind string
				var t, typ, size, mtime int64
				if err := vr.Scan(&srv, &arch, &t, &typ, &size, &mtime, &kind); err != nil {
					vr.Close()
					return nil, err
				}
				h := byServer[srv]
				if h == nil {
					h = &Hit{ServerUUID: srv, Path: p, Type: string(rune(typ))}
					byServer[srv] = h
					order = append(order, srv)
				}
				v := Version{Archive: arch, Time: time.Unix(t, 0).Format(time.RFC3339), Size: size, Snapshot: kind == KindFlx}
				if mtime != 0 {
					v.MTime = time.Unix(mtime, 0).Format(time.RFC3339)
				}
				h.Versions = append(h.Versions, v)
			}
			vr.Close()
			for _, srv := range order {
				hits = append(hits, *byServer[srv])
			}
			if len(hits) >= limit {
				return sortHits(hits[:limit]), nil
			}
		}
	}
	return sortHits(hits), nil
}

// matchNames returns the ids of the names base selects: a glob when it has
// glob characters, else the exact name when it ends a path pattern, else
// every name containing it regardless of case, the closest names first.
func (c *Catalog) matchNames(ctx context.Context, base string, contains bool) ([]int64, error) {
	var rows *sql.Rows
	var err error
	switch {
	case strings.ContainsAny(base, "*?["):
		rows, err = c.db.QueryContext(ctx, `SELECT id FROM names WHERE name GLOB ?`, base)
	case !contains:
		rows, err = c.db.QueryContext(ctx, `SELECT id FROM names WHERE name = ?`, base)
	default:
		rows, err = c.db.QueryContext(ctx, `SELECT id FROM names WHERE instr(lower(name), lower(?1)) > 0
			ORDER BY name <> ?1, lower(name) <> lower(?1), length(name), name`, base)
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: find names: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("catalog: find names: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func sortHits(h []Hit) []Hit {
	if h == nil {
		return []Hit{}
	}
	sort.SliceStable(h, func(i, j int) bool {
		if h[i].Path != h[j].Path {
			return h[i].Path < h[j].Path
		}
		return h[i].ServerUUID < h[j].ServerUUID
	})
	return h
}

// Versions lists every version of one path in one server's archives,
// newest first (the versions in .flx snapshots are Find's).
func (c *Catalog) Versions(ctx context.Context, server, p string) ([]Version, error) {
	id, err := c.resolve(ctx, p)
	if err != nil || id == 0 {
		return []Version{}, nil
	}
	rows, err := c.db.QueryContext(ctx, `SELECT a.name, a.time, e.size, e.mtime FROM entries e JOIN archives a ON a.id = e.archive
		WHERE e.path = ? AND a.server = ? AND a.pruned_at IS NULL AND a.kind = '' ORDER BY a.time DESC`, id, server)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var t, mtime int64
		if err := rows.Scan(&v.Archive, &t, &v.Size, &mtime); err != nil {
			return nil, err
		}
		v.Time = time.Unix(t, 0).Format(time.RFC3339)
		if mtime != 0 {
			v.MTime = time.Unix(mtime, 0).Format(time.RFC3339)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Files streams the regular files of an archive with their sizes.
func (c *Catalog) Files(ctx context.Context, server, archive string, fn func(path string, size int64) error) error {
	aid, err := c.archiveID(ctx, server, archive)
	if err != nil {
		return err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT path, size FROM entries WHERE archive = ? AND type = 45`, aid)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	type fe struct {
		id   int64
		size int64
	}
	var all []fe
	for rows.Next() {
		var f fe
		rows.Scan(&f.id, &f.size)
		all = append(all, f)
	}
	rows.Close()
	pc := &pathCache{c: c, ctx: ctx, m: map[int64]string{}}
	for _, f := range all {
		p, err := pc.get(f.id)
		if err != nil {
			return err
		}
		if err := fn(p, f.size); err != nil {
			return err
		}
	}
	return nil
}

// globRegexp turns a path glob into a regexp matched against the end of a
// path at a folder boundary: "*" and "?" stay within a folder, "**" does not.
func globRegexp(g string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(^|/)`)
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				b.WriteString(`.*`)
				i++
			} else {
				b.WriteString(`[^/]*`)
			}
		case '?':
			b.WriteString(`[^/]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}
