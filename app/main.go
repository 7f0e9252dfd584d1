// Package app is Borgdesk's shell: it parses the command line, runs the
// desktop window or a headless coordinator, and turns CLI subcommands into
// calls on the admin socket. It holds no logic of its own: use cases live in
// backend/service, and Wails is only touched in the desktop files.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/flx/flxcli"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/datadir"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/version"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// env is everything a command reads from the outside world, passed in so
// tests can run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	assets fs.FS
}

// globals are the flags every command accepts.
type globals struct {
	data         string
	socket       string
	dataFrom     string // where resolve found the data dir
	selfTest     bool
	selfTestHold time.Duration
	selfTestDrop string
	// selfTestBench measures the dashboard in the window (make bench).
	selfTestBench bool
	// selfTestShell checks the window's layout and the dashboard's health
	// on desktop-smoke.sh's seeded data dir (make test-desktop).
	selfTestShell bool
	// openFiles are snapshots to open in the window (file manager).
	openFiles []string
	coord     coordFlags
}

// coordFlags configure the coordinator (serve and the desktop app).
type coordFlags struct {
	listen     string
	sshListen  string
	gatewayURL string
	agentDir   string
	retryDelay time.Duration
	reserve    string
	lockWait   time.Duration
	// logLevel is --log-level: debug, info, warn or error; logFile is
	// --log-file ("" the default path, "off" none).
	logLevel string
	logFile  string
}

func (c *coordFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	// The addresses have no flag default: an empty one means "not given",
	// so the environment, then the setting, then the default apply.
	fs.StringVar(&c.listen, "listen", c.listen, "agent gateway address (env BORGDESK_LISTEN; default: the setting gateway.listen, :8443)")
	fs.StringVar(&c.sshListen, "ssh-listen", c.sshListen, "Borg SSH server address (env BORGDESK_SSH_LISTEN; default: the setting ssh.listen, :2222)")
	fs.StringVar(&c.gatewayURL, "gateway-url", c.gatewayURL, "URL agents use to reach the gateway (env BORGDESK_GATEWAY_URL; default: the setting gateway.url, else https://HOSTNAME:PORT)")
	fs.DurationVar(&c.retryDelay, "retry-delay", 30*time.Second, "first backoff step before a failed run is retried (doubles per attempt, 3 attempts)")
	fs.StringVar(&c.reserve, "repo-reserve", "2G", "disk space backups leave free on the coordinator's disk, so a full disk never stops it")
	fs.DurationVar(&c.lockWait, "lock-wait", 60*time.Second, "how long a backup waits for its repository's lock (held by a prune, check or mount) before it fails and is retried")
	fs.StringVar(&c.logLevel, "log-level", firstNonEmpty(c.logLevel, "info"), "what the log keeps: debug, info, warn or error (stderr and $XDG_STATE_HOME/borgdesk/borgdesk.log)")
	fs.StringVar(&c.logFile, "log-file", firstNonEmpty(c.logFile, getenv("BORGDESK_LOG_FILE")), "the log file, rotated (env BORGDESK_LOG_FILE; default $XDG_STATE_HOME/borgdesk/borgdesk.log; off: stderr only)")
	fs.StringVar(&c.agentDir, "agent-dir", firstNonEmpty(c.agentDir, getenv("BORGDESK_AGENT_DIR")), "directory of borgdesk-agent-<os>-<arch> builds handed out as updates (env BORGDESK_AGENT_DIR; default: beside this program, else ../lib/borgdesk/agents from it as installed)")
}

// addressFlags are the coordinator's addresses in order of precedence: a
// flag, else its environment variable, else nothing (the setting or the
// default applies), by setting key.
var addressFlags = []struct{ key, flag, env string }{
	{service.KeyGatewayListen, "--listen", "BORGDESK_LISTEN"},
	{service.KeySSHListen, "--ssh-listen", "BORGDESK_SSH_LISTEN"},
	{service.KeyGatewayURL, "--gateway-url", "BORGDESK_GATEWAY_URL"},
}

// explicit returns the addresses given by a flag or the environment, by
// setting key, and which flag or variable gave each.
func (c *coordFlags) explicit(getenv func(string) string) (values, sources map[string]string) {
	flags := map[string]string{service.KeyGatewayListen: c.listen, service.KeySSHListen: c.sshListen, service.KeyGatewayURL: c.gatewayURL}
	values, sources = map[string]string{}, map[string]string{}
	for _, a := range addressFlags {
		switch {
		case flags[a.key] != "":
			values[a.key], sources[a.key] = flags[a.key], a.flag
		case getenv(a.env) != "":
			values[a.key], sources[a.key] = getenv(a.env), a.env
		}
	}
	return values, sources
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// options builds the coordinator's options from the flags.
func (g *globals) options(e env, logger *slog.Logger) (coordinator.Options, error) {
	dataDir, socket, err := g.resolve(e)
	if err != nil {
		return coordinator.Options{}, err
	}
	addrs, sources := g.coord.explicit(e.getenv)
	return coordinator.Options{DataDir: dataDir, Socket: socket, Version: version.Version, Logger: logger,
		GatewayListen: addrs[service.KeyGatewayListen], SSHListen: addrs[service.KeySSHListen], GatewayURL: addrs[service.KeyGatewayURL], AddressSources: sources,
		AgentDir: g.coord.agentDir, RetryDelay: g.coord.retryDelay, RepoReserve: g.coord.reserve, LockWait: g.coord.lockWait}, nil
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.data, "data", g.data, "data directory (env "+datadir.EnvData+"; default: desk.json's data_dir, else $XDG_DATA_HOME/borgdesk)")
	fs.StringVar(&g.socket, "socket", g.socket, "admin socket (env "+datadir.EnvSocket+"; default DATA/"+datadir.SocketFile+")")
}

