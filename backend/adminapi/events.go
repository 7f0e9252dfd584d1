package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/events"
	"borgdesk/backend/service"
)

// The event history (borgdesk events with filters). The query travels as
// the body: it holds a list of kinds, which a query string cannot.
var queryEvents = newRoute(http.MethodPost, "/v1/events/query", func(ctx context.Context, s *service.Service, in events.Query) (events.Page, error) {
	return s.QueryEvents(ctx, in)
})

// QueryEvents returns one page of the events q selects, newest first.
func (c *Client) QueryEvents(ctx context.Context, q events.Query) (events.Page, error) {
	return queryEvents.Call(ctx, c, q)
}
