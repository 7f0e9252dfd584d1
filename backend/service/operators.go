package service

import (
	"context"
	"crypto/x509"
	"time"

	"borgdesk/backend/operators"
	"borgdesk/backend/store"
)

// The operators who reach the admin API over mutual TLS: one-line
// delegations to backend/operators.

// InviteOperator makes a one-time invite for name with role.
func (s *Service) InviteOperator(ctx context.Context, name string, role operators.Role, ttl time.Duration) (operators.Invite, error) {
	return s.operators.Invite(ctx, name, role, ttl)
}

// EnrollOperator spends an invite and signs the operator's CSR.
func (s *Service) EnrollOperator(ctx context.Context, req operators.EnrollRequest) (operators.EnrollResponse, error) {
	return s.operators.Enroll(ctx, req)
}

// RenewOperator signs a new certificate for the operator whose live
// certificate current is.
func (s *Service) RenewOperator(ctx context.Context, current *x509.Certificate, req operators.RenewRequest) (operators.EnrollResponse, error) {
	return s.operators.Renew(ctx, current, req)
}

// IdentifyOperator names the live operator a client certificate belongs to.
func (s *Service) IdentifyOperator(ctx context.Context, cert *x509.Certificate) (operators.Caller, error) {
	return s.operators.Identify(ctx, cert)
}

// ListOperators lists every operator, revoked ones included.
func (s *Service) ListOperators(ctx context.Context) ([]store.Operator, error) {
	return s.operators.List(ctx)
}

// RevokeOperator refuses an operator from now on and cuts their connections.
func (s *Service) RevokeOperator(ctx context.Context, name string) (store.Operator, error) {
	return s.operators.Revoke(ctx, name)
}

// SetOperatorRole changes an operator's role.
func (s *Service) SetOperatorRole(ctx context.Context, name string, role operators.Role) (store.Operator, error) {
	return s.operators.SetRole(ctx, name, role)
}

// RecordAudit writes an audit entry and announces it.
func (s *Service) RecordAudit(ctx context.Context, e store.AuditEntry) error {
	return s.operators.Record(ctx, e)
}

// Audit returns the newest audit entries, newest first.
func (s *Service) Audit(ctx context.Context, operator string, limit int) ([]store.AuditEntry, error) {
	return s.operators.Audit(ctx, operator, limit)
}
