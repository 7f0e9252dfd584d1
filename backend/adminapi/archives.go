package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

// Deleting, keeping and renaming one archive (borgdesk archive
// delete|keep|unkeep|rename): each route, then the client's call of it.

// archiveRef names one archive of a server in the path.
type archiveRef struct {
	Ref     string `path:"ref" json:"-"`
	Archive string `path:"archive" json:"-"`
}

type deleteArchiveRequest struct {
	Ref     string `path:"ref" json:"-"`
	Archive string `path:"archive" json:"-"`
	// Confirm repeats the archive's name, as the operator typed it.
	Confirm string `query:"confirm" json:"-"`
}

var deleteArchive = newRoute(http.MethodDelete, "/v1/servers/{ref}/archives/{archive}", func(ctx context.Context, s *service.Service, in deleteArchiveRequest) (service.ArchiveDeleted, error) {
	return s.DeleteArchive(ctx, in.Ref, in.Archive, in.Confirm)
})

// DeleteArchive deletes one archive of a server; confirm repeats its name.
func (c *Client) DeleteArchive(ctx context.Context, server, archive, confirm string) (service.ArchiveDeleted, error) {
	return deleteArchive.Call(ctx, c, deleteArchiveRequest{Ref: server, Archive: archive, Confirm: confirm})
}

type keepArchiveRequest struct {
	Ref     string `path:"ref" json:"-"`
	Archive string `path:"archive" json:"-"`
	Keep    bool   `json:"keep"`
}

var keepArchive = newRoute(http.MethodPut, "/v1/servers/{ref}/archives/{archive}/keep", func(ctx context.Context, s *service.Service, in keepArchiveRequest) (none, error) {
	return none{}, s.KeepArchive(ctx, in.Ref, in.Archive, in.Keep)
})

// KeepArchive keeps an archive forever (keep), or lets its job's
// retention apply to it again.
func (c *Client) KeepArchive(ctx context.Context, server, archive string, keep bool) error {
	_, err := keepArchive.Call(ctx, c, keepArchiveRequest{Ref: server, Archive: archive, Keep: keep})
	return err
}

type renameArchiveRequest struct {
	Ref     string  `path:"ref" json:"-"`
	Archive string  `path:"archive" json:"-"`
	NewName string  `json:"new_name"`
	Comment *string `json:"comment,omitempty"`
}

var renameArchive = newRoute(http.MethodPost, "/v1/servers/{ref}/archives/{archive}/rename", func(ctx context.Context, s *service.Service, in renameArchiveRequest) (service.ArchiveRenamed, error) {
	return s.RenameArchive(ctx, service.ArchiveRename{Server: in.Ref, Archive: in.Archive, NewName: in.NewName, Comment: in.Comment})
})

// RenameArchive renames an archive (newName "" keeps its name) and, when
// comment is not nil, sets its comment.
func (c *Client) RenameArchive(ctx context.Context, server, archive, newName string, comment *string) (service.ArchiveRenamed, error) {
	return renameArchive.Call(ctx, c, renameArchiveRequest{Ref: server, Archive: archive, NewName: newName, Comment: comment})
}