// resolve returns the data dir and admin socket the flags, environment and
// desk.json name.
func (g *globals) resolve(e env) (dataDir, socket string, err error) {
	r, err := datadir.ResolveFrom(g.data, e.getenv)
	if err != nil {
		return "", "", err
	}
	g.dataFrom = r.From
	return r.Dir, datadir.SocketPath(r.Dir, g.socket, e.getenv), nil
}

// Main runs Borgdesk with args (without the program name) and returns the
// process exit code. assets is the built frontend.
func Main(args []string, assets fs.FS) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, assets: assets}
	return run(ctx, args, e)
}

func run(ctx context.Context, args []string, e env) int {
	var g globals
	top := flag.NewFlagSet("borgdesk", flag.ContinueOnError)
	top.SetOutput(e.stderr)
	g.register(top)
	top.BoolVar(&g.selfTest, "self-test", false, "open the window, check a JavaScript → Go round trip, and exit (0 on success)")
	g.coord.register(top, e.getenv)
	top.DurationVar(&g.selfTestHold, "self-test-hold", 0, "with --self-test: keep the window open this long after success (for a screenshot)")
	top.StringVar(&g.selfTestDrop, "self-test-drop", "", "with --self-test: then drop this .flx on the window (Wails' file-drop event) and check the restore view opens")
	top.BoolVar(&g.selfTestShell, "self-test-shell", false, "with --self-test, on desktop-smoke.sh's seeded data dir: check that web1 is amber naming the job db, that only the content pane scrolls, and the Jobs table at 1024x768")
	top.BoolVar(&g.selfTestBench, "self-test-bench", false, "with --self-test, on a fleet made by build/benchdash: time the dashboard's first paint and live updates in the window and print them as JSON (make bench)")
	showVersion := top.Bool("version", false, "print the version and exit")
	top.Usage = func() { usage(e.stderr) }
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *showVersion {
		return run(ctx, []string{"version"}, e)
	}
	if g.selfTestShell && !g.selfTest {
		fmt.Fprintln(e.stderr, "borgdesk: --self-test-shell goes with --self-test")
		return exitUsage
	}
	if g.selfTestBench && !g.selfTest {
		fmt.Fprintln(e.stderr, "borgdesk: --self-test-bench goes with --self-test")
		return exitUsage
	}
	rest := top.Args()
	if len(rest) > 0 && flx.IsSnapshotName(rest[0]) { // opened from the file manager
		g.openFiles = rest
		return report(e, showDesktopError(runDesktop(ctx, g, e)))
	}
	if len(rest) == 0 {
		return report(e, showDesktopError(runDesktop(ctx, g, e)))
	}
	if rest[0] == "flx" && len(rest) > 1 && (flxOnServer(rest) || rest[1] == "list") {
		return report(e, cmdFlxRemote(ctx, &g, rest[1:], e))
	}
	if rest[0] == "flx" { // files on this workstation; no coordinator needed
		return flxcli.Run(rest[1:], flxcli.Env{Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr, Producer: "borgdesk " + version.Version, DefaultDir: "."})
	}
	if rest[0] == "rsh" { // borg's BORG_RSH, run by the coordinator itself
		return runRSH(ctx, rest[1:], e)
	}
	if rest[0] == "help" { // asked for: the usage on stdout, and success
		usage(e.stdout)
		return exitOK
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "borgdesk: unknown command %q\n", rest[0])
		usage(e.stderr)
		return exitUsage
	}
	return report(e, cmd(ctx, &g, rest[1:], e))
}

// usageError marks a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func report(e env, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "borgdesk: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Borgdesk %s — backup coordinator for a Linux fleet

