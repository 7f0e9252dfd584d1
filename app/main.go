// Package app is Borgdesk's shell: it parses the command line, runs the
// desktop window or a headless coordinator, and turns CLI subcommands into
// calls on the admin socket. It holds no logic of its own: use cases live in
// backend/service, and Wails is only touched in the desktop files.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"borgdesk/backend/shared/cmdtree"
	"borgdesk/backend/shared/flx/flxcli"

	"github.com/spf13/pflag"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/datadir"
	"borgdesk/backend/remote"
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
	// leaf is the command a body (cmdX) runs under: see flags.go.
	leaf *leaf
}

// globals are the flags every command accepts.
type globals struct {
	data   string
	socket string
	// coordinator is --coordinator: a remote coordinator's URL or name
	// (see `borgdesk connect`); "" for the local socket.
	coordinator  string
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
	listen    string
	sshListen string
	// operatorsListen is --operators-listen: the operator listener's address.
	operatorsListen string
	gatewayURL      string
	agentDir        string
	retryDelay      time.Duration
	reserve         string
	lockWait        time.Duration
	// logLevel is --log-level: debug, info, warn or error; logFile is
	// --log-file ("" the default path, "off" none).
	logLevel string
	logFile  string
}

func (c *coordFlags) register(fs *pflag.FlagSet, getenv func(string) string) {
	// The addresses have no flag default: an empty one means "not given",
	// so the environment, then the setting, then the default apply.
	fs.StringVar(&c.listen, "listen", c.listen, "agent gateway address (env BORGDESK_LISTEN; default: the setting gateway.listen, :8443)")
	fs.StringVar(&c.sshListen, "ssh-listen", c.sshListen, "Borg SSH server address (env BORGDESK_SSH_LISTEN; default: the setting ssh.listen, :2222)")
	fs.StringVar(&c.operatorsListen, "operators-listen", c.operatorsListen, "operator listener address: the admin API for operators over mutual TLS (env BORGDESK_OPERATORS_LISTEN; default: the setting operators.listen, off)")
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
	{service.KeyOperatorsListen, "--operators-listen", "BORGDESK_OPERATORS_LISTEN"},
}

// explicit returns the addresses given by a flag or the environment, by
// setting key, and which flag or variable gave each.
func (c *coordFlags) explicit(getenv func(string) string) (values, sources map[string]string) {
	flags := map[string]string{service.KeyGatewayListen: c.listen, service.KeySSHListen: c.sshListen, service.KeyGatewayURL: c.gatewayURL, service.KeyOperatorsListen: c.operatorsListen}
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
		OperatorsListen: addrs[service.KeyOperatorsListen],
		AgentDir:        g.coord.agentDir, RetryDelay: g.coord.retryDelay, RepoReserve: g.coord.reserve, LockWait: g.coord.lockWait}, nil
}

// register adds the global flags, which every command takes.
func (g *globals) register(fs *pflag.FlagSet) {
	fs.StringVar(&g.data, "data", g.data, "data directory (env "+datadir.EnvData+"; default: desk.json's data_dir, else $XDG_DATA_HOME/borgdesk)")
	fs.StringVar(&g.socket, "socket", g.socket, "admin socket (env "+datadir.EnvSocket+"; default DATA/"+datadir.SocketFile+")")
	fs.StringVar(&g.coordinator, "coordinator", g.coordinator, "a remote coordinator's https://HOST:PORT (or its name) to talk to instead of the local socket, after `borgdesk connect` (env "+remote.EnvCoordinator+")")
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
	t := newTree(&g, e)
	_, err := cmdtree.Execute(ctx, t.root, args, e.stdout, e.stderr)
	if err == nil {
		return *t.code // 0, or rsh's: the remote command's code, as ssh's
	}
	return report(e, err)
}

// usageError marks a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func report(e env, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flxcli.ErrDeclined):
		fmt.Fprintln(e.stderr, "borgdesk: nothing was changed")
		return exitError
	case errors.As(err, &ue), cmdtree.IsUsage(err):
		fmt.Fprintf(e.stderr, "borgdesk: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "borgdesk: %v\n", err)
	return exitError
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
