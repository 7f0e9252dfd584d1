package app

import "borgdesk/backend/service"

// ListEnrollmentTokens lists the enrollment tokens issued, newest first,
// each pending, expired or used.
func (d *Desk) ListEnrollmentTokens() ([]service.EnrollmentToken, error) {
	return d.svc.ListEnrollmentTokens(d.context())
}

// RevokeEnrollmentToken withdraws the unused tokens of a server name, or
// one by its id, so no server can enroll with them.
func (d *Desk) RevokeEnrollmentToken(ref string) ([]service.EnrollmentToken, error) {
	return d.svc.RevokeEnrollmentToken(d.context(), ref)
}
