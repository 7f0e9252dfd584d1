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

func init() { cobra.AddTemplateFunc("commandTree", CommandTree) }

// ListAll makes root's help list the whole tree.
func ListAll(root *cobra.Command) { root.SetUsageTemplate(rootUsage) }

// CommandTree is every available command under root, one a line with its
// path and summary; a group's commands follow it, indented.
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
			name := strings.TrimPrefix(s.CommandPath(), root.CommandPath()+" ")
			p := strings.Repeat("  ", depth) + root.Name() + " " + name
			lines = append(lines, line{p, s.Short})
			width = max(width, len([]rune(p)))
			walk(s, depth+1)
		}
	}
	walk(root, 0)
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, l.path, l.short)
	}
	return strings.TrimRight(b.String(), "\n")
}
