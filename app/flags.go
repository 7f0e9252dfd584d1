package app

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags returns a flag set for a subcommand that also knows the globals.
func newFlags(name string, g *globals, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	g.register(fs)
	return fs
}

// parse parses args with flags and positionals in any order and checks the
// number of positionals.
func parse(fs *flag.FlagSet, args []string, minPos, maxPos int, posUsage string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) < minPos || len(pos) > maxPos {
		return nil, usageError{fmt.Sprintf("usage: borgdesk %s %s", fs.Name(), strings.TrimSpace(posUsage))}
	}
	return pos, nil
}
