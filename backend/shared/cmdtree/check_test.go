package cmdtree

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Check finds each kind of gap a reader of the help would meet.
func TestCheckFindsGaps(t *testing.T) {
	root := &cobra.Command{Use: "prog", Short: "A program", Example: "  prog sub"}
	root.AddCommand(
		&cobra.Command{Use: "nosummary", Example: "  prog nosummary", Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "noexample", Short: "No example", Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "secret", Short: "Hidden", Example: "  prog secret", Hidden: true, Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "twolines", Short: "One\nTwo", Example: "  prog twolines", Run: func(*cobra.Command, []string) {}},
	)
	ok := &cobra.Command{Use: "ok", Short: "Fine", Example: "  prog ok", Run: func(*cobra.Command, []string) {}}
	ok.Flags().String("bare", "", "")
	root.AddCommand(ok)
	var got []string
	for _, err := range Check(root) {
		got = append(got, err.Error())
	}
	for _, want := range []string{"prog nosummary: no Short", "prog noexample: no Example", "prog secret: hidden without", "prog twolines: Short", "prog ok: flag --bare has no usage"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("Check found %q; want it to find %q", got, want)
		}
	}
	if len(got) != 5 {
		t.Errorf("Check found %d gaps; want 5: %q", len(got), got)
	}
}

// The top-level help lists every command, nested ones too.
func TestCommandTreeListsNestedCommands(t *testing.T) {
	root := &cobra.Command{Use: "prog"}
	grp := &cobra.Command{Use: "grp", Short: "A group"}
	grp.AddCommand(&cobra.Command{Use: "leaf", Short: "A leaf", Run: func(*cobra.Command, []string) {}})
	root.AddCommand(grp)
	if got := CommandTree(root); !strings.Contains(got, "prog grp leaf") || !strings.Contains(got, "A leaf") {
		t.Errorf("CommandTree = %q; want the nested leaf with its summary", got)
	}
}
