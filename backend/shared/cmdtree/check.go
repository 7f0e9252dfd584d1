package cmdtree

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Check walks root and returns what a reader of the help would miss: a
// command without a one-line Short or an Example, a hidden command whose
// HiddenWhy annotation does not say why, a command under a hidden parent,
// a flag without usage text. Tests call it on each tree.
func Check(root *cobra.Command) []error {
	var errs []error
	bad := func(c *cobra.Command, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", c.CommandPath(), fmt.Sprintf(format, args...)))
	}
	Walk(root, func(c *cobra.Command) {
		switch short := strings.TrimSpace(c.Short); {
		case short == "":
			bad(c, "no Short (a one-line summary)")
		case strings.Contains(short, "\n"):
			bad(c, "Short %q is more than one line", short)
		}
		if strings.TrimSpace(c.Example) == "" {
			bad(c, "no Example")
		}
		if c.Hidden && strings.TrimSpace(c.Annotations[HiddenWhy]) == "" {
			bad(c, "hidden without a %s annotation that says why", HiddenWhy)
		}
		if p := c.Parent(); p != nil && p.Hidden && !c.Hidden {
			bad(c, "visible under the hidden %s: the help never reaches it", p.CommandPath())
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) { checkFlag(c, f, bad) })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { checkFlag(c, f, bad) })
	})
	return errs
}

func checkFlag(c *cobra.Command, f *pflag.Flag, bad func(*cobra.Command, string, ...any)) {
	if strings.TrimSpace(f.Usage) == "" {
		bad(c, "flag --%s has no usage text", f.Name)
	}
	if f.Hidden && !strings.Contains(c.Annotations[HiddenWhy+":"+f.Name], " ") {
		bad(c, "flag --%s is hidden without a %s:%s annotation that says why", f.Name, HiddenWhy, f.Name)
	}
}
