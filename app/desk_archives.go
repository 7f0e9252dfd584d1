package app

import "borgdesk/backend/service"

// DeleteArchive deletes one archive of a server (borg delete, then
// compact); confirm is the archive's name as the operator typed it.
func (d *Desk) DeleteArchive(server, archive, confirm string) (service.ArchiveDeleted, error) {
	return d.svc.DeleteArchive(d.context(), server, archive, confirm)
}

// KeepArchive keeps an archive forever (keep), or lets its job's
// retention apply to it again.
func (d *Desk) KeepArchive(server, archive string, keep bool) error {
	return d.svc.KeepArchive(d.context(), server, archive, keep)
}

// RenameArchive renames an archive and, or only, sets its comment.
func (d *Desk) RenameArchive(in service.ArchiveRename) (service.ArchiveRenamed, error) {
	return d.svc.RenameArchive(d.context(), in)
}
