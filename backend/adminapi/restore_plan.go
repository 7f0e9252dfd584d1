package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/service"
)

// planRestore answers what a restore would do before it starts (borgdesk
// restore … --plan): the same request as POST /v1/restores, and nothing is
// queued.
var planRestore = newRoute(http.MethodPost, "/v1/restores/plan", func(ctx context.Context, s *service.Service, in service.RestoreRequest) (service.RestorePlan, error) {
	return s.PlanRestore(ctx, in)
})

// PlanRestore says what StartRestore would do for req: the files and bytes
// it restores and where each item lands on the target. It starts nothing.
func (c *Client) PlanRestore(ctx context.Context, req service.RestoreRequest) (service.RestorePlan, error) {
	return planRestore.Call(ctx, c, req)
}
