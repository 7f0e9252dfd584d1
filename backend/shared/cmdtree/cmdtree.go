// Package cmdtree holds what borgdesk's and borgdesk-agent's command trees
// (spf13/cobra) share: usage errors with exit code 2, groups that say which
// command they need, the check a test runs over a whole tree, and the man
// pages and shell completions generated from it.
//
// It must never hold a command of its own: the trees live with their
// binaries (app, agent, flxcli), so help, completions and man pages cannot
// drift from what the programs accept.
package cmdtree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of both binaries (DESIGN.md, CLI).
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// HiddenWhy is the annotation a hidden command carries: why it is left out
// of the help (Check fails a hidden command without it).
const HiddenWhy = "hidden-why"

// UsageError is a mistake on the command line (exit code 2). Its message
// says what to do.
type UsageError struct{ Msg string }

func (u *UsageError) Error() string { return u.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// IsUsage reports whether err is a usage error.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// Prepare sets what every tree needs once it is built: errors are returned
// (the binary prints them its own way, once), flag mistakes become usage
// errors that point at --help, and every command without its own Run
// (a group) says which subcommand it needs.
func Prepare(root *cobra.Command) {
	cobra.EnableCommandSorting = false // the order the tree was written in: the first steps first
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return Usagef("%v; see `%s --help`", err, c.CommandPath())
	})
	Walk(root, func(c *cobra.Command) {
		c.SuggestionsMinimumDistance = 2
		if c.Run == nil && c.RunE == nil && c.HasSubCommands() {
			c.Args = cobra.ArbitraryArgs
			c.RunE = groupRun
		}
	})
}

// groupRun answers a group given no subcommand, or an unknown one.
func groupRun(c *cobra.Command, args []string) error {
	var names []string
	prefix := c.Name() + " " // "use token create, token list or token revoke"
	if !c.HasParent() {
		prefix = ""
	}
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, prefix+s.Name())
		}
	}
	list := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	if len(args) == 0 {
		return Usagef("%s needs a command: %s; see `%s --help`", c.CommandPath(), list, c.CommandPath())
	}
	hint := ""
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
	}
	return Usagef("unknown command %q for %s%s: use %s; see `%s --help`", args[0], c.CommandPath(), hint, list, c.CommandPath())
}

// Execute runs root with args, its output on stdout and stderr, and
// returns the command that ran and its error. Help asked for is not an
// error.
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) (*cobra.Command, error) {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContextC(ctx)
}

// Code is the exit code for err.
func Code(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case IsUsage(err):
		return ExitUsage
	}
	return ExitError
}

// Walk calls fn on c and every command under it, hidden ones too.
func Walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, s := range c.Commands() {
		Walk(s, fn)
	}
}

// Positional returns an Args check for between min and max positionals
// (max < 0: no limit) whose error shows the command's use line.
func Positional(min, max int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min || (max >= 0 && len(args) > max) {
			return Usagef("usage: %s; see `%s --help`", c.UseLine(), c.CommandPath())
		}
		return nil
	}
}
