package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"borgdesk/agent/internal/config"
	"borgdesk/agent/internal/enroll"
	"borgdesk/agent/internal/runner"
	"borgdesk/backend/shared/cmdtree"
	"borgdesk/backend/shared/flx/flxcli"
	"borgdesk/backend/shared/version"
)

// run runs the agent's command line and returns the exit code
// (restartCode after an update).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var code int // set by ssh, which answers with the remote command's code
	root := newRoot(stdin, stdout, stderr, &code)
	cmdtree.Prepare(root)
	cmdtree.ListAll(root)
	_, err := cmdtree.Execute(ctx, root, args, stdout, stderr)
	switch {
	case err == nil:
		return code
	case errors.Is(err, runner.ErrRestart):
		return restartCode
	}
	fmt.Fprintf(stderr, "borgdesk-agent: %v\n", err)
	return cmdtree.Code(err)
}

// newRoot is borgdesk-agent's command tree.
func newRoot(stdin io.Reader, stdout, stderr io.Writer, code *int) *cobra.Command {
	root := &cobra.Command{
		Use:     "borgdesk-agent",
		Short:   "Borgdesk's agent for a fleet server (dials out only)",
		Long:    "borgdesk-agent runs on each server of the fleet and dials out to the coordinator only: it never listens on a port.",
		Example: "  borgdesk-agent enroll --server https://desk:8443 --token-file - --ca-fingerprint SHA256:…\n  borgdesk-agent run",
		Version: version.Version,
	}
	root.SetVersionTemplate("borgdesk-agent {{.Version}}\n")
	cfgPath := root.PersistentFlags().String("config", envOr("BORGDESK_AGENT_CONFIG", config.DefaultPath), "configuration file; keys and certificates live beside it (env BORGDESK_AGENT_CONFIG)")

	var p enroll.Params
	var tokenFile string
	enrollCmd := &cobra.Command{
		Use:   "enroll --server URL (--token T | --token-file FILE|-) --ca-fingerprint SHA256:…",
		Short: "Enroll this server with a coordinator's one-time token",
		Example: "  borgdesk-agent enroll --server https://desk:8443 --token-file - --ca-fingerprint SHA256:…\n" +
			"  borgdesk-agent enroll --server https://desk:8443 --token T --ca-fingerprint SHA256:… --name web1 --force",
		Args: cmdtree.Positional(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			p.ConfigPath = *cfgPath
			return cmdEnroll(c.Context(), p, tokenFile, stdin, stdout, stderr)
		},
	}
	f := enrollCmd.Flags()
	f.StringVar(&p.ServerURL, "server", "", "the coordinator's gateway, https://HOST:PORT")
	f.StringVar(&p.Token, "token", "", "one-time enrollment token")
	f.StringVar(&p.CAFingerprint, "ca-fingerprint", "", "the coordinator CA's SHA256 fingerprint (SHA256:…)")
	f.StringVar(&p.Name, "name", "", "this server's name in Borgdesk (default: the host name)")
	f.BoolVar(&p.Force, "force", false, "replace an existing enrollment")
	f.StringVar(&tokenFile, "token-file", "", "read the token from this file (- for standard input), so it stays off the command line")

	runCmd := &cobra.Command{
		Use:     "run",
		Short:   "Run the agent: pull tasks from the coordinator until stopped",
		Example: "  borgdesk-agent run\n  borgdesk-agent run --config /etc/borgdesk-agent/config.yaml",
		Args:    cmdtree.Positional(0, 0),
		RunE:    func(c *cobra.Command, _ []string) error { return cmdRun(c.Context(), *cfgPath, stderr) },
	}
	selfcheck := &cobra.Command{
		Use:     "selfcheck",
		Short:   "Prove the configuration, certificates and coordinator work together",
		Example: "  borgdesk-agent selfcheck",
		Args:    cmdtree.Positional(0, 0),
		RunE:    func(c *cobra.Command, _ []string) error { return cmdSelfcheck(c.Context(), *cfgPath, stdout) },
	}
	versionCmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  borgdesk-agent version",
		Args:    cmdtree.Positional(0, 0),
		Run:     func(*cobra.Command, []string) { fmt.Fprintln(stdout, "borgdesk-agent", version.Version) },
	}
	ssh := &cobra.Command{
		Use:                "ssh [--config C] [--host-key KEY] [-p PORT] [USER@]HOST COMMAND…",
		Short:              "Borg's BORG_RSH: reach the Borg SSH server with this agent's key and the pinned host key",
		Example:            "  BORG_RSH='borgdesk-agent ssh --config /etc/borgdesk-agent/config.yaml' borg list ssh://borg@desk:2222/./repo",
		Hidden:             true,
		Annotations:        map[string]string{cmdtree.HiddenWhy: "run by borg itself (BORG_RSH), with ssh's own arguments, which it parses itself"},
		DisableFlagParsing: true,
		Run:                func(c *cobra.Command, args []string) { *code = cmdSSH(c.Context(), args, stderr) },
	}
	var tools []*cobra.Command // documented by man pages of their own (the links' names)
	for _, name := range slices.Sorted(maps.Keys(flxcli.ToolNames)) {
		tools = append(tools, flxcli.ToolCommand(name, flxEnv(stdout, stderr)))
	}
	root.AddCommand(enrollCmd, runCmd, selfcheck, versionCmd, ssh, flxcli.NewCommand(flxEnv(stdout, stderr)),
		cmdtree.DocsCommand(root, "borgdesk-agent "+version.Version, tools...))
	return root
}
