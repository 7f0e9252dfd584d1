// Package fault holds the errors every use case wraps, so that each front
// door (the admin API, the gateway, the window) maps them to one status and
// a caller tests them with errors.Is, whichever package raised them. It
// never grows a behaviour: only sentinel values live here.
package fault

import (
	"errors"

	"borgdesk/backend/store"
)

var (
	// ErrNotFound is returned when a named thing does not exist.
	ErrNotFound = store.ErrNotFound
	// ErrConflict is returned when a name is taken or a state forbids it.
	ErrConflict = store.ErrConflict
	// ErrInvalid is returned for input a use case refuses.
	ErrInvalid = errors.New("invalid input")
	// ErrUnavailable means something the request needs is not set up on
	// this coordinator.
	ErrUnavailable = errors.New("not available on this coordinator")
)
