package service

import "borgdesk/backend/fleet"

// Enrollment tokens and the one-line install link live in the fleet (its
// methods are the service's); these names stay for the callers.
type (
	// TokenInfo is a freshly created enrollment token.
	TokenInfo = fleet.TokenInfo
	// EnrollmentToken is an issued token as listed.
	EnrollmentToken = fleet.EnrollmentToken
)

// Enrollment token states, as listed.
const (
	TokenPending = fleet.TokenPending
	TokenExpired = fleet.TokenExpired
	TokenUsed    = fleet.TokenUsed
)

// ErrInstallLinkUsed means a one-line install link's script was already fetched.
var ErrInstallLinkUsed = fleet.ErrInstallLinkUsed
