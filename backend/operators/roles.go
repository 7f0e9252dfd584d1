package operators

import (
	"fmt"

	"borgdesk/backend/fault"
)

// Role is what an operator may do. Each role may do everything the roles
// below it may: admin ⊃ operator ⊃ viewer.
type Role string

// Roles.
const (
	// Admin may do everything: settings, the CA and enrollment, rollouts,
	// deletions, other operators.
	Admin Role = "admin"
	// Operator runs jobs, restores, browses, mounts, drills and restores
	// .flx snapshots; no settings, no CA, no rollout, no deletion.
	Operator Role = "operator"
	// Viewer reads: the fleet, jobs, runs, archives, events.
	Viewer Role = "viewer"
)

// Roles lists the roles, most powerful first.
var Roles = []Role{Admin, Operator, Viewer}

func (r Role) rank() int {
	switch r {
	case Admin:
		return 3
	case Operator:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// Check refuses a role that is not one of Roles.
func (r Role) Check() error {
	if r.rank() == 0 {
		return fmt.Errorf("%w: role %q: choose admin, operator or viewer", fault.ErrInvalid, string(r))
	}
	return nil
}

// Allows reports whether r may do what needs the role need.
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// can is what a role may do, for refusals.
func (r Role) can() string {
	switch r {
	case Admin:
		return "change settings, enrollment and the CA, roll agents out, delete, and manage operators"
	case Operator:
		return "run jobs, restore, browse, mount, run drills and restore .flx snapshots"
	}
	return "read"
}

// Refusal is the sentence a refused call gets: who, what they asked, the
// role it needs and what their own role allows.
func Refusal(c Caller, action string, need Role) string {
	return fmt.Sprintf("operator %s has the role %s, which may only %s; %s needs the role %s: ask an admin (borgdesk operator role %s %s)",
		c.Name, c.Role, c.Role.can(), action, need, c.Name, need)
}
