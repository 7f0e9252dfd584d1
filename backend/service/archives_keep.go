package service

import (
	"context"

	"borgdesk/backend/archives"
)

// Deleting, keeping and renaming one archive are the archives room's
// (backend/archives: manage.go); these are its use cases as the service's,
// with the answers the window binds under the service's names.

// ArchiveDeleted is what deleting an archive did.
type ArchiveDeleted archives.Deleted

// ArchiveRename renames an archive and, or only, sets its comment.
type ArchiveRename archives.RenameInput

// ArchiveRenamed is what a rename did.
type ArchiveRenamed archives.Renamed

// DeleteArchive deletes one archive from the coordinator's own copy of a
// server's repository, then compacts it; confirm must repeat its name.
func (s *Service) DeleteArchive(ctx context.Context, ref, archive, confirm string) (ArchiveDeleted, error) {
	d, err := s.archives.DeleteArchive(ctx, ref, archive, confirm)
	return ArchiveDeleted(d), err
}

// KeepArchive marks an archive so that no prune removes it (keep), or
// lets its job's retention apply to it again.
func (s *Service) KeepArchive(ctx context.Context, ref, archive string, keep bool) error {
	return s.archives.KeepForever(ctx, ref, archive, keep)
}

// RenameArchive renames an archive and, or only, sets its comment.
func (s *Service) RenameArchive(ctx context.Context, in ArchiveRename) (ArchiveRenamed, error) {
	r, err := s.archives.RenameArchive(ctx, archives.RenameInput(in))
	return ArchiveRenamed(r), err
}
