package cmdtree

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// rootUsage is the top-level help: the whole tree, every command a line
// with its summary, instead of cobra's first level only, so a reader of
// `--help` sees every command (issue 21).
const rootUsage = `Usage:
  {{.UseLine}}
  {{.CommandPath}} COMMAND [flags]{{if .HasExample}}

Examples:
{{.Example}}{{end}}

Commands:
{{commandTree .}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}

"{{.CommandPath}} help COMMAND…" or "{{.CommandPath}} COMMAND… --help" says more about a command.
`

// useColumn is the widest use line the summaries stand beside.
const useColumn = 52

func init() { cobra.AddTemplateFunc("commandTree", CommandTree) }

// ListAll makes root's help list the whole tree; the commands under it
// keep cobra's usage (they inherit the template, hence the condition).
func ListAll(root *cobra.Command) {
	root.SetUsageTemplate("{{if .HasParent}}" + root.UsageTemplate() + "{{else}}" + rootUsage + "{{end}}")
}

// CommandTree is every available command under root, one a line with its
// path, operands and summary (the summary on a line of its own when the
// use is long); a group's commands follow it, indented.
func CommandTree(root *cobra.Command) string {
	type line struct{ path, short string }
	var lines []line
	width := 0
	var walk func(c *cobra.Command, depth int)
	walk = func(c *cobra.Command, depth int) {
		for _, s := range c.Commands() {
			if !s.IsAvailableCommand() && s.Name() != "help" {
				continue
			}
			use := root.Name() + " " + strings.TrimPrefix(s.Parent().CommandPath()+" ", root.CommandPath()+" ") + s.Use
			p := strings.Repeat("  ", depth) + use
			lines = append(lines, line{p, s.Short})
			if n := len([]rune(p)); n <= useColumn {
				width = max(width, n)
			}
			walk(s, depth+1)
		}
	}
	walk(root, 0)
	var b strings.Builder
	for _, l := range lines {
		if len([]rune(l.path)) > width {
			fmt.Fprintf(&b, "  %s\n  %-*s  %s\n", l.path, width, "", l.short)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, l.path, l.short)
	}
	return strings.TrimRight(b.String(), "\n")
}
