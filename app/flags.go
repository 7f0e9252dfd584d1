package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A command's body (cmdX) declares its flags on a cmdline and then parses.
// The body runs twice: once while the command tree is built (declaring),
// when parse hands the flags and the positionals' names to the command's
// cobra.Command and stops the body with errDeclared; and once when the
// command runs, when parse takes the values cobra parsed into those flags
// and the positionals cobra left. So help, completions, man pages and
// what the body accepts come from the same lines.

// leaf is the cobra command a body runs under (env.leaf).
type leaf struct {
	cmd       *cobra.Command
	declaring bool
}

// errDeclared ends a body that ran to declare its flags.
var errDeclared = errors.New("flags declared")

// newFlags returns a body's own flag set (see cmdline).
func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// declare copies fs's flags onto the leaf's command, each behind a
// flagRecorder that keeps the values given, and writes the positionals into
// its use line.
func (l *leaf) declare(fs *pflag.FlagSet, posUsage string) {
	name, _, _ := strings.Cut(l.cmd.Use, " ")
	operands, _, _ := strings.Cut(posUsage, "  (") // a note after two spaces stays in the usage error
	l.cmd.Use = strings.TrimSpace(name + " " + strings.TrimSpace(operands))
	fs.VisitAll(func(f *pflag.Flag) {
		c := *f
		c.Value = &flagRecorder{Value: f.Value}
		l.cmd.Flags().AddFlag(&c)
	})
}

// replay sets fs's flags to what was given on the command line: the
// values the leaf's recorders kept (or the flag's value when it has no
// flagRecorder, as in flx's own tree). A flag given that fs does not declare
// is a usage error: the command does not take it this way.
func (l *leaf) replay(fs *pflag.FlagSet) error {
	var err error
	l.cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Changed || err != nil || l.cmd.InheritedFlags().Lookup(f.Name) != nil {
			return
		}
		vals := []string{f.Value.String()}
		if r, ok := f.Value.(*flagRecorder); ok {
			vals = r.given
		}
		if fs.Lookup(f.Name) == nil {
			err = usageError{fmt.Sprintf("%s: --%s does not go with this form of the command; see `%s --help`", l.cmd.CommandPath(), f.Name, l.cmd.CommandPath())}
			return
		}
		for _, v := range vals {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError{fmt.Sprintf("%s: --%s %s: %v", l.cmd.CommandPath(), f.Name, v, serr)}
				return
			}
		}
	})
	return err
}

// flagRecorder is a flag as the tree declares it: the body's own Value (so
// its type, default and checks show), and every value given, for replay.
type flagRecorder struct {
	pflag.Value
	given []string
}

func (r *flagRecorder) Set(v string) error {
	if err := r.Value.Set(v); err != nil {
		return err
	}
	r.given = append(r.given, v)
	return nil
}

// parse takes the positionals and checks their number (flags and
// positionals come in any order; cobra has sorted them).
func parse(l *leaf, name string, fs *pflag.FlagSet, args []string, minPos, maxPos int, posUsage string) ([]string, error) {
	if l == nil {
		return nil, fmt.Errorf("borgdesk %s: run outside the command tree", name)
	}
	if l.declaring {
		l.declare(fs, posUsage)
		return nil, errDeclared
	}
	if err := l.replay(fs); err != nil {
		return nil, err
	}
	if len(args) < minPos || len(args) > maxPos {
		return nil, usageError{fmt.Sprintf("usage: borgdesk %s %s; see `borgdesk %s --help`", name, strings.TrimSpace(posUsage), name)}
	}
	return args, nil
}
