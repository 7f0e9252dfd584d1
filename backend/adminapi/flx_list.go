package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

var listFlx = newRoute(http.MethodGet, "/v1/servers/{ref}/flx", func(ctx context.Context, s *service.Service, in serverRef) ([]string, error) {
	return s.ListFlx(ctx, in.Ref)
})

// ListFlx lists the snapshots the coordinator keeps for a server (one-off
// and of its .flx jobs), newest first.
func (c *Client) ListFlx(ctx context.Context, server string) ([]string, error) {
	return listFlx.Call(ctx, c, serverRef{Ref: server})
}
