package runner

import (
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
)

// The agent's edge of the wire: flx's results in agentapi's own types.
// The conversions are struct conversions, so a field added to either side
// stops the build here until the wire says what to do with it. A nil
// slice stays nil (it travels as null, as it always did).

func wireChanges(in []flx.Change) []agentapi.FlxChange {
	if in == nil {
		return nil
	}
	out := make([]agentapi.FlxChange, len(in))
	for i, c := range in {
		out[i] = agentapi.FlxChange(c)
	}
	return out
}

func wireDiff(in []flx.DiffEntry) []agentapi.FlxDiffEntry {
	if in == nil {
		return nil
	}
	out := make([]agentapi.FlxDiffEntry, len(in))
	for i, e := range in {
		out[i] = agentapi.FlxDiffEntry(e)
	}
	return out
}

func wireRedactions(in []flx.Redaction) []agentapi.FlxRedaction {
	if in == nil {
		return nil
	}
	out := make([]agentapi.FlxRedaction, len(in))
	for i, r := range in {
		out[i] = agentapi.FlxRedaction(r)
	}
	return out
}
