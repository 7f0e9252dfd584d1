package adminapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"borgdesk/backend/operators"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// The operators who reach this API over mutual TLS, and the audit log of
// what they did: each route, then the client's call of it.

var whoAmI = newRoute(http.MethodGet, "/v1/operators/me", func(ctx context.Context, _ *service.Service, _ none) (operators.Caller, error) {
	return CallerFrom(ctx), nil
})

// WhoAmI says who the coordinator takes this client for, with its role.
func (c *Client) WhoAmI(ctx context.Context) (operators.Caller, error) {
	return whoAmI.Call(ctx, c, none{})
}

var renewOperator = newRoute(http.MethodPost, "/v1/operators/me/renew", func(ctx context.Context, s *service.Service, in operators.RenewRequest) (operators.EnrollResponse, error) {
	cert := peerCertificate(ctx)
	if cert == nil {
		return operators.EnrollResponse{}, fmt.Errorf("%w: only an operator connected over the network has a certificate to renew", service.ErrInvalid)
	}
	return s.RenewOperator(ctx, cert, in)
})

// RenewOperator asks for a new certificate for this operator's key.
func (c *Client) RenewOperator(ctx context.Context, csrPEM string) (operators.EnrollResponse, error) {
	return renewOperator.Call(ctx, c, operators.RenewRequest{CSR: csrPEM})
}

var listOperators = newRoute(http.MethodGet, "/v1/operators", func(ctx context.Context, s *service.Service, _ none) ([]store.Operator, error) {
	return s.ListOperators(ctx)
})

// ListOperators lists every operator, revoked ones included.
func (c *Client) ListOperators(ctx context.Context) ([]store.Operator, error) {
	return listOperators.Call(ctx, c, none{})
}

type inviteRequest struct {
	Name string         `json:"name"`
	Role operators.Role `json:"role"`
	TTL  string         `json:"ttl,omitempty"`
}

var inviteOperator = newRoute(http.MethodPost, "/v1/operators/invites", func(ctx context.Context, s *service.Service, in inviteRequest) (operators.Invite, error) {
	ttl, err := parseDuration(in.TTL, 0)
	if err != nil {
		return operators.Invite{}, err
	}
	return s.InviteOperator(ctx, in.Name, in.Role, ttl)
})

// InviteOperator makes a one-time invite for name with role (ttl 0: 24 hours).
func (c *Client) InviteOperator(ctx context.Context, name string, role operators.Role, ttl time.Duration) (operators.Invite, error) {
	in := inviteRequest{Name: name, Role: role}
	if ttl != 0 {
		in.TTL = ttl.String()
	}
	return inviteOperator.Call(ctx, c, in)
}

type operatorName struct {
	Name string `path:"name" json:"-"`
}

var revokeOperator = newRoute(http.MethodDelete, "/v1/operators/{name}", func(ctx context.Context, s *service.Service, in operatorName) (store.Operator, error) {
	return s.RevokeOperator(ctx, in.Name)
})

// RevokeOperator refuses an operator from now on and cuts their connections.
func (c *Client) RevokeOperator(ctx context.Context, name string) (store.Operator, error) {
	return revokeOperator.Call(ctx, c, operatorName{Name: name})
}

type roleRequest struct {
	Name string         `path:"name" json:"-"`
	Role operators.Role `json:"role"`
}

var setOperatorRole = newRoute(http.MethodPut, "/v1/operators/{name}/role", func(ctx context.Context, s *service.Service, in roleRequest) (store.Operator, error) {
	return s.SetOperatorRole(ctx, in.Name, in.Role)
})

// SetOperatorRole changes an operator's role.
func (c *Client) SetOperatorRole(ctx context.Context, name string, role operators.Role) (store.Operator, error) {
	return setOperatorRole.Call(ctx, c, roleRequest{Name: name, Role: role})
}

type auditRequest struct {
	Operator string `query:"operator" json:"-"`
	Limit    int    `query:"limit" json:"-"`
}

var listAudit = newRoute(http.MethodGet, "/v1/audit", func(ctx context.Context, s *service.Service, in auditRequest) ([]store.AuditEntry, error) {
	return s.Audit(ctx, in.Operator, in.Limit)
})

// Audit returns the newest audit entries (operator's only when not
// empty), newest first; limit 0 means 100.
func (c *Client) Audit(ctx context.Context, operator string, limit int) ([]store.AuditEntry, error) {
	return listAudit.Call(ctx, c, auditRequest{Operator: operator, Limit: limit})
}
