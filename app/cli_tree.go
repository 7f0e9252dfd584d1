package app

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"borgdesk/backend/datadir"
	"borgdesk/backend/shared/cmdtree"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/flx/flxcli"
	"borgdesk/backend/shared/version"
)

// tree is borgdesk's command tree for one run: the root (the desktop app
// and the global flags) and every command under it. code is set by a
// command that answers with an exit code of its own (rsh).
type tree struct {
	root *cobra.Command
	code *int
}

// cmdDoc is a command's place in the tree and its help: path is the
// command's words after borgdesk ("job edit"); a group has no body of its
// own. The body of "GROUP SUB …" is commands[GROUP] called with SUB … and
// the positionals, so each cmdX keeps dispatching as it always did.
type cmdDoc struct {
	path, short, example, long string
}

// newTree builds the tree. Every leaf's body runs once here to declare
// its flags (flags.go).
func newTree(g *globals, e env) *tree {
	t := &tree{root: newRoot(g, e)}
	byPath := map[string]*cobra.Command{"": t.root}
	for _, d := range commandDocs {
		parentPath, name := "", d.path
		if i := strings.LastIndex(d.path, " "); i >= 0 {
			parentPath, name = d.path[:i], d.path[i+1:]
		}
		c := &cobra.Command{Use: name, Short: d.short, Example: d.example, Long: d.long}
		byPath[parentPath].AddCommand(c)
		byPath[d.path] = c
	}
	for _, d := range commandDocs {
		c := byPath[d.path]
		if c.HasSubCommands() && d.path != "datadir" { // datadir alone is datadir show
			continue
		}
		words := strings.Fields(d.path)
		body, ok := commands[words[0]]
		if !ok {
			panic("borgdesk: no body for " + d.path)
		}
		bindLeaf(c, g, e, body, words[1:])
	}
	t.root.AddCommand(flxCommand(g, e))
	t.code = new(int)
	t.root.AddCommand(rshCommand(e, t.code))
	t.root.AddCommand(cmdtree.DocsCommand(t.root, "borgdesk "+version.Version))
	cmdtree.Prepare(t.root)
	cmdtree.ListAll(t.root)
	return t
}

// bindLeaf declares c's flags by running body, then makes body c's run.
func bindLeaf(c *cobra.Command, g *globals, e env, body command, sub []string) {
	de := e
	de.leaf = &leaf{cmd: c, declaring: true}
	if err := body(nil, g, sub, de); err != errDeclared {
		panic(fmt.Sprintf("borgdesk %s: declaring its flags ended with %v, not at parse", c.CommandPath(), err))
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		re := e
		re.leaf = &leaf{cmd: c}
		return body(c.Context(), g, append(append([]string{}, sub...), args...), re)
	}
}

// newRoot is borgdesk alone: the desktop app (with snapshots to open),
// the global flags, the coordinator's and the self-tests'.
func newRoot(g *globals, e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "borgdesk [FILE.flx…]",
		Short: "Backup coordinator for a Linux fleet (BorgBackup): the desktop app, or a command",
		Long: `Borgdesk backs up a fleet of Linux servers with BorgBackup.

With no command it opens the desktop app (with .flx/.flxx files: opens them in
it). The coordinator (the window or serve) logs to stderr and to
$XDG_STATE_HOME/borgdesk/borgdesk.log (~/.local/state/borgdesk/borgdesk.log, or
--log-file; rotated at 10 MB, 5 old files gzipped, 30 days).

The other commands talk to the running coordinator over its admin socket.
--data and --socket (and their environment variables ` + datadir.EnvData + ` and
` + datadir.EnvSocket + `) go before or after any command; flags and arguments come in
any order. Exit codes: 0 success, 1 failure, 2 a mistake on the command line.`,
		Example: `  borgdesk                                  # the desktop app
  borgdesk serve --data /srv/borgdesk       # the coordinator without a window
  borgdesk server add --host web1 --user root --key ~/.ssh/id_ed25519
  borgdesk job create --server web1 --name etc --paths /etc --schedule '0 3 * * *'
  borgdesk help job create`,
		Version: version.Version,
		Args:    cobra.ArbitraryArgs,
	}
	root.SetVersionTemplate("borgdesk {{.Version}}\n")
	g.register(root.PersistentFlags())
	f := root.Flags()
	g.coord.register(f, e.getenv)
	f.BoolVar(&g.selfTest, "self-test", false, "open the window, check a JavaScript → Go round trip, and exit (0 on success; make test-desktop)")
	f.DurationVar(&g.selfTestHold, "self-test-hold", 0, "with --self-test: keep the window open this long after success (for a screenshot)")
	f.StringVar(&g.selfTestDrop, "self-test-drop", "", "with --self-test: then drop this .flx on the window (Wails' file-drop event) and check the restore view opens")
	f.BoolVar(&g.selfTestShell, "self-test-shell", false, "with --self-test, on desktop-smoke.sh's seeded data dir: check that web1 is amber naming the job db, that only the content pane scrolls, and the Jobs table at 1024x768")
	f.BoolVar(&g.selfTestBench, "self-test-bench", false, "with --self-test, on a fleet made by build/benchdash: time the dashboard's first paint and live updates in the window and print them as JSON (make bench)")
	root.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 && !flx.IsSnapshotName(args[0]) {
			hint := ""
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				hint = " (did you mean " + strings.Join(s, " or ") + "?)"
			}
			return usageError{fmt.Sprintf("unknown command %q%s; `borgdesk --help` lists the commands (a file to open ends in .flx, .flxx or .flx.gz)", args[0], hint)}
		}
		if g.selfTestShell && !g.selfTest {
			return usageError{"--self-test-shell goes with --self-test"}
		}
		if g.selfTestBench && !g.selfTest {
			return usageError{"--self-test-bench goes with --self-test"}
		}
		g.openFiles = args // opened from the file manager
		return showDesktopError(runDesktop(c.Context(), *g, e))
	}
	return root
}

