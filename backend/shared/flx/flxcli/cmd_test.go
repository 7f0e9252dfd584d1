package flxcli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"borgdesk/backend/shared/cmdtree"
)

// The flx tree and the three tool commands are complete: a summary and
// an example for each, usage text for each flag.
func TestCommandTreeIsComplete(t *testing.T) {
	roots := []*cobra.Command{NewCommand(Env{})}
	for name := range ToolNames {
		roots = append(roots, ToolCommand(name, Env{}))
	}
	for _, r := range roots {
		for _, err := range cmdtree.Check(r) {
			t.Error(err)
		}
	}
}

// The FlexPBX tools' options keep their long and short forms (issue 20).
func TestToolOptionsKeepBothForms(t *testing.T) {
	want := map[string]string{
		"backup":  "type:t output:o compress:c verbose:v include-data:d user:u",
		"restore": "mode:m user:u yes:y verbose:v",
		"migrate": "source:s backup-dir:b keep-backup:k yes:y verbose:v",
	}
	for cmd, pairs := range want {
		c, _, err := NewCommand(Env{}).Find([]string{cmd})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range strings.Fields(pairs) {
			long, short, _ := strings.Cut(p, ":")
			if f := c.Flags().Lookup(long); f == nil || f.Shorthand != short {
				t.Errorf("flx %s: --%s has shorthand %v; want -%s", cmd, long, f, short)
			}
		}
	}
}

// Usage mistakes exit 2 with a sentence that points at --help; help
// asked for exits 0.
func TestUsageExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "flx needs a command"},
		{[]string{"frob"}, 2, `unknown command "frob"`},
		{[]string{"verify"}, 2, "usage: flx verify FILE"},
		{[]string{"backup", "--nope"}, 2, "see `flx backup --help`"},
		{[]string{"backup", "-h"}, 0, "--include-data"},
		{[]string{"help", "restore"}, 0, "--rollback"},
	}
	for _, c := range cases {
		var out, errb strings.Builder
		code := Run(c.args, Env{Stdout: &out, Stderr: &errb})
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("flx %q: exit %d, %q %q; want %d and %q", c.args, code, out.String(), errb.String(), c.code, c.want)
		}
	}
}
