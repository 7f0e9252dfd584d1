package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

type digestRequest struct {
	Weekly bool `json:"weekly"`
	Send   bool `json:"send"`
}

var digestNow = newRoute(http.MethodPost, "/v1/mail/digest", func(ctx context.Context, s *service.Service, in digestRequest) (service.Digest, error) {
	return s.DigestNow(ctx, in.Weekly, in.Send)
})

// DigestNow shows (send false) or queues the digest of the last day or week.
func (c *Client) DigestNow(ctx context.Context, weekly, send bool) (service.Digest, error) {
	return digestNow.Call(ctx, c, digestRequest{Weekly: weekly, Send: send})
}