Usage:
  borgdesk [--data DIR] [--listen ADDR]    open the desktop app
  borgdesk serve [--data DIR] [--listen ADDR] [--ssh-listen ADDR] [--gateway-url URL] [--agent-dir DIR]
                 [--log-level debug|info|warn|error] [--log-file PATH|off]   (the window takes both too)
                                           run the coordinator without a window
  borgdesk status [--json]
  borgdesk flx backup|restore|migrate|inspect|verify|diff …   .flx/.flxx snapshots (borgdesk flx help)
  borgdesk token create --name NAME [--ttl 1h] [--json] | token list [--json] | token revoke NAME|ID
  borgdesk server add --host HOST [--user U] [--name N] [--key FILE] | add --hosts-file FILE   install the agent over SSH
  borgdesk server list [--json] | show SERVER [--json]
  borgdesk server backup SERVER               back up now: a run of every enabled job of the server
  borgdesk server ping SERVER [--timeout 30s] [--json]
  borgdesk server revoke SERVER | remove SERVER
  borgdesk task list [--server SERVER] [--limit N] [--json] | task cancel TASK_ID
  borgdesk job create --server S [--name N] (--paths P… [--exclude X…] | --mysql DBS|all | --postgres DBS|all
                      | --mongo DB | --docker C… | --lvm VG/LV) [--schedule CRON] [--keep-daily N …]
  borgdesk job list [--json] | show JOB [--json] | run JOB [--wait] | prune JOB | cancel RUN_ID
  borgdesk job edit JOB [--dry-run] [flags as job create]     only the flags given change; from the next run
  borgdesk job enable|disable JOB | duplicate JOB NEW_NAME [--server S]
  borgdesk job delete JOB [--with-archives --confirm JOB]     archives are kept unless --with-archives
  borgdesk archive list SERVER [--json] | ls SERVER ARCHIVE [PATH] [--json]
  borgdesk archive delete SERVER ARCHIVE --confirm ARCHIVE    borg delete + compact on the coordinator; cannot be undone
  borgdesk archive keep|unkeep SERVER ARCHIVE                 keep forever: no prune removes it (or no longer)
  borgdesk archive rename SERVER ARCHIVE NEWNAME [--comment TEXT]   NEWNAME = ARCHIVE changes the comment only
  borgdesk find PATTERN [--server S] [--limit N] [--json]     every version of matching files, all servers
  borgdesk restore SERVER ARCHIVE [--path P]… [--to DIR] [--target-server S2]
                   [--policy skip|overwrite|keep-both] [--wait] [--json]
  borgdesk db-restore SERVER ARCHIVE DUMP [--as NAME | --replace NAME --confirm NAME] [--target-server S2] [--wait]
  borgdesk mount SERVER [ARCHIVE] DIR | mount FILE.flx DIR | umount DIR | mounts [--json]
  borgdesk storage list | add-node SERVER | add-hosted NAME … | keys|check|remove TARGET | use|move SERVER TARGET|local
  borgdesk drill run JOB [--full] [--wait] | drill list [SERVER] [--json] | drill schedule JOB CRON
  borgdesk replica set SERVER (--sftp user@host[:port]/path [--accept-host-key SHA256:…] | --s3 https://ENDPOINT/BUCKET[/PREFIX]
                   --access-key-id ID --secret-key-stdin | --dir DIR) [--after-backup=false] [--schedule CRON]
  borgdesk replica list [--json] | show SERVER [--json] | run SERVER [--wait] | remove SERVER
  borgdesk health [--json]                  green/amber/red per server (backup age vs RPO, agent, certificate, drills)
  borgdesk mail test | mail status [--json]   alert e-mail: send a test now; the outbox (DATA/outbox.mbox, sent.mbox)
  borgdesk mail digest [--weekly] [--send]     the digest (notify.digest) of the last day or week: show it, or queue it now
  borgdesk events [--server S] [--job JOB] [--kind K,…] [--severity info|warning|error] [--since 24h|DATE]
                  [--until DATE] [--search TEXT] [--limit N] [--json|--csv]    the history, newest first
  borgdesk events --follow [--json]                           live events as they happen
  borgdesk settings get [KEY] [--json] | set KEY VALUE   (gateway.listen, ssh.listen, gateway.url: at the next start)
  borgdesk settings set-secret KEY --stdin   (smtp.password, notify.webhook.secret: write-only)
  borgdesk datadir [show] [--json] | set DIR | unset   the data dir of the next start (desk.json)
  borgdesk recovery-kit export FILE | status     the CA, keys, passphrases and database in one encrypted file
  borgdesk recovery-kit import FILE [--data DIR] | inspect FILE      (no coordinator running; an empty data dir)
                   passphrase from the terminal, --passphrase-file FILE or --passphrase-stdin; never in arguments
  borgdesk version

Self-tests of the window (make test-desktop, make bench), not for everyday use:
  borgdesk --self-test [--self-test-hold 5s] [--self-test-drop FILE.flx]
                                           open the window, check a JavaScript → Go round trip, exit 0 on success
  borgdesk --self-test --self-test-shell --data DIR
                                           the layout in the real window (only the content pane scrolls; the Jobs
                                           table at 1024x768) and web1 amber naming db, on desktop-smoke.sh's data
  borgdesk --self-test --self-test-bench --data DIR
                                           time the dashboard's first paint and live updates; only on a fleet
                                           made by build/benchdash (it writes fake progress and RPO settings)

The coordinator (the window or serve) logs to stderr and to $XDG_STATE_HOME/borgdesk/borgdesk.log
(~/.local/state/borgdesk/borgdesk.log, or --log-file; rotated at 10 MB, 5 old files gzipped, 30 days).

Global flags (also accepted after the command):
  --data DIR      data directory (env %s; else desk.json's data_dir)
  --socket PATH   admin socket (env %s)
`, version.Version, datadir.EnvData, datadir.EnvSocket)
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
