package adminapi

import (
	"context"
	"net/http"
	"net/url"

	"borgdesk/backend/service"
)

// tokenRoutes list and withdraw enrollment tokens (borgdesk token …);
// POST /v1/tokens, which issues one, is with the server routes.
func (s *Server) tokenRoutes() {
	s.mux.HandleFunc("GET /v1/tokens", s.handle(func(r *http.Request) (any, error) { return s.svc.ListEnrollmentTokens(r.Context()) }))
	s.mux.HandleFunc("DELETE /v1/tokens/{ref}", s.handle(func(r *http.Request) (any, error) {
		return s.svc.RevokeEnrollmentToken(r.Context(), r.PathValue("ref"))
	}))
}

// ListEnrollmentTokens lists every token issued, newest first, with its state.
func (c *Client) ListEnrollmentTokens(ctx context.Context) ([]service.EnrollmentToken, error) {
	var v []service.EnrollmentToken
	return v, c.do(ctx, http.MethodGet, "/v1/tokens", nil, &v)
}

// RevokeEnrollmentToken withdraws the unused tokens of a server name, or one by id.
func (c *Client) RevokeEnrollmentToken(ctx context.Context, ref string) ([]service.EnrollmentToken, error) {
	var v []service.EnrollmentToken
	return v, c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(ref), nil, &v)
}
