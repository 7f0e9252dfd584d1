package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"borgdesk/backend/shared/cmdtree"
)

// Every command of borgdesk has a one-line summary and an example, is
// reachable from the top-level help (or hidden with a reason), and every
// flag has usage text; the top-level help lists every visible command.
func TestCommandTreeIsComplete(t *testing.T) {
	var out bytes.Buffer
	tr := newTree(&globals{}, env0(nil, &out, &out))
	for _, err := range cmdtree.Check(tr.root) {
		t.Error(err)
	}
	r := runCLI(context.Background(), nil, "--help")
	n := 0
	cmdtree.Walk(tr.root, func(c *cobra.Command) {
		if c == tr.root || !c.IsAvailableCommand() {
			return
		}
		n++
		if !strings.Contains(r.stdout, c.CommandPath()+" ") {
			t.Errorf("borgdesk --help does not list %s", c.CommandPath())
		}
	})
	for word := range commands { // a body nobody reaches: its commandDocs line is missing
		if c, _, err := tr.root.Find([]string{word}); err != nil || c == tr.root {
			t.Errorf("commands[%q] has no command in the tree: add it to commandDocs", word)
		}
	}
	if n < 80 {
		t.Errorf("the tree has %d visible commands; want the 80 or so borgdesk has", n)
	}
}

// A body must declare its flags before it parses: a body that returned
// earlier would leave its command without flags, and the tree refuses it.
func TestBindLeafRefusesABodyThatDoesNotDeclare(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("bindLeaf took a body that never reached parse")
		}
	}()
	early := func(context.Context, *globals, []string, env) error { return usageError{"too early"} }
	bindLeaf(&cobra.Command{Use: "x"}, &globals{}, env{}, early, nil)
}

// The DESIGN.md CLI contract keeps its exit codes: help and the version
// exit 0, a mistake 2 with a sentence that says what to do; flags and
// positionals in any order; the FlexPBX tools' short and long options.
func TestExitCodesAndForms(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help", "server", "add"}, 0, "--accept-host-key"},
		{[]string{"server", "add", "--help"}, 0, "--hosts-file"},
		{[]string{"flx", "backup", "-h"}, 0, "-c, --compress"},
		{[]string{"flx", "restore", "--help"}, 0, "--server"},
		{[]string{"server"}, 2, "borgdesk server needs a command: server add, server list"},
		{[]string{"server", "lst"}, 2, "did you mean list?"},
		{[]string{"serve", "--lissten", ":1"}, 2, "unknown flag: --lissten; see `borgdesk serve --help`"},
		{[]string{"job", "run"}, 2, "usage: borgdesk job run JOB"},
		{[]string{"job", "list", "--limit", "x"}, 2, "unknown flag: --limit"},
		{[]string{"task", "list", "--limit", "x"}, 2, `invalid argument "x" for "--limit"`},
		{[]string{"flx", "verify"}, 2, "usage: borgdesk flx verify FILE"},
		{[]string{"flx", "restore", "--server", "web1", "--verbose", "x.flx"}, 2, "--verbose does not go with this form"},
		{[]string{"sevre"}, 2, "did you mean serve?"},
	}
	for _, c := range cases {
		r := runCLI(context.Background(), nil, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.want) {
			t.Errorf("borgdesk %q = exit %d\nstdout %s\nstderr %s\nwant %d and %q", c.args, r.code, r.stdout, r.stderr, c.code, c.want)
		}
	}
}
