// Package fault holds the errors every use case wraps, so that each front
// door (the admin API, the gateway, the window) maps them to one status and
// a caller tests them with errors.Is, whichever package raised them, and
// the one rule for the names an operator gives things (CheckName). It never
// grows a behaviour beyond that: sentinel values and that rule live here.
package fault

import (
	"errors"
	"fmt"
	"regexp"

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

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// CheckName checks a name the operator gives a server or a job (what says
// which): 1 to 63 letters, digits, dots, dashes or underscores, starting
// with a letter or digit (ErrInvalid with that sentence otherwise).
func CheckName(what, name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("%w: %s name %q: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit", ErrInvalid, what, name)
	}
	return nil
}

// Refuse is a refusal said in one sentence of its own (no "already
// exists:" or "invalid input:" before it) that still matches kind with
// errors.Is: a state that forbids an action, such as a run in progress.
func Refuse(kind error, format string, args ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }
