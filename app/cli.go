package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/coordinator"
	"borgdesk/backend/datadir"
	"borgdesk/backend/remote"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/version"
	"borgdesk/backend/store"
)

// command is a body: it runs `borgdesk WORD args…` for the top-level word
// it is registered under, args starting with the subcommand's name for a
// group (cmdServer gets "list", …), as it always did.
type command func(ctx context.Context, g *globals, args []string, e env) error

// commands are the bodies by top-level word. The command tree (cli_tree.go)
// reaches each through commandDocs, which gives every command its help.
var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":        cmdServe,
		"status":       cmdStatus,
		"server":       cmdServer,
		"job":          cmdJob,
		"token":        cmdToken,
		"task":         cmdTask,
		"archive":      cmdArchive,
		"find":         cmdFind,
		"restore":      cmdRestore,
		"db-restore":   cmdDBRestore,
		"mount":        cmdMount,
		"umount":       cmdUmount,
		"mounts":       cmdMounts,
		"drill":        cmdDrill,
		"storage":      cmdStorage,
		"mail":         cmdMail,
		"health":       cmdHealth,
		"events":       cmdEvents,
		"settings":     cmdSettings,
		"datadir":      cmdDatadir,
		"recovery-kit": cmdRecoveryKit,
		"replica":      cmdReplica,
		"operator":     cmdOperator,
		"connect":      cmdConnect,
		"audit":        cmdAudit,
		"version":      cmdVersion,
	}
}

func cmdVersion(ctx context.Context, g *globals, args []string, e env) error {
	if err := newCmdline("version", g, e, "").parse(args, 0, 0, ""); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "borgdesk", version.Version)
	return nil
}

// cmdServe runs the coordinator headless until SIGINT or SIGTERM.
func cmdServe(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("serve", g, e, "")
	g.coord.register(cl.FlagSet, e.getenv)
	if err := cl.parse(args, 0, 0, ""); err != nil {
		return err
	}
	log, err := openCoordLog(e, g.coord.logLevel, g.coord.logFile)
	if err != nil {
		return err
	}
	defer log.Close()
	opts, err := g.options(e, log.Logger)
	if err != nil {
		return err
	}
	c, err := coordinator.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Run(ctx)
}

// client returns an admin-socket client for the globals.
func client(g *globals, e env) (*adminapi.Client, error) {
	if ref := firstNonEmpty(g.coordinator, e.getenv(remote.EnvCoordinator)); ref != "" {
		return remoteClient(e, ref)
	}
	if g.socket != "" || e.getenv(datadir.EnvSocket) != "" {
		// An explicit socket needs no data dir.
		return adminapi.NewClient(datadir.SocketPath("", g.socket, e.getenv)), nil
	}
	_, socket, err := g.resolve(e)
	if err != nil {
		return nil, err
	}
	return adminapi.NewClient(socket), nil
}

func cmdStatus(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("status", g, e, "print JSON")
	c, err := cl.open(args, 0, 0, "")
	if err != nil {
		return err
	}
	st, err := c.Status(ctx)
	return cl.print(st, err, func() error {
		rows := [][]string{
			{"version", st.Version}, {"data", st.DataDir}, {"schema", fmt.Sprint(st.Schema)},
			{"started", fmtTime(st.StartedAt)}, {"servers", fmt.Sprint(st.Servers)},
			{"jobs", fmt.Sprint(st.Jobs)}, {"running", fmt.Sprint(st.RunsRunning)},
		}
		for _, a := range st.Addresses { // "gateway.listen  [::]:8443 (default)"
			rows = append(rows, []string{a.Key, a.InUse + " (" + a.From + ")"})
		}
		return printTable(e.stdout, []string{"FIELD", "VALUE"}, rows)
	})
}

func cmdServer(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{"usage: borgdesk server add|list|show|ping|backup|revoke|remove|uninstall|forget-host-key …"}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "add":
		return cmdServerAdd(ctx, g, args, e)
	case "uninstall":
		return cmdServerUninstall(ctx, g, args, e)
	case "forget-host-key":
		return cmdServerForgetHostKey(ctx, g, args, e)
	case "backup":
		return cmdServerBackup(ctx, g, args, e)
	}
	cl := newCmdline("server "+sub, g, e, "print JSON")
	timeout := cl.Duration("timeout", 30*time.Second, "with ping: how long to wait for the agent")
	var err error
	switch sub {
	case "list":
		err = cl.parse(args, 0, 0, "")
	case "show", "remove", "revoke", "ping":
		err = cl.parse(args, 1, 1, "SERVER")
	default:
		return usageError{fmt.Sprintf("unknown server subcommand %q; use add, list, show, ping, backup, revoke, remove, uninstall or forget-host-key", sub)}
	}
	if err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	pos := cl.pos
	switch sub {
	case "list":
		servers, err := c.ListServers(ctx)
		return cl.print(servers, err, func() error {
			return printServers(e, servers)
		})
	case "show":
		sv, err := c.Server(ctx, pos[0])
		return cl.print(sv, err, func() error {
			return printServers(e, []store.Server{sv})
		})
	case "revoke":
		sv, err := c.RevokeServer(ctx, pos[0])
		return cl.print(sv, err, func() error {
			fmt.Fprintf(e.stdout, "revoked server %s (%s): its agent is refused from now on; enroll it again with a new token to bring it back\n", sv.Name, sv.UUID)
			return nil
		})
	case "ping":
		r, err := c.PingServer(ctx, pos[0], *timeout)
		return cl.print(r, err, func() error {
			fmt.Fprintf(e.stdout, "%s answered from %s in %.0f ms (task %d)\n", pos[0], r.Hostname, r.RoundTripMS, r.TaskID)
			return nil
		})
	default: // remove
		sv, err := c.RemoveServer(ctx, pos[0])
		return cl.print(sv, err, func() error {
			fmt.Fprintf(e.stdout, "removed server %s (%s); its repository on disk was kept\n", sv.Name, sv.UUID)
			return nil
		})
	}
}

func printServers(e env, servers []store.Server) error {
	if len(servers) == 0 {
		fmt.Fprintln(e.stdout, "No servers yet. Enroll one: `borgdesk token create --name NAME` prints the command to run on it.")
		return nil
	}
	rows := make([][]string, 0, len(servers))
	for _, s := range servers {
		rows = append(rows, []string{s.Name, s.Status, s.Hostname, s.Version, fmtTimePtr(s.LastSeen, "never"), fmtTimePtr(s.CertNotAfter, "-"), s.UUID})
	}
	return printTable(e.stdout, []string{"NAME", "STATUS", "HOSTNAME", "VERSION", "LAST SEEN", "CERT EXPIRES", "UUID"}, rows)
}

func cmdToken(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) > 0 && (args[0] == "list" || args[0] == "revoke") {
		return cmdTokenManage(ctx, g, args, e)
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{tokenUsage}
	}
	cl := newCmdline("token create", g, e, "print JSON")
	name := cl.String("name", "", "the server's name (required)")
	ttl := cl.Duration("ttl", time.Hour, "how long the token is valid")
	if err := cl.parse(args[1:], 0, 0, ""); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"token create: --name is required (the name the server will have)"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	tok, err := c.CreateEnrollmentToken(ctx, *name, *ttl)
	return cl.print(tok, err, func() error {
		fmt.Fprintf(e.stdout, "Enrollment token for %s (single use, expires %s):\n\n  %s\n\nRun this on the server (it installs and enrolls the agent):\n\n  %s\n\nOr, where borgdesk-agent is already installed (it asks for the token):\n\n  %s\n\nCA fingerprint: %s\n",
			tok.Name, fmtTime(tok.ExpiresAt), tok.Token, tok.InstallCommand, tok.EnrollCommand, tok.CAFingerprint)
		return nil
	})
}

func cmdTask(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) > 0 && args[0] == "cancel" {
		cl := newCmdline("task cancel", g, e, "")
		if err := cl.parse(args[1:], 1, 1, "TASK_ID"); err != nil {
			return err
		}
		id, err := strconv.ParseInt(cl.pos[0], 10, 64)
		if err != nil {
			return usageError{"task cancel: TASK_ID is a number (borgdesk task list shows them)"}
		}
		c, err := cl.client()
		if err != nil {
			return err
		}
		t, err := c.CancelTask(ctx, id)
		return cl.print(t, err, func() error {
			fmt.Fprintf(e.stdout, "%s task %d on %s: %s\n", t.Type, t.ID, t.ServerName, t.Status)
			return nil
		})
	}
	if len(args) == 0 || args[0] != "list" {
		return usageError{"usage: borgdesk task list [--server SERVER] [--limit N] [--json] | task cancel TASK_ID"}
	}
	cl := newCmdline("task list", g, e, "print JSON")
	server := cl.String("server", "", "only this server's tasks")
	limit := cl.Int("limit", 50, "how many tasks")
	c, err := cl.open(args[1:], 0, 0, "")
	if err != nil {
		return err
	}
	tasks, err := c.ListTasks(ctx, *server, *limit)
	return cl.print(tasks, err, func() error {
		rows := make([][]string, 0, len(tasks))
		for _, t := range tasks {
			rows = append(rows, []string{fmt.Sprint(t.ID), t.ServerName, t.Type, t.Status, fmtTime(t.CreatedAt), fmtTimePtr(t.FinishedAt, "-"), t.Error})
		}
		return printTable(e.stdout, []string{"ID", "SERVER", "TYPE", "STATUS", "QUEUED", "FINISHED", "ERROR"}, rows)
	})
}

func cmdJob(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return cmdJobCreate(ctx, g, args[1:], e)
		case "show":
			return cmdJobShow(ctx, g, args[1:], e)
		case "edit":
			return cmdJobEdit(ctx, g, args[1:], e)
		case "enable", "disable":
			return cmdJobEnable(ctx, g, args[1:], e, args[0] == "enable")
		case "duplicate":
			return cmdJobDuplicate(ctx, g, args[1:], e)
		case "delete":
			return cmdJobDelete(ctx, g, args[1:], e)
		case "run":
			return cmdJobRun(ctx, g, args[1:], e)
		case "prune":
			return cmdJobPrune(ctx, g, args[1:], e)
		case "cancel":
			return cmdJobCancel(ctx, g, args[1:], e)
		case "runs":
			return cmdJobRuns(ctx, g, args[1:], e)
		}
	}
	if len(args) == 0 || args[0] != "list" {
		return usageError{jobUsage}
	}
	cl := newCmdline("job list", g, e, "print JSON")
	c, err := cl.open(args[1:], 0, 0, "")
	if err != nil {
		return err
	}
	jobs, err := c.ListJobs(ctx)
	return cl.print(jobs, err, func() error {
		if len(jobs) == 0 {
			fmt.Fprintln(e.stdout, "No jobs yet.")
			return nil
		}
		rows := make([][]string, 0, len(jobs))
		for _, j := range jobs {
			rows = append(rows, []string{fmt.Sprint(j.ID), j.ServerName, j.Name, j.Kind, j.Schedule, fmt.Sprint(j.Enabled)})
		}
		return printTable(e.stdout, []string{"ID", "SERVER", "NAME", "KIND", "SCHEDULE", "ENABLED"}, rows)
	})
}

func cmdSettings(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{"usage: borgdesk settings get [KEY] | set KEY VALUE | set-secret KEY --stdin"}
	}
	sub, args := args[0], args[1:]
	if sub == "set-secret" {
		return cmdSetSecret(ctx, g, args, e)
	}
	cl := newCmdline("settings "+sub, g, e, "print JSON")
	var pos []string
	var err error
	switch sub {
	case "get":
		err = cl.parse(args, 0, 1, "[KEY]")
		pos = cl.pos
	case "set":
		err = cl.parse(args, 2, 2, "KEY VALUE")
		pos = cl.pos
	default:
		return usageError{fmt.Sprintf("unknown settings subcommand %q; use get, set or set-secret", sub)}
	}
	if err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	switch {
	case sub == "set":
		if service.IsSecret(pos[0]) {
			return usageError{fmt.Sprintf("%s is a secret: on the command line it would show in ps and your shell history; use `borgdesk settings set-secret %s --stdin` and type or pipe it", pos[0], pos[0])}
		}
		if err := c.SetSetting(ctx, pos[0], pos[1]); err != nil {
			return err
		}
		if service.NeedsRestart(pos[0]) {
			fmt.Fprintf(e.stdout, "%s is saved; it takes effect when Borgdesk restarts.\n%s\n", pos[0], restartNote(pos[0]))
		}
		return nil
	case len(pos) == 1:
		v, err := c.Setting(ctx, pos[0])
		return cl.print(map[string]string{pos[0]: v}, err, func() error {
			fmt.Fprintln(e.stdout, v)
			return nil
		})
	default:
		all, err := c.Settings(ctx)
		return cl.print(all, err, func() error {
			keys := make([]string, 0, len(all))
			for k := range all {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			rows := make([][]string, 0, len(keys))
			for _, k := range keys {
				rows = append(rows, []string{k, all[k]})
			}
			return printTable(e.stdout, []string{"KEY", "VALUE"}, rows)
		})
	}
}

// cmdSetSecret stores a write-only setting read from standard input (its
// first line; an empty line removes it), never from the command line.
func cmdSetSecret(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("settings set-secret", g, e, "")
	fromStdin := cl.Bool("stdin", false, "read the value from the first line of standard input")
	if err := cl.parse(args, 1, 1, "KEY --stdin"); err != nil {
		return err
	}
	pos := cl.pos
	if !service.IsSecret(pos[0]) {
		return usageError{fmt.Sprintf("%s is not a secret setting: use `borgdesk settings set %s VALUE`", pos[0], pos[0])}
	}
	if !*fromStdin {
		return usageError{"settings set-secret reads the value from standard input: add --stdin"}
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s from standard input: %w", pos[0], err)
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	return c.SetSetting(ctx, pos[0], strings.TrimRight(line, "\r\n"))
}
