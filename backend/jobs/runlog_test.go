package jobs

import (
	"strings"
	"testing"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

func TestBackupLogSaysWhatBorgReported(t *testing.T) {
	res := agentapi.BackupResult{Archive: "etc@2026-11-22T03.00.00Z", ArchiveID: "0123456789abcdef0123", Files: 1234,
		Bytes: 1502122360, Compressed: 800 << 20, Deduplicated: 12 << 20, DurationSec: 83.4, Verified: true,
		Log: "03:00:01 pre hook /usr/local/bin/dump ok\n"}
	tests := []struct {
		name     string
		res      agentapi.BackupResult
		status   string
		warnings string
		err      string
		want     []string
		not      []string
	}{
		{"succeeded: stats in units", res, store.RunSucceeded, "", "",
			[]string{"pre hook", "== borg create ==", "etc@2026-11-22T03.00.00Z 0123456789abcdef…", "1234", "1.4 GiB", "800 MiB", "12 MiB", "1m23s", "verified"},
			[]string{"== error ==", "== warnings =="}},
		{"warning: the warnings in full", res, store.RunWarning, "/srv/a: file changed while we backed it up\n/srv/b: permission denied", "",
			[]string{"== borg create ==", "== warnings ==", "/srv/a: file changed", "/srv/b: permission denied"}, []string{"== error =="}},
		{"failed: the full error, no archive", agentapi.BackupResult{Log: "03:00:01 connecting\n"}, store.RunFailed, "",
			"borg create failed (exit 2); borg said: Remote: ssh: connect to host\nConnection closed by remote host",
			[]string{"connecting", "== error ==", "Remote: ssh: connect to host\nConnection closed by remote host"}, []string{"== borg create =="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RunLog(tt.res, tt.status, tt.warnings, tt.err)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("log lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("log has %q:\n%s", w, got)
				}
			}
		})
	}
}
