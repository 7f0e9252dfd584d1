package service

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

func (s *Service) needCatalog() error {
	if s.cat == nil || s.repos == nil {
		return fmt.Errorf("%w: this coordinator keeps no file catalog", ErrUnavailable)
	}
	return nil
}

// reader is borg for reading the coordinator's repositories without their
// lock, so browsing goes on while an agent writes a backup.
func (s *Service) reader() *borg.Borg { return s.repos.Borg.Reader() }

// IndexServer brings the catalog up to date with a server's repository:
// archives not indexed yet are read (borg list --json-lines, streamed),
// archives gone from the repository are forgotten. It returns how many
// archives it indexed.
func (s *Service) IndexServer(ctx context.Context, uuid string) (int, error) {
	if err := s.needCatalog(); err != nil {
		return 0, err
	}
	mu := s.indexing.get(uuid)
	mu.Lock()
	defer mu.Unlock()
	repo, err := s.readRepo(ctx, uuid)
	if err != nil {
		return 0, nil // no repository yet
	}
	list, err := s.reader().List(ctx, repo)
	if err != nil {
		return 0, err
	}
	known, err := s.cat.Archives(ctx, uuid)
	if err != nil {
		return 0, err
	}
	inRepo := map[string]bool{}
	n := 0
	for _, a := range list {
		inRepo[a.Name] = true
		if k, ok := known[a.Name]; ok && k.Pruned.IsZero() {
			continue
		}
		if err := s.indexArchive(ctx, uuid, repo, a); err != nil {
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
		if err := s.cat.Forget(ctx, uuid, gone, s.now()); err != nil {
			return n, err
		}
	}
	if n > 0 || len(gone) > 0 {
		s.announce(events.JobChanged, uuid, map[string]any{"catalog_indexed": n, "catalog_forgotten": len(gone)})
	}
	return n, nil
}

func (s *Service) indexArchive(ctx context.Context, uuid string, repo borg.Repo, a borg.Archive) error {
	b := s.reader()
	info, err := b.Info(ctx, repo, a.Name)
	if err != nil {
		return fmt.Errorf("index %s: %w", a.Name, err)
	}
	meta := catalog.Meta{Server: uuid, Name: a.Name, Time: borg.ArchiveTime(info.Start), Deduplicated: info.Stats.DeduplicatedSize, Duration: info.Duration}
	if kind := s.archiveKind(ctx, uuid, a.Name); kind == agentapi.KindMySQL || kind == agentapi.KindPostgres || kind == agentapi.KindMongo {
		meta.Dumps = true
	}
	_, err = s.cat.Index(ctx, meta, func(fn func(borg.Item) error) error { return b.ListItems(ctx, repo, a.Name, fn) })
	if err != nil {
		return fmt.Errorf("index %s: %w", a.Name, err)
	}
	return nil
}

// archiveKind is the kind of the job that made an archive (job@time…).
func (s *Service) archiveKind(ctx context.Context, uuid, archive string) string {
	name, _, _ := strings.Cut(archive, "@")
	j, err := s.jobOf(ctx, uuid, name)
	if err != nil {
		return ""
	}
	return j.Kind
}

func (s *Service) jobOf(ctx context.Context, uuid, jobName string) (store.Job, error) {
	sv, err := s.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return store.Job{}, err
	}
	return s.st.FindJob(ctx, sv.Name+"/"+jobName)
}

