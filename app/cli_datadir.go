package app

import (
	"context"
	"fmt"

	"borgdesk/backend/datadir"
	"borgdesk/backend/service"
)

// restartNote says what a change of one of the coordinator's addresses
// means for agents already enrolled.
func restartNote(key string) string {
	switch key {
	case service.KeyGatewayListen, service.KeyGatewayURL:
		return "Agents enrolled earlier keep the gateway URL they were given: they must still reach Borgdesk there (a firewall or port forward), or be enrolled again with Add server."
	case service.KeySSHListen:
		return "Agents are given the Borg SSH port with each backup, so they follow it; their firewall must let them reach the new port."
	}
	return ""
}

// cmdDatadir shows or changes the data dir of the next start. It needs no
// running coordinator: the choice lives in desk.json, on this workstation.
func cmdDatadir(ctx context.Context, g *globals, args []string, e env) error {
	sub := "show"
	if len(args) > 0 && (args[0] == "show" || args[0] == "set" || args[0] == "unset") {
		sub, args = args[0], args[1:]
	}
	cl := newCmdline("datadir "+sub, g, e, "print JSON")
	var pos []string
	var err error
	switch sub {
	case "set":
		err = cl.parse(args, 1, 1, "DIR")
		pos = cl.pos
	default:
		err = cl.parse(args, 0, 0, "")
		pos = cl.pos
	}
	if err != nil {
		return err
	}
	if sub == "show" {
		return showDatadir(g, e, cl.json())
	}
	dir := ""
	if sub == "set" {
		dir = pos[0]
	}
	inUse, rerr := datadir.ResolveFrom(g.data, e.getenv)
	if err := datadir.Choose(dir, e.getenv); err != nil {
		return err
	}
	info := datadir.Describe(inUse, g.data, e.getenv)
	if dir == "" {
		fmt.Fprintf(e.stdout, "%s names no data dir now: the next start uses the default, %s.\n", info.ConfigFile, info.Default)
	} else {
		fmt.Fprintf(e.stdout, "The next start uses %s (written to %s).\n", info.Configured, info.ConfigFile)
	}
	if info.NextFrom == datadir.FromFlag || info.NextFrom == datadir.FromEnv {
		fmt.Fprintf(e.stdout, "But %s is set here and wins over desk.json: this command line would still use %s.\n", info.NextFrom, info.Next)
	}
	if rerr == nil && info.Next != "" && info.Next != inUse.Dir {
		note := "It starts empty"
		if info.NextHasData {
			note = "It already holds a Borgdesk database, which will be used"
		}
		fmt.Fprintf(e.stdout, "Nothing is moved: the data in %s stays there. %s; to keep your servers, jobs and backups, stop Borgdesk and move the folder's contents yourself before the next start.\n", inUse.Dir, note)
	}
	return nil
}

func showDatadir(g *globals, e env, asJSON bool) error {
	inUse, err := datadir.ResolveFrom(g.data, e.getenv)
	if err != nil {
		return err
	}
	info := datadir.Describe(inUse, g.data, e.getenv)
	if asJSON {
		return printJSON(e.stdout, info)
	}
	configured := info.Configured
	if configured == "" {
		configured = "(none)"
	}
	return printTable(e.stdout, []string{"FIELD", "VALUE"}, [][]string{
		{"data dir", info.InUse}, {"from", info.From}, {"desk.json", info.ConfigFile},
		{"desk.json data_dir", configured}, {"default", info.Default},
	})
}
