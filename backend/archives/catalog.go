package archives

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"borgdesk/backend/catalog"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// indexLocks serializes the indexing of each server's repository.
type indexLocks struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

func (l *indexLocks) get(server string) *sync.Mutex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*sync.Mutex{}
	}
	if l.m[server] == nil {
		l.m[server] = &sync.Mutex{}
	}
	return l.m[server]
}

func (a *Archives) needCatalog() error {
	if a.cat == nil || a.repos == nil {
		return fmt.Errorf("%w: this coordinator keeps no file catalog", fault.ErrUnavailable)
	}
	return nil
}

// IndexServer brings the catalog up to date with a server's repository:
// archives not indexed yet are read (borg list --json-lines, streamed),
// archives gone from the repository are forgotten. It returns how many
// archives it indexed.
func (a *Archives) IndexServer(ctx context.Context, uuid string) (int, error) {
	if err := a.needCatalog(); err != nil {
		return 0, err
	}
	mu := a.indexing.get(uuid)
	mu.Lock()
	defer mu.Unlock()
	repo, err := a.readRepo(ctx, uuid)
	if err != nil {
		return 0, nil // no repository yet
	}
	list, err := a.reader().List(ctx, repo)
	if err != nil {
		return 0, err
	}
	known, err := a.cat.Archives(ctx, uuid)
	if err != nil {
		return 0, err
	}
	inRepo := map[string]bool{}
	n := 0
	for _, ar := range list {
		inRepo[ar.Name] = true
		if k, ok := known[ar.Name]; ok && k.Pruned.IsZero() {
			continue
		}
		if err := a.indexArchive(ctx, uuid, repo, ar); err != nil {
			return n, err
		}
		n++
	}
	var gone []string
	for name, k := range known {
		if !inRepo[name] && k.Pruned.IsZero() {
			gone = append(gone, name)
		}
	}
	if len(gone) > 0 {
		if err := a.cat.Forget(ctx, uuid, gone, a.now()); err != nil {
			return n, err
		}
	}
	if n > 0 || len(gone) > 0 {
		a.events.Announce(events.JobChanged, uuid, map[string]any{"catalog_indexed": n, "catalog_forgotten": len(gone)})
	}
	return n, nil
}

func (a *Archives) indexArchive(ctx context.Context, uuid string, repo borg.Repo, ar borg.Archive) error {
	b := a.reader()
	info, err := b.Info(ctx, repo, ar.Name)
	if err != nil {
		return fmt.Errorf("index %s: %w", ar.Name, err)
	}
	meta := catalog.Meta{Server: uuid, Name: ar.Name, Time: borg.ArchiveTime(info.Start), Deduplicated: info.Stats.DeduplicatedSize, Duration: info.Duration}
	if kind := a.archiveKind(ctx, uuid, ar.Name); kind == agentapi.KindMySQL || kind == agentapi.KindPostgres || kind == agentapi.KindMongo {
		meta.Dumps = true
	}
	_, err = a.cat.Index(ctx, meta, func(fn func(borg.Item) error) error { return b.ListItems(ctx, repo, ar.Name, fn) })
	if err != nil {
		return fmt.Errorf("index %s: %w", ar.Name, err)
	}
	return nil
}

// archiveKind is the kind of the job that made an archive (job@time…).
func (a *Archives) archiveKind(ctx context.Context, uuid, archive string) string {
	name, _, _ := strings.Cut(archive, "@")
	sv, err := a.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return ""
	}
	j, err := a.st.FindJob(ctx, sv.Name+"/"+name)
	if err != nil {
		return ""
	}
	return j.Kind
}