// RunCatalog indexes every server's archives at start-up (archives made
// before the catalog existed, or while indexing failed), then every hour.
func (s *Service) RunCatalog(ctx context.Context) error {
	if s.cat == nil {
		return nil
	}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		servers, err := s.st.ListServers(ctx)
		if err == nil {
			for _, sv := range servers {
				if ctx.Err() != nil {
					return nil
				}
				if _, err := s.IndexServer(ctx, sv.UUID); err != nil && ctx.Err() == nil {
					s.log().Warn("catalog: indexing failed", "server", sv.Name, "err", err)
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

// ensureIndexed indexes a server's archive now if the catalog lacks it;
// an archive that is not in the repository is an error that says so.
func (s *Service) ensureIndexed(ctx context.Context, sv store.Server, archive string) error {
	if err := s.needCatalog(); err != nil {
		return err
	}
	known, err := s.cat.Archives(ctx, sv.UUID)
	if err != nil {
		return err
	}
	if a, ok := known[archive]; ok {
		if !a.Pruned.IsZero() {
			return &catalog.PrunedError{Archive: archive, At: a.Pruned}
		}
		return nil
	}
	if _, err := s.IndexServer(ctx, sv.UUID); err != nil {
		return err
	}
	known, err = s.cat.Archives(ctx, sv.UUID)
	if err != nil {
		return err
	}
	if a, ok := known[archive]; !ok || !a.Pruned.IsZero() {
		if ok {
			return &catalog.PrunedError{Archive: archive, At: a.Pruned}
		}
		return fmt.Errorf("%w: archive %s is not in the repository of %s; list its archives to pick one", ErrNotFound, archive, sv.Name)
	}
	return nil
}

// BrowseArchive lists one folder of an archive ("" is its root) from the
// catalog: a million-file archive opens as fast as a small one.
func (s *Service) BrowseArchive(ctx context.Context, ref, archive, dir string) (catalog.Listing, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return catalog.Listing{}, err
	}
	if err := s.ensureIndexed(ctx, sv, archive); err != nil {
		return catalog.Listing{}, catalogErr(err)
	}
	l, err := s.cat.List(ctx, sv.UUID, archive, dir, 5000)
	return l, catalogErr(err)
}

func catalogErr(err error) error {
	var pe *catalog.PrunedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case errors.Is(err, catalog.ErrNotIndexed), strings.Contains(err.Error(), "not in archive"), strings.Contains(err.Error(), "is a file"):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
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
func (s *Service) PreviewFile(ctx context.Context, ref, archive, path string) (Preview, error) {
	sv, e, err := s.archiveFile(ctx, ref, archive, path)
	if err != nil {
		return Preview{}, err
	}
	var buf limited
	buf.max = PreviewLimit
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	buf.full = cancel
	repo, err := s.readRepo(ctx, sv.UUID)
	if err != nil {
		return Preview{}, err
	}
	err = s.reader().ExtractStdout(rctx, repo, archive, e.Path, &buf)
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
func (s *Service) ArchiveFile(ctx context.Context, ref, archive, path string, w io.Writer) (catalog.Entry, error) {
	sv, e, err := s.archiveFile(ctx, ref, archive, path)
	if err != nil {
		return e, err
	}
	repo, err := s.readRepo(ctx, sv.UUID)
	if err != nil {
		return e, err
	}
	return e, s.reader().ExtractStdout(ctx, repo, archive, e.Path, w)
}

func (s *Service) archiveFile(ctx context.Context, ref, archive, path string) (store.Server, catalog.Entry, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return sv, catalog.Entry{}, err
	}
	if err := s.ensureIndexed(ctx, sv, archive); err != nil {
		return sv, catalog.Entry{}, catalogErr(err)
	}
	e, err := s.cat.Stat(ctx, sv.UUID, archive, path)
	if err != nil {
		return sv, e, catalogErr(err)
	}
	if e.Type != "-" {
		return sv, e, fmt.Errorf("%w: %s is not a regular file in archive %s", ErrInvalid, e.Path, archive)
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
func (s *Service) FindFiles(ctx context.Context, pattern, serverRef string, limit int) ([]catalog.Hit, error) {
	if err := s.needCatalog(); err != nil {
		return nil, err
	}
	uuid := ""
	if serverRef != "" {
		sv, err := s.Server(ctx, serverRef)
		if err != nil {
			return nil, err
		}
		uuid = sv.UUID
	}
	hits, err := s.cat.Find(ctx, pattern, uuid, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	names := map[string]string{}
	for i := range hits {
		u := hits[i].ServerUUID
		if _, ok := names[u]; !ok {
			if sv, err := s.st.ServerByUUID(ctx, u); err == nil {
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
func (s *Service) FileVersions(ctx context.Context, serverRef, path string) ([]catalog.Version, error) {
	if err := s.needCatalog(); err != nil {
		return nil, err
	}
	sv, err := s.Server(ctx, serverRef)
	if err != nil {
		return nil, err
	}
	return s.cat.Versions(ctx, sv.UUID, path)
}
