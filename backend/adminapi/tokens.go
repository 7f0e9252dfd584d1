package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

// Enrollment tokens (borgdesk token …); POST /v1/tokens, which issues one,
// is with the fleet routes.

var listTokens = newRoute(http.MethodGet, "/v1/tokens", func(ctx context.Context, s *service.Service, _ none) ([]service.EnrollmentToken, error) {
	return s.ListEnrollmentTokens(ctx)
})

// ListEnrollmentTokens lists every token issued, newest first, with its state.
func (c *Client) ListEnrollmentTokens(ctx context.Context) ([]service.EnrollmentToken, error) {
	return listTokens.Call(ctx, c, none{})
}

type tokenRef struct {
	Ref string `path:"ref" json:"-"`
}

var revokeToken = newRoute(http.MethodDelete, "/v1/tokens/{ref}", func(ctx context.Context, s *service.Service, in tokenRef) ([]service.EnrollmentToken, error) {
	return s.RevokeEnrollmentToken(ctx, in.Ref)
})

// RevokeEnrollmentToken withdraws the unused tokens of a server name, or one by id.
func (c *Client) RevokeEnrollmentToken(ctx context.Context, ref string) ([]service.EnrollmentToken, error) {
	return revokeToken.Call(ctx, c, tokenRef{ref})
}
