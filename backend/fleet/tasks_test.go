package fleet

import (
	"encoding/json"
	"testing"
)

func TestTaskLabelSaysDryRun(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    string
	}{
		{`{"mode":"merge","dry_run":true}`, "flx-restore (dry run)"},
		{`{"mode":"merge"}`, "flx-restore"},
		{`not json`, "flx-restore"},
		{``, "flx-restore"},
	} {
		if got := TaskLabel("flx-restore", json.RawMessage(tc.payload)); got != tc.want {
			t.Errorf("TaskLabel(%s) = %q; want %q", tc.payload, got, tc.want)
		}
	}
}
