package cmdtree

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// DocsCommand is the hidden `__gendocs DIR` command that writes the man
// pages and completions of root (see GenDocs), and the man pages of the
// extra trees (commands the binary also answers to by another name); the
// packages are built from its output (build/scripts/files.sh).
func DocsCommand(root *cobra.Command, source string, extra ...*cobra.Command) *cobra.Command {
	var date string
	c := &cobra.Command{
		Use:         "__gendocs DIR",
		Short:       "Write the man pages and bash, zsh and fish completions into DIR",
		Example:     "  " + root.Name() + " __gendocs build/pkg/docs",
		Hidden:      true,
		Annotations: map[string]string{HiddenWhy: "a build step of the packages (build/scripts/files.sh), not for everyday use"},
		Args:        Positional(1, 1),
		RunE: func(c *cobra.Command, args []string) error {
			d := time.Now().UTC()
			if date != "" {
				t, err := time.Parse(time.DateOnly, date)
				if err != nil {
					return Usagef("--date is YYYY-MM-DD, not %q", date)
				}
				d = t
			}
			if err := GenDocs(root, args[0], source, d); err != nil {
				return err
			}
			for _, x := range extra {
				if err := GenMan(x, args[0], source, d); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&date, "date", "", "the date in the man pages' footer, YYYY-MM-DD (default today; the packages use the last commit's)")
	return c
}

// GenDocs writes root's man pages (one a command, section 1) into
// DIR/man1 and its completions into DIR/completion as bash/NAME,
// zsh/_NAME and fish/NAME.fish. source names the program and version in
// the pages' footer.
func GenDocs(root *cobra.Command, dir, source string, date time.Time) error {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	man := filepath.Join(dir, "man1")
	name := root.Name()
	paths := map[string]func(string) error{
		man:                                      func(p string) error { return nil },
		filepath.Join(dir, "completion", "bash"): func(p string) error { return root.GenBashCompletionFileV2(filepath.Join(p, name), true) },
		filepath.Join(dir, "completion", "zsh"):  func(p string) error { return root.GenZshCompletionFile(filepath.Join(p, "_"+name)) },
		filepath.Join(dir, "completion", "fish"): func(p string) error { return root.GenFishCompletionFile(filepath.Join(p, name+".fish"), true) },
	}
	for p, gen := range paths {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := gen(p); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return GenMan(root, dir, source, date)
}

// GenMan writes the man pages of root and the commands under it into
// DIR/man1.
func GenMan(root *cobra.Command, dir, source string, date time.Time) error {
	root.DisableAutoGenTag = true
	man := filepath.Join(dir, "man1")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	h := &doc.GenManHeader{Section: "1", Date: &date, Source: source, Manual: "Borgdesk Manual"}
	if err := doc.GenManTree(root, h, man); err != nil {
		return fmt.Errorf("write the man pages into %s: %w", man, err)
	}
	return nil
}