// flxCommand is flx's own tree (files on this workstation, no coordinator
// needed) with --server on restore, diff and backup, which then go
// through the coordinator and the server's agent, and flx list.
func flxCommand(g *globals, e env) *cobra.Command {
	c := flxcli.NewCommand(flxcli.Env{Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr, Producer: "borgdesk " + version.Version, DefaultDir: "."})
	c.Example += "\n  borgdesk flx restore --server web1 -u pbx -y backup.flx\n  borgdesk flx list web1"
	for _, sub := range c.Commands() {
		switch sub.Name() {
		case "restore", "diff", "backup":
			onServer(sub, g, e)
		}
	}
	list := &cobra.Command{Use: "list", Short: "List the snapshots the coordinator keeps for a server, newest first",
		Example: "  borgdesk flx list web1\n  borgdesk flx list --server web1 --json"}
	c.AddCommand(list)
	bindLeaf(list, g, e, cmdFlxRemote, []string{"list"})
	mount := &cobra.Command{Use: "mount", Short: "Mount a snapshot read-only on this machine (FUSE); the same as borgdesk mount FILE.flx DIR",
		Example: "  borgdesk flx mount backup.flx /mnt/flx\n  borgdesk umount /mnt/flx"}
	c.AddCommand(mount)
	bindLeaf(mount, g, e, cmdMount, nil)
	mount.Use = "mount FILE.flx DIR"
	return c
}

// onServer adds --server (and --json; --root to diff) to a local flx
// command: with --server it runs on that server through the coordinator.
func onServer(c *cobra.Command, g *globals, e env) {
	c.Flags().String("server", "", "run it on this server (name or UUID) through the coordinator and its agent; FILE is on this workstation")
	if c.Flags().Lookup("json") == nil {
		c.Flags().Bool("json", false, "with --server: print the task as JSON")
	}
	if c.Flags().Lookup("root") == nil {
		c.Flags().String("root", "", "with --server: the folder on the server to compare with (default: its own root, /)")
	}
	local, args := c.RunE, c.Args
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, pos []string) error {
		if !c.Flags().Changed("server") {
			if args != nil {
				if err := args(c, pos); err != nil {
					return err
				}
			}
			return local(c, pos)
		}
		re := e
		re.leaf = &leaf{cmd: c}
		return cmdFlxRemote(c.Context(), g, append([]string{c.Name()}, pos...), re)
	}
}

// rshCommand is borg's BORG_RSH for the coordinator's own borg (runRSH).
func rshCommand(e env, code *int) *cobra.Command {
	return &cobra.Command{
		Use:                "rsh --key FILE --host-key KEY [-p PORT] USER@HOST COMMAND…",
		Short:              "Borg's BORG_RSH for the coordinator's borg reaching a storage target",
		Example:            "  BORG_RSH=\"borgdesk rsh --key KEY --host-key 'ssh-ed25519 AAAA…'\" borg list ssh://u@host/./repo",
		Hidden:             true,
		Annotations:        map[string]string{cmdtree.HiddenWhy: "run by the coordinator's borg (BORG_RSH) with ssh's arguments, which it parses itself; not for people"},
		DisableFlagParsing: true,
		Run:                func(c *cobra.Command, args []string) { *code = runRSH(c.Context(), args, e) },
	}
}
