package adminapi

import (
	"errors"
	"net/http"

	"borgdesk/backend/service"
)

// Stable error codes on the wire. Clients map them back to the service's
// sentinel errors, so errors.Is works on both sides of the socket.
const (
	CodeNotFound = "not_found"
	CodeInvalid  = "invalid"
	CodeConflict = "conflict"
	CodeInternal = "internal"
	// CodeForbidden: the caller's role does not allow the call.
	CodeForbidden = "forbidden"
	// CodeUnauthenticated: the operator listener got no operator certificate.
	CodeUnauthenticated = "unauthenticated"
)

var codes = []struct {
	code   string
	status int
	err    error
}{
	{CodeNotFound, http.StatusNotFound, service.ErrNotFound},
	{CodeInvalid, http.StatusBadRequest, service.ErrInvalid},
	{CodeConflict, http.StatusConflict, service.ErrConflict},
	{"prune_held", http.StatusConflict, service.ErrPruneHeld},
	{"host_key_unconfirmed", http.StatusConflict, service.ErrHostKeyUnconfirmed},
	{"unavailable", http.StatusServiceUnavailable, service.ErrUnavailable},
	{CodeForbidden, http.StatusForbidden, ErrForbidden},
	{CodeUnauthenticated, http.StatusUnauthorized, ErrUnauthenticated},
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func codeOf(err error) (string, int) {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code, c.status
		}
	}
	return CodeInternal, http.StatusInternalServerError
}

// RemoteError is an error the coordinator returned.
type RemoteError struct {
	Code    string
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// Unwrap maps the wire code back to a service sentinel.
func (e *RemoteError) Unwrap() error {
	for _, c := range codes {
		if c.code == e.Code {
			return c.err
		}
	}
	return nil
}
