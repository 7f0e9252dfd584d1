package service

import (
	"context"
	"fmt"
	"io"
	"time"

	"borgdesk/backend/archives"
	"borgdesk/backend/catalog"
	"borgdesk/backend/mounts"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// What the operator reads out of the repositories (archives, the file
// catalog, previews and downloads, mounts) and their upkeep (retention,
// checks) is the archives room (backend/archives); these are its use cases
// as the service's. Restores and drills read the catalog through
// ensureIndexed, catalogErr and reader below.

// ErrPruneHeld means a prune was held back to protect archives.
var ErrPruneHeld = archives.ErrPruneHeld

// The answers the window binds are the rooms' own types under the
// service's names (aliases: the Wails models carry the room's namespace).

// ArchiveInfo is one archive of a server's repository.
type ArchiveInfo = archives.ArchiveInfo

// PruneReport is what a prune did.
type PruneReport = archives.PruneReport

// Preview is the beginning of a file of an archive.
type Preview = archives.Preview

// PreviewLimit is how much of a file a preview shows.
const PreviewLimit = archives.PreviewLimit

// ListArchives lists a server's archives from the coordinator's own copy of
// its repository, oldest first.
func (s *Service) ListArchives(ctx context.Context, ref string) ([]ArchiveInfo, error) {
	return s.archives.ListArchives(ctx, ref)
}

// Prune applies a job's retention on the coordinator's own copy of the
// repository; see archives.Archives.Prune.
func (s *Service) Prune(ctx context.Context, jobRef string) (PruneReport, error) {
	return s.archives.Prune(ctx, jobRef)
}

// applyRetention prunes after a backup when the job keeps a retention policy.
func (s *Service) applyRetention(ctx context.Context, j store.Job) { s.archives.ApplyRetention(ctx, j) }

// Check runs borg check on a server's repository (and --verify-data when asked).
func (s *Service) Check(ctx context.Context, ref string, verifyData bool) error {
	return s.archives.Check(ctx, ref, verifyData)
}

// IndexServer brings the catalog up to date with a server's repository and
// returns how many archives it indexed.
func (s *Service) IndexServer(ctx context.Context, uuid string) (int, error) {
	return s.archives.IndexServer(ctx, uuid)
}

// RunCatalog indexes every server's archives at start-up, then every hour.
func (s *Service) RunCatalog(ctx context.Context) error { return s.archives.RunCatalog(ctx) }

// BrowseArchive lists one folder of an archive ("" is its root) from the catalog.
func (s *Service) BrowseArchive(ctx context.Context, ref, archive, dir string) (catalog.Listing, error) {
	return s.archives.BrowseArchive(ctx, ref, archive, dir)
}

// PreviewFile reads the first 64 KiB of a file of an archive.
func (s *Service) PreviewFile(ctx context.Context, ref, archive, path string) (Preview, error) {
	return s.archives.PreviewFile(ctx, ref, archive, path)
}

// ArchiveFile writes a whole file of an archive to w (downloads, the CLI).
func (s *Service) ArchiveFile(ctx context.Context, ref, archive, path string, w io.Writer) (catalog.Entry, error) {
	return s.archives.ArchiveFile(ctx, ref, archive, path, w)
}

// FindFiles searches the catalog of every server (or one).
func (s *Service) FindFiles(ctx context.Context, pattern, serverRef string, limit int) ([]catalog.Hit, error) {
	hits, err := s.archives.FindFiles(ctx, pattern, serverRef, limit)
	s.snapshots.Locate(hits) // where the snapshots found are kept
	return hits, err
}

// FileVersions lists every version of one path of a server.
func (s *Service) FileVersions(ctx context.Context, serverRef, path string) ([]catalog.Version, error) {
	return s.archives.FileVersions(ctx, serverRef, path)
}

// Mount mounts an archive of a server (the whole repository when archive
// is empty) read-only from the coordinator's own copy.
func (s *Service) Mount(ctx context.Context, ref, archive, dir string) (mounts.Mount, error) {
	return s.archives.Mount(ctx, ref, archive, dir)
}

// MountFlx mounts a .flx/.flxx snapshot read-only.
func (s *Service) MountFlx(ctx context.Context, path, dir string) (mounts.Mount, error) {
	return s.archives.MountFlx(ctx, path, dir)
}

// Unmount unmounts a Borgdesk mount.
func (s *Service) Unmount(ctx context.Context, dir string) error { return s.archives.Unmount(ctx, dir) }

// ListMounts lists the live mounts.
func (s *Service) ListMounts() []mounts.Mount { return s.archives.ListMounts() }

// ensureIndexed indexes a server's archive now if the catalog lacks it
// (restores and drills read the catalog too).
func (s *Service) ensureIndexed(ctx context.Context, sv store.Server, archive string) error {
	return s.archives.EnsureIndexed(ctx, sv, archive)
}

// catalogErr says what a catalog error is to the caller.
func catalogErr(err error) error { return archives.CatalogErr(err) }

func (s *Service) needCatalog() error {
	if s.cat == nil || s.repos == nil {
		return fmt.Errorf("%w: this coordinator keeps no file catalog", ErrUnavailable)
	}
	return nil
}

// reader is borg for reading the coordinator's repositories without their
// lock, so reading goes on while an agent writes a backup.
func (s *Service) reader() *borg.Borg { return s.repos.Borg.Reader() }

// jobOf is a server's job by its name.
func (s *Service) jobOf(ctx context.Context, uuid, jobName string) (store.Job, error) {
	sv, err := s.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return store.Job{}, err
	}
	return s.st.FindJob(ctx, sv.Name+"/"+jobName)
}

// archivesEnv is what the archives room asks of the service.
type archivesEnv struct{ s *Service }

func (e archivesEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.s.Server(ctx, ref)
}

func (e archivesEnv) Locate(ctx context.Context, uuid string) (archives.Location, error) {
	loc, err := e.s.location(ctx, uuid)
	return archives.Location{Target: loc.Target, Read: loc.Read}, err
}

func (e archivesEnv) PruneOnNode(ctx context.Context, t store.Target, uuid string, keep borg.Keep, prefix string, known []string) (archives.NodePrune, error) {
	r, err := e.s.nodeRepoOp(ctx, t, agentapi.StorageRepoPayload{Op: agentapi.RepoPrune, Server: uuid, Keep: wireKeep(keep),
		Prefix: prefix, Known: known}, 2*time.Hour)
	return archives.NodePrune{Kept: r.Kept, Pruned: r.Pruned, Missing: r.Missing}, err
}
