package events

import (
	"encoding/json"
)

// Severities, mildest first.
const (
	Info    = "info"
	Warning = "warning"
	Error   = "error"
)

// severities is the one table of how bad each kind of event is: a kind's
// default, and for the kinds whose data carries a status, the statuses that
// make it worse. A kind not listed is info.
var severities = map[string]struct {
	base     string
	byStatus map[string]string
}{
	Notification:    {base: Warning},
	RunProgress:     {base: Info, byStatus: map[string]string{"failed": Error, "warning": Warning, "cancelled": Warning}},
	TaskChanged:     {base: Info, byStatus: map[string]string{"failed": Error, "cancelled": Warning}},
	DrillChanged:    {base: Info, byStatus: map[string]string{"failed": Error}},
	ServerChanged:   {base: Info, byStatus: map[string]string{"offline": Warning, "revoked": Warning}},
	ReplicaChanged:  {base: Info, byStatus: map[string]string{"failing": Error, "behind": Warning}},
	JobChanged:      {base: Info},
	SettingsChanged: {base: Info},
	Audit:           {base: Info, byStatus: map[string]string{"refused": Warning, "failed": Warning}},
}

// Severity says how bad an event of this kind and status is: info, warning
// or error.
func Severity(kind, status string) string {
	s, ok := severities[kind]
	if !ok {
		return Info
	}
	if sev, ok := s.byStatus[status]; ok {
		return sev
	}
	return s.base
}

// AtLeast returns the severities as bad as min or worse; nil for "" (all).
func AtLeast(min string) ([]string, bool) {
	switch min {
	case "":
		return nil, true
	case Info:
		return []string{Info, Warning, Error}, true
	case Warning:
		return []string{Warning, Error}, true
	case Error:
		return []string{Error}, true
	}
	return nil, false
}

// statusOf reads the "status" of an event's data (a replica's "state"),
// "" when it has none. store.UnclassifiedEvents reads it the same way.
func statusOf(data []byte) string {
	var d struct {
		Status any `json:"status"`
		State  any `json:"state"`
	}
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	if s, ok := d.Status.(string); ok {
		return s
	}
	s, _ := d.State.(string)
	return s
}
