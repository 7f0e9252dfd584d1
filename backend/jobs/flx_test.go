package jobs

import (
	"encoding/json"
	"strings"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestValidateFlxSpec(t *testing.T) {
	flx := func(f *agentapi.FlxSpec) agentapi.BackupSpec {
		return agentapi.BackupSpec{Kind: agentapi.KindFlx, Flx: f}
	}
	tests := []struct {
		name    string
		spec    agentapi.BackupSpec
		wantErr string // "" when valid
	}{
		{"flexpbx, .flxx, unsanitized", flx(&agentapi.FlxSpec{Profile: "flexpbx", Type: "flxx", KeepSecrets: true}), ""},
		{"etc, type by default", flx(&agentapi.FlxSpec{Profile: "etc"}), ""},
		{"no flx part", flx(nil), "names a profile (etc or flexpbx)"},
		{"unknown profile", flx(&agentapi.FlxSpec{Profile: "asterisk"}), `unknown .flx profile "asterisk" (etc or flexpbx)`},
		{"unknown type", flx(&agentapi.FlxSpec{Profile: "etc", Type: "zip"}), `.flx type "zip": flx or flxx`},
		{"paths belong to files jobs", agentapi.BackupSpec{Kind: agentapi.KindFlx, Flx: &agentapi.FlxSpec{Profile: "etc"}, Paths: []string{"/srv"}}, "leave out paths and hooks"},
		{"no hooks", agentapi.BackupSpec{Kind: agentapi.KindFlx, Flx: &agentapi.FlxSpec{Profile: "etc"}, Pre: [][]string{{"/bin/true"}}}, "leave out paths and hooks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSpec(tt.spec)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ValidateSpec = %v; want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("ValidateSpec = %v; want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

// TestFlxOutcome: a finished flx-backup task is its run's outcome, the
// snapshot as the coordinator named it being the run's "archive".
func TestFlxOutcome(t *testing.T) {
	res, _ := json.Marshal(agentapi.FlxBackupResult{Name: "web1-2026-12-07_03-00-00.flx.gz", Size: 4096, FileCount: 12,
		Redactions: []agentapi.FlxRedaction{{File: "etc/app.conf", Rule: "password", Count: 1}}, Stored: "/data/flx/servers/u/job-3/web1-2026-12-07_03-00-00-2.flx.gz"})
	o := flxOutcome(store.Task{Status: store.TaskSucceeded, Result: res})
	if o.Status != store.RunSucceeded || o.Archive != "web1-2026-12-07_03-00-00-2.flx.gz" || o.Bytes != 4096 || o.Files != 12 || !strings.Contains(o.Log, "1 secrets redacted") {
		t.Errorf("succeeded: %+v; want the stored name, its size and file count, the redactions in the log", o)
	}
	o = flxOutcome(store.Task{Status: store.TaskFailed, Error: "none of the flexpbx profile's paths exist on this server"})
	if o.Status != store.RunFailed || o.Archive != "" || !strings.Contains(o.Error, "flexpbx profile") {
		t.Errorf("failed: %+v; want the task's error and no archive", o)
	}
}
