// Command borgdesk-agent runs on each server of the fleet. It dials out to
// the coordinator only: it never listens on a port.
//
// It imports only stdlib and the coordinator's stdlib-only shared packages
// (agentapi, flx, borg, version); deps_test.go enforces that.
package main

import (
	"fmt"
	"io"
	"os"

	"borgdesk/backend/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "version", "--version":
		fmt.Fprintln(stdout, "borgdesk-agent", version.Version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "borgdesk-agent: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `borgdesk-agent %s — Borgdesk's agent for a fleet server

Usage:
  borgdesk-agent version
`, version.Version)
}
