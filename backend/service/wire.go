package service

import (
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// The coordinator's edge of the wire: agentapi has its own types, and
// these convert them to and from the domain's. They are struct
// conversions, so a field added to either side stops the build here until
// the wire says what to do with it.

// wireKeep is a job's retention as a task payload carries it.
func wireKeep(k borg.Keep) agentapi.Keep { return agentapi.Keep(k) }
