package flxcli

import (
	"slices"
	"testing"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/flx/flexpbxtest"
)

// TestFlexPBXFilesForTheAgent: what the agent's flx-backup task collects
// for the flexpbx profile (one-off or a .flx job's run) is the FlexPBX
// layout with the account's home files, the account found by itself.
func TestFlexPBXFilesForTheAgent(t *testing.T) {
	pbx := flexpbxtest.User(t)
	root, _ := flexpbxtest.Fixtures(t, pbx)
	var o flx.Options
	files, err := FlexPBXFiles(root, "", false, &o)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, f := range files {
		rels = append(rels, f.Rel)
	}
	for _, want := range []string{"public_html/api/login.php", "etc/asterisk/pjsip.conf"} {
		if !slices.Contains(rels, want) {
			t.Errorf("collected %v; want %s among them", rels, want)
		}
	}
	if o.Layout != flx.LayoutFlexPBX || o.Account != pbx.Username {
		t.Errorf("options: layout %q, account %q; want %q of %s", o.Layout, o.Account, flx.LayoutFlexPBX, pbx.Username)
	}
}
