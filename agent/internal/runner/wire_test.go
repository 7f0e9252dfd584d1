package runner

import (
	"encoding/json"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/flx"
)

// The struct conversions keep the fields; this keeps the JSON names: a
// domain type's value and its wire form encode the same, so the agent's
// answers read as they did when agentapi carried flx's types.
func TestWireFormsEncodeLikeTheDomainTypes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		domain, wire any
	}{
		{"change", []flx.Change{{Path: "etc/a", Action: flx.ActOverwrite, Size: 3}}, wireChanges([]flx.Change{{Path: "etc/a", Action: flx.ActOverwrite, Size: 3}})},
		{"diff", []flx.DiffEntry{{Path: "etc/a", Status: "changed"}}, wireDiff([]flx.DiffEntry{{Path: "etc/a", Status: "changed"}})},
		{"redaction", []flx.Redaction{{File: "etc/a", Rule: "password", Count: 2}}, wireRedactions([]flx.Redaction{{File: "etc/a", Rule: "password", Count: 2}})},
		{"keep", borg.Keep{Within: "2d", Daily: 1, Weekly: 2, Monthly: 3, Yearly: 4}, agentapi.Keep(borg.Keep{Within: "2d", Daily: 1, Weekly: 2, Monthly: 3, Yearly: 4})},
		{"nil changes", []flx.Change(nil), wireChanges(nil)},
		{"nil diff", []flx.DiffEntry(nil), wireDiff(nil)},
		{"nil redactions", []flx.Redaction(nil), wireRedactions(nil)},
	} {
		d, _ := json.Marshal(tc.domain)
		w, _ := json.Marshal(tc.wire)
		if string(d) != string(w) {
			t.Errorf("%s: wire form encodes as %s; the domain type as %s", tc.name, w, d)
		}
	}
}
