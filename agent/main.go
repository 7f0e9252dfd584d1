// Command borgdesk-agent runs on each server of the fleet. It dials out to
// the coordinator only: it never listens on a port.
//
// It imports only stdlib, a few maintained libraries, and the coordinator's
// stdlib-only shared packages (agentapi, atomicfile, version);
// deps_test.go enforces that.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"borgdesk/agent/internal/config"
	"borgdesk/agent/internal/enroll"
	"borgdesk/agent/internal/runner"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/cmdtree"
	"borgdesk/backend/shared/flx/flxcli"
	"borgdesk/backend/shared/rsh"
	"borgdesk/backend/shared/version"
)

// exePath is this binary's path, read at start: after an update renames
// the running file, /proc/self/exe would name the old one.
var exePath, _ = os.Executable()

func main() {
	if tool := flxcli.Tool(os.Args[0]); tool != "" {
		// Called as flexpbx-backup, flexpbx-restore or flexpbx-migrate.
		os.Exit(flxcli.RunAs(tool, os.Args[1:], flxEnv(os.Stdout, os.Stderr)))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if code == restartCode {
		restart()
	}
	os.Exit(code)
}

const restartCode = -1

// restart re-executes the (updated or rolled back) binary in place, keeping
// the process id a supervisor knows.
func restart() {
	err := syscall.Exec(exePath, os.Args, os.Environ())
	fmt.Fprintf(os.Stderr, "borgdesk-agent: restart after update failed: %v; exiting so the supervisor restarts it\n", err)
	os.Exit(75)
}

// flxEnv is the world of the agent's flx commands.
func flxEnv(stdout, stderr io.Writer) flxcli.Env {
	return flxcli.Env{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Producer: "borgdesk-agent " + version.Version, DefaultDir: "/var/backups/borgdesk-flx"}
}

func cmdEnroll(ctx context.Context, p enroll.Params, tokenFile string, stdin io.Reader, stdout, stderr io.Writer) error {
	if tokenFile != "" {
		if p.Token != "" {
			return cmdtree.Usagef("enroll: give --token or --token-file, not both")
		}
		t, err := readToken(tokenFile, stdin, stderr)
		if err != nil {
			return fmt.Errorf("read the token: %w", err)
		}
		p.Token = t
	}
	p.Version = version.Version
	cfg, err := enroll.Run(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enrolled as %s (%s); configuration in %s\nstart it with: systemctl enable --now borgdesk-agent (or: borgdesk-agent run --config %s)\n",
		cfg.Agent.Name, cfg.Agent.UUID, cfg.Path(), cfg.Path())
	return nil
}

// readToken reads the token's first line from file, or from stdin for "-",
// asking for it when stdin is a terminal (the enroll command that
// `borgdesk token create` prints).
func readToken(file string, stdin io.Reader, stderr io.Writer) (string, error) {
	if file != "-" {
		raw, err := os.ReadFile(file)
		return strings.TrimSpace(string(raw)), err
	}
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "enrollment token (from borgdesk token create): ")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func cmdRun(ctx context.Context, cfgPath string, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := runner.New(runner.Options{ConfigPath: cfgPath, Version: version.Version, Logger: log, Exe: exePath})
	if err != nil {
		return err
	}
	err = a.Run(ctx)
	if err == nil {
		log.Info("agent stopped")
	}
	return err
}

// cmdSelfcheck proves the configuration, certificates and the coordinator
// work together: an authenticated heartbeat-free call through mutual TLS.
func cmdSelfcheck(ctx context.Context, cfgPath string, stdout io.Writer) error {
	a, err := runner.New(runner.Options{ConfigPath: cfgPath, Version: version.Version})
	if err != nil {
		return err
	}
	var h agentapi.Health
	if err := a.Client().Do(ctx, "GET", agentapi.PathHealth, nil, &h, 15*time.Second); err != nil {
		return fmt.Errorf("reach the coordinator: %w", err)
	}
	var tasks agentapi.TasksResponse
	if err := a.Client().Do(ctx, "GET", agentapi.PathTasks+"?max=0&wait=0", nil, &tasks, 15*time.Second); err != nil {
		return fmt.Errorf("authenticate to the coordinator: %w", err)
	}
	fmt.Fprintf(stdout, "ok: the coordinator (protocol %d) accepts this agent\n", h.ProtocolVersion)
	return nil
}

// cmdSSH is borg's BORG_RSH: `borgdesk-agent ssh --config C [-p PORT]
// [USER@]HOST COMMAND…`, reaching the Borg SSH server with this agent's key
// and the pinned host key.
func cmdSSH(ctx context.Context, args []string, stderr io.Writer) int {
	cfgPath := envOr("BORGDESK_AGENT_CONFIG", config.DefaultPath)
	hostKey := ""
	for len(args) >= 2 && (args[0] == "--config" || args[0] == "--host-key") {
		if args[0] == "--config" {
			cfgPath = args[1]
		} else {
			hostKey = args[1] // a storage node's or hosted service's key, from the task
		}
		args = args[2:]
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "borgdesk-agent ssh: %v\n", err)
		return 255
	}
	target, err := rsh.ParseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "borgdesk-agent ssh: %v\n", err)
		return 255
	}
	if hostKey == "" {
		hostKey = cfg.BorgSSH.HostKey
	}
	code, err := rsh.Run(ctx, rsh.Params{KeyFile: cfg.File(cfg.SSH.Key), HostKey: hostKey}, target, os.Stdin, os.Stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "borgdesk-agent ssh: %v\n", err)
	}
	return code
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
