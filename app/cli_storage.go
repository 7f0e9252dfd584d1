package app

import (
	"context"
	"fmt"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/rsh"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

const storageUsage = `usage: borgdesk storage list [--json]
       borgdesk storage add-node SERVER [--name N] [--listen :2222] [--address HOST] [--dir /var/lib/borgdesk-storage]
       borgdesk storage add-hosted NAME --host H [--port 22] --user U --path DIR [--accept-host-key SHA256:…]
       borgdesk storage keys TARGET          # the authorized_keys lines a hosted service needs
       borgdesk storage check TARGET
       borgdesk storage use SERVER TARGET|local          # a server without archives yet
       borgdesk storage move SERVER TARGET|local [--wait] [--json]  # copies every archive, verified; SERVER alone: its status
       borgdesk storage remove TARGET`

// cmdStorage manages storage targets: storage nodes and hosted Borg services.
func cmdStorage(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{storageUsage}
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		cl := newCmdline("storage list", g, e, "print JSON")
		c, err := cl.open(rest, 0, 0, "")
		if err != nil {
			return err
		}
		list, err := c.ListTargets(ctx)
		return cl.print(orEmpty(list), err, func() error {
			rows := [][]string{{"local", "coordinator", "data dir", "ready", "-"}}
			for _, t := range list {
				where := fmt.Sprintf("%s@%s:%d%s", t.User, t.Host, t.Port, t.Path)
				if t.Kind == store.TargetNode {
					where = fmt.Sprintf("%s (%s:%d) %s", t.ServerName, t.Host, t.Port, t.Path)
				}
				free := "-"
				if t.FreeBytes > 0 {
					free = units.Bytes(t.FreeBytes)
				}
				status := t.Status
				if t.LastError != "" {
					status += ": " + t.LastError
				}
				rows = append(rows, []string{t.Name, t.Kind, where, status, free})
			}
			return printTable(e.stdout, []string{"NAME", "KIND", "WHERE", "STATUS", "FREE"}, rows)
		})
	case "add-node":
		cl := newCmdline("storage add-node", g, e, "")
		var in service.StorageNodeInput
		cl.StringVar(&in.Name, "name", "", "target name (default: the server's)")
		cl.StringVar(&in.Listen, "listen", ":2222", "the node's Borg SSH server address")
		cl.StringVar(&in.Address, "address", "", "host other servers reach it at (default: the server's address)")
		cl.StringVar(&in.Dir, "dir", "/var/lib/borgdesk-storage", "directory of the repositories on the node")
		c, err := cl.open(rest, 1, 1, "SERVER [--name N] [--listen ADDR] [--address HOST] [--dir DIR]")
		if err != nil {
			return err
		}
		pos := cl.pos
		in.Server = pos[0]
		t, err := c.AddStorageNode(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "storage node %s ready: %s:%d%s, host key %s, %s free\n", t.Name, t.Host, t.Port, t.Path, keyFingerprint(t.HostKey), units.Bytes(t.FreeBytes))
		fmt.Fprintf(e.stdout, "put a server's repository there with: borgdesk storage use SERVER %s\n", t.Name)
		return nil
	case "add-hosted":
		cl := newCmdline("storage add-hosted", g, e, "")
		var in service.HostedInput
		cl.StringVar(&in.Host, "host", "", "the service's SSH host")
		cl.IntVar(&in.Port, "port", 22, "its SSH port")
		cl.StringVar(&in.User, "user", "", "the SSH user the service gave you")
		cl.StringVar(&in.Path, "path", "", "directory of the repositories there (relative to the login's home unless absolute)")
		cl.StringVar(&in.AcceptHostKey, "accept-host-key", "", "the host key fingerprint you checked (SHA256:…)")
		c, err := cl.open(rest, 1, 1, "NAME --host H --user U --path DIR [--port P] [--accept-host-key SHA256:…]")
		if err != nil {
			return err
		}
		pos := cl.pos
		in.Name = pos[0]
		t, err := c.AddHostedTarget(ctx, in)
		if err != nil {
			return err
		}
		lines, err := c.HostedKeys(ctx, t.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "hosted target %s recorded (%s@%s:%d%s). Add this line to its authorized_keys, then run `borgdesk storage check %s`:\n\n", t.Name, t.User, t.Host, t.Port, t.Path, t.Name)
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l)
		}
		fmt.Fprintf(e.stdout, "\nEach server you put there adds an append-only line: `borgdesk storage keys %s` prints them all.\n", t.Name)
		return nil
	case "keys":
		cl := newCmdline("storage keys", g, e, "")
		c, err := cl.open(rest, 1, 1, "TARGET")
		if err != nil {
			return err
		}
		lines, err := c.HostedKeys(ctx, rest[0])
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l)
		}
		return nil
	case "check":
		cl := newCmdline("storage check", g, e, "")
		c, err := cl.open(rest, 1, 1, "TARGET")
		if err != nil {
			return err
		}
		t, err := c.CheckTarget(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", t.Name, t.Status)
		return nil
	case "use":
		cl := newCmdline("storage use", g, e, "")
		c, err := cl.open(rest, 2, 2, "SERVER TARGET|local")
		if err != nil {
			return err
		}
		pos := cl.pos
		if _, err := c.SetRepoTarget(ctx, pos[0], pos[1]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the repository of %s lives on %s from its next backup\n", pos[0], pos[1])
		return nil
	case "move":
		cl := newCmdline("storage move", g, e, "print JSON")
		wait := cl.Bool("wait", false, "wait for the move to finish (exit 1 if it failed)")
		c, err := cl.open(rest, 1, 2, "SERVER TARGET|local [--wait] | storage move SERVER (its status)")
		if err != nil {
			return err
		}
		pos := cl.pos
		var rep service.MoveReport
		if len(pos) == 2 {
			rep, err = c.MoveRepo(ctx, pos[0], pos[1])
		} else {
			rep, err = c.MoveStatus(ctx, pos[0])
		}
		for err == nil && *wait && rep.State == "running" {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
			rep, err = c.MoveStatus(ctx, pos[0])
		}
		if err != nil {
			return err
		}
		switch {
		case cl.json():
			if err := printJSON(e.stdout, rep); err != nil {
				return err
			}
		case rep.State == "running":
			fmt.Fprintf(e.stdout, "moving the repository of %s to %s; follow it with: borgdesk storage move %s\n", rep.Server, rep.To, rep.Server)
		case rep.State == "done":
			fmt.Fprintf(e.stdout, "the repository of %s moved from %s to %s: %d archive(s) copied, %d verified entry by entry; the old repository was left in place\n", rep.Server, rep.From, rep.To, len(rep.Copied), rep.Verified)
		}
		if rep.State == "failed" {
			return fmt.Errorf("moving the repository of %s failed: %s", rep.Server, rep.Error)
		}
		return nil
	case "remove":
		cl := newCmdline("storage remove", g, e, "")
		c, err := cl.open(rest, 1, 1, "TARGET")
		if err != nil {
			return err
		}
		return c.RemoveTarget(ctx, rest[0])
	}
	return usageError{storageUsage}
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func keyFingerprint(line string) string {
	if line == "" {
		return "-"
	}
	if fp, err := rsh.Fingerprint(line); err == nil {
		return fp
	}
	return "?"
}

// runRSH is BORG_RSH for the coordinator's own borg reaching a storage
// target: `borgdesk rsh --key FILE --host-key 'ssh-ed25519 …' [-p PORT]
// USER@HOST COMMAND…` (not for people; the coordinator runs it). It
// returns the remote command's exit code, as ssh does.
func runRSH(ctx context.Context, args []string, e env) int {
	var key, hostKey string
	for len(args) >= 2 && (args[0] == "--key" || args[0] == "--host-key") {
		if args[0] == "--key" {
			key = args[1]
		} else {
			hostKey = args[1]
		}
		args = args[2:]
	}
	if key == "" || hostKey == "" {
		fmt.Fprintln(e.stderr, "usage: borgdesk rsh --key FILE --host-key KEY [-p PORT] USER@HOST COMMAND…")
		return 255
	}
	target, err := rsh.ParseArgs(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "borgdesk rsh: %v\n", err)
		return 255
	}
	code, err := rsh.Run(ctx, rsh.Params{KeyFile: key, HostKey: hostKey}, target, e.stdin, e.stdout, e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "borgdesk rsh: %v\n", err)
	}
	return code
}
