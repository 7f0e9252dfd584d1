package main

import (
	"strings"
	"testing"

	"borgdesk/backend/shared/cmdtree"
)

// Every command of borgdesk-agent has a summary and an example and is
// reachable from the help; every flag has usage text.
func TestCommandTreeIsComplete(t *testing.T) {
	var code int
	root := newRoot(nil, nil, nil, &code)
	for _, err := range cmdtree.Check(root) {
		t.Error(err)
	}
	if _, _, err := root.Find([]string{"flx", "restore"}); err != nil {
		t.Errorf("flx restore is not in the tree: %v", err)
	}
}

// Help and the version exit 0 on stdout; a usage mistake exits 2 with a
// sentence that points at --help.
func TestHelpVersionAndUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "selfcheck"},
		{[]string{"help", "enroll"}, 0, "--token-file"},
		{[]string{"--version"}, 0, "borgdesk-agent "},
		{[]string{"flx", "backup", "-h"}, 0, "--include-data"},
		{nil, 2, "borgdesk-agent needs a command: enroll, run"},
		{[]string{"run", "extra"}, 2, "see `borgdesk-agent run --help`"},
		{[]string{"enroll", "--tokn", "x"}, 2, "unknown flag: --tokn"},
	}
	for _, c := range cases {
		var out, errb strings.Builder
		code := run(t.Context(), c.args, nil, &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("borgdesk-agent %q: exit %d, %q %q; want %d and %q", c.args, code, out.String(), errb.String(), c.code, c.want)
		}
	}
}