// RunCatalog indexes every server's archives at start-up (archives made
// before the catalog existed, or while indexing failed), then every hour,
// until ctx ends.
func (a *Archives) RunCatalog(ctx context.Context) error {
	if a.cat == nil {
		return nil
	}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		servers, err := a.st.ListServers(ctx)
		if err == nil {
			for _, sv := range servers {
				if ctx.Err() != nil {
					return nil
				}
				if _, err := a.IndexServer(ctx, sv.UUID); err != nil && ctx.Err() == nil {
					a.logger.Warn("catalog: indexing failed", "server", sv.Name, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// EnsureIndexed indexes a server's archive now if the catalog lacks it;
// an archive that is not in the repository is an error that says so.
func (a *Archives) EnsureIndexed(ctx context.Context, sv store.Server, archive string) error {
	if err := a.needCatalog(); err != nil {
		return err
	}
	known, err := a.cat.Archives(ctx, sv.UUID)
	if err != nil {
		return err
	}
	if k, ok := known[archive]; ok {
		if !k.Pruned.IsZero() {
			return &catalog.PrunedError{Archive: archive, At: k.Pruned}
		}
		return nil
	}
	if _, err := a.IndexServer(ctx, sv.UUID); err != nil {
		return err
	}
	known, err = a.cat.Archives(ctx, sv.UUID)
	if err != nil {
		return err
	}
	if k, ok := known[archive]; !ok || !k.Pruned.IsZero() {
		if ok {
			return &catalog.PrunedError{Archive: archive, At: k.Pruned}
		}
		return fmt.Errorf("%w: archive %s is not in the repository of %s; list its archives to pick one", fault.ErrNotFound, archive, sv.Name)
	}
	return nil
}

// BrowseArchive lists one folder of an archive ("" is its root) from the
// catalog: a million-file archive opens as fast as a small one.
func (a *Archives) BrowseArchive(ctx context.Context, ref, archive, dir string) (catalog.Listing, error) {
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return catalog.Listing{}, err
	}
	if err := a.EnsureIndexed(ctx, sv, archive); err != nil {
		return catalog.Listing{}, CatalogErr(err)
	}
	l, err := a.cat.List(ctx, sv.UUID, archive, dir, 5000)
	return l, CatalogErr(err)
}

// CatalogErr says what a catalog error is to the caller: an archive
// pruned or not indexed, or a path not in it, is fault.ErrNotFound.
func CatalogErr(err error) error {
	var pe *catalog.PrunedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return fmt.Errorf("%w: %v", fault.ErrNotFound, err)
	case errors.Is(err, catalog.ErrNotIndexed), strings.Contains(err.Error(), "not in archive"), strings.Contains(err.Error(), "is a file"):
		return fmt.Errorf("%w: %v", fault.ErrNotFound, err)
	}
	return err
}

// Preview is the beginning of a file of an archive.
type Preview struct {
	Path      string `json:"path"`
	Size      int64  `json:"size"`
	Text      string `json:"text"`
	Binary    bool   `json:"binary"`
	Truncated bool   `json:"truncated"`
}

// PreviewLimit is how much of a file a preview shows.
const PreviewLimit = 64 << 10

// PreviewFile reads the first 64 KiB of a file of an archive.
func (a *Archives) PreviewFile(ctx context.Context, ref, archive, path string) (Preview, error) {
	sv, e, err := a.FileEntry(ctx, ref, archive, path)
	if err != nil {
		return Preview{}, err
	}
	var buf limited
	buf.max = PreviewLimit
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	buf.full = cancel
	repo, err := a.readRepo(ctx, sv.UUID)
	if err != nil {
		return Preview{}, err
	}
	err = a.reader().ExtractStdout(rctx, repo, archive, e.Path, &buf)
	if err != nil && !buf.truncated {
		return Preview{}, err
	}
	p := Preview{Path: e.Path, Size: e.Size, Truncated: e.Size > int64(len(buf.b))}
	if !utf8.Valid(trimPartialRune(buf.b)) || strings.ContainsRune(string(buf.b), 0) {
		p.Binary = true
		return p, nil
	}
	p.Text = string(trimPartialRune(buf.b))
	return p, nil
}

// ArchiveFile writes a whole file of an archive to w (downloads, the CLI).
func (a *Archives) ArchiveFile(ctx context.Context, ref, archive, path string, w io.Writer) (catalog.Entry, error) {
	sv, e, err := a.FileEntry(ctx, ref, archive, path)
	if err != nil {
		return e, err
	}
	repo, err := a.readRepo(ctx, sv.UUID)
	if err != nil {
		return e, err
	}
	return e, a.reader().ExtractStdout(ctx, repo, archive, e.Path, w)
}

// FileEntry finds a regular file of an archive in the catalog, indexing
// the archive first if needed.
func (a *Archives) FileEntry(ctx context.Context, ref, archive, path string) (store.Server, catalog.Entry, error) {
	sv, err := a.env.Server(ctx, ref)
	if err != nil {
		return sv, catalog.Entry{}, err
	}
	if err := a.EnsureIndexed(ctx, sv, archive); err != nil {
		return sv, catalog.Entry{}, CatalogErr(err)
	}
	e, err := a.cat.Stat(ctx, sv.UUID, archive, path)
	if err != nil {
		return sv, e, CatalogErr(err)
	}
	if e.Type != "-" {
		return sv, e, fmt.Errorf("%w: %s is not a regular file in archive %s", fault.ErrInvalid, e.Path, archive)
	}
	return sv, e, nil
}

// limited keeps the first max bytes, then cancels the reader.
type limited struct {
	b         []byte
	max       int
	truncated bool
	full      func()
}

func (l *limited) Write(p []byte) (int, error) {
	room := l.max - len(l.b)
	if len(p) > room {
		l.b = append(l.b, p[:room]...)
		l.truncated = true
		l.full()
		return 0, io.ErrShortWrite
	}
	l.b = append(l.b, p...)
	return len(p), nil
}

// trimPartialRune drops a UTF-8 sequence cut by the preview limit.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// FindFiles searches the catalog of every server (or one).
func (a *Archives) FindFiles(ctx context.Context, pattern, serverRef string, limit int) ([]catalog.Hit, error) {
	if err := a.needCatalog(); err != nil {
		return nil, err
	}
	uuid := ""
	if serverRef != "" {
		sv, err := a.env.Server(ctx, serverRef)
		if err != nil {
			return nil, err
		}
		uuid = sv.UUID
	}
	hits, err := a.cat.Find(ctx, pattern, uuid, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	names := map[string]string{}
	for i := range hits {
		u := hits[i].ServerUUID
		if _, ok := names[u]; !ok {
			if sv, err := a.st.ServerByUUID(ctx, u); err == nil {
				names[u] = sv.Name
			} else {
				names[u] = u
			}
		}
		hits[i].ServerName = names[u]
	}
	return hits, nil
}

// FileVersions lists every version of one path of a server.
func (a *Archives) FileVersions(ctx context.Context, serverRef, path string) ([]catalog.Version, error) {
	if err := a.needCatalog(); err != nil {
		return nil, err
	}
	sv, err := a.env.Server(ctx, serverRef)
	if err != nil {
		return nil, err
	}
	return a.cat.Versions(ctx, sv.UUID, path)
}
