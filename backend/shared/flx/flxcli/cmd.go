package flxcli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"borgdesk/backend/shared/cmdtree"
)

// NewCommand is the `flx` command tree: backup (create), restore,
// migrate, inspect, verify and diff, with the FlexPBX tools' long and
// short options. borgdesk and borgdesk-agent both mount it.
func NewCommand(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "flx",
		Short: "FlexPBX snapshots (.flx/.flxx): back up, restore, migrate, inspect, verify, diff",
		Long: `FlexPBX snapshots (.flx/.flxx) on this machine's files.

FILE is a .flx/.flxx JSON snapshot (gzipped or not), a FlexPBX module tar.gz
or a ZIP export. restore, migrate, inspect and verify take the caps
--max-size SIZE (e.g. 64G), --max-files N, --max-path BYTES and --max-ratio N
(how far an archive may inflate). The same commands answer as flexpbx-backup,
flexpbx-restore and flexpbx-migrate.`,
		Example: `  flx backup --profile flexpbx -u pbx -o /var/backups
  flx inspect backup.flx
  flx restore --dry-run -u pbx backup.flx`,
	}
	c.AddCommand(backupCmd(e), restoreCmd(e), migrateCmd(e), inspectCmd(e), verifyCmd(e), diffCmd(e))
	return c
}

// ToolCommand is the command a FlexPBX tool name (see ToolNames) runs,
// named as the tool: flexpbx-backup is flx backup with the flexpbx
// profile.
func ToolCommand(name string, e Env) *cobra.Command {
	e.As = name
	var c *cobra.Command
	switch ToolNames[name] {
	case "backup":
		c = backupCmd(e)
	case "restore":
		c = restoreCmd(e)
	default:
		c = migrateCmd(e)
	}
	_, operands, _ := strings.Cut(c.Use, " ")
	c.Use, c.Aliases = strings.TrimSpace(name+" "+operands), nil
	c.Short = fmt.Sprintf("FlexPBX's %s: %s", name, c.Short)
	return c
}

// Run runs `flx args…` and returns the exit code.
func Run(args []string, e Env) int {
	return execute(NewCommand(e), args, e)
}

func execute(root *cobra.Command, args []string, e Env) int {
	cmdtree.Prepare(root)
	_, err := cmdtree.Execute(context.Background(), root, args, e.Stdout, e.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, ErrDeclined):
		fmt.Fprintf(e.Stderr, "%s: nothing was changed\n", root.Name())
	default:
		fmt.Fprintf(e.Stderr, "%s: %v\n", root.Name(), err)
	}
	return cmdtree.Code(err)
}

// ErrDeclined is the answer when the user says no to a restore or
// migration: nothing was changed (exit code 1).
var ErrDeclined = errors.New("declined: nothing was changed")
