package app

import (
	"github.com/spf13/pflag"

	"borgdesk/backend/adminapi"
)

// cmdline is what every subcommand starts with, written once: its flags
// (--json for the commands that print data), the positionals once
// parsed, the admin-socket client, and the choice between JSON and text
// for the answer. The global flags (--data, --socket) are the root
// command's; flags.go says how a body's flags reach the command tree.
//
// A command reads: cl := newCmdline(…); its own flags on cl; c, err :=
// cl.open(args, …); v, err := c.Method(ctx, …); return cl.print(v, err,
// text). Nothing but flag declarations may come before cl.parse (the
// tree runs the body up to there to learn its flags). Checks of the
// arguments that need no coordinator go between cl.parse and cl.client,
// so a mistake is said before anything is asked.
type cmdline struct {
	*pflag.FlagSet
	name   string
	g      *globals
	e      env
	asJSON *bool // nil: the command has no --json
	pos    []string
}

// newCmdline starts a subcommand's flags. jsonUsage, when not empty, adds
// --json with that usage line ("print JSON" for most).
func newCmdline(name string, g *globals, e env, jsonUsage string) *cmdline {
	cl := &cmdline{FlagSet: newFlags(name), name: name, g: g, e: e}
	if jsonUsage != "" {
		cl.asJSON = cl.Bool("json", false, jsonUsage)
	}
	return cl
}

// parse parses args (flags and positionals in any order) and checks the
// number of positionals, which it keeps in cl.pos.
func (cl *cmdline) parse(args []string, minPos, maxPos int, posUsage string) error {
	pos, err := parse(cl.e.leaf, cl.name, cl.FlagSet, args, minPos, maxPos, posUsage)
	cl.pos = pos
	return err
}

// client opens the admin-socket client the globals name.
func (cl *cmdline) client() (*adminapi.Client, error) { return client(cl.g, cl.e) }

// open is parse, then client.
func (cl *cmdline) open(args []string, minPos, maxPos int, posUsage string) (*adminapi.Client, error) {
	if err := cl.parse(args, minPos, maxPos, posUsage); err != nil {
		return nil, err
	}
	return cl.client()
}

// json reports whether --json was given.
func (cl *cmdline) json() bool { return cl.asJSON != nil && *cl.asJSON }

// print ends a call: its error as it is; else v as indented JSON with
// --json; else text, which writes it for people.
func (cl *cmdline) print(v any, err error, text func() error) error {
	if err != nil {
		return err
	}
	if cl.json() {
		return printJSON(cl.e.stdout, v)
	}
	return text()
}
