package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/operators"
	"borgdesk/backend/remote"
	"borgdesk/backend/store"
)

// Operators over the network: invites and roles on the coordinator
// (operator …, audit list), and the operator's side (connect, and
// --coordinator on every command). The work is in backend/operators and
// backend/remote; these only parse and print.

const operatorUsage = "usage: borgdesk operator invite NAME --role admin|operator|viewer [--ttl 24h] | list | revoke NAME | role NAME ROLE"

func cmdOperator(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{operatorUsage}
	}
	sub, args := args[0], args[1:]
	cl := newCmdline("operator "+sub, g, e, "print JSON")
	var role *string
	var ttl *time.Duration
	var err error
	switch sub {
	case "list":
		err = cl.parse(args, 0, 0, "")
	case "invite":
		role = cl.String("role", "", "admin, operator or viewer (required)")
		ttl = cl.Duration("ttl", 0, "how long the invite may be used (default 24h, at most 168h)")
		err = cl.parse(args, 1, 1, "NAME")
	case "revoke":
		err = cl.parse(args, 1, 1, "NAME")
	case "role":
		err = cl.parse(args, 2, 2, "NAME admin|operator|viewer")
	default:
		return usageError{fmt.Sprintf("unknown operator subcommand %q; %s", sub, operatorUsage)}
	}
	if err != nil {
		return err
	}
	if sub == "invite" && *role == "" {
		return usageError{"operator invite needs --role admin, operator or viewer"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	pos := cl.pos
	switch sub {
	case "invite":
		inv, err := c.InviteOperator(ctx, pos[0], operators.Role(*role), *ttl)
		return cl.print(inv, err, func() error {
			fmt.Fprintf(e.stdout, "Invite for %s (%s), usable once until %s. On their machine:\n\n  borgdesk connect %s --invite %s\n\nThe invite carries the CA fingerprint %s; hand it over privately.\n",
				inv.Name, inv.Role, fmtTime(inv.ExpiresAt), inv.URL, inv.Code, inv.CAFingerprint)
			return nil
		})
	case "list":
		list, err := c.ListOperators(ctx)
		return cl.print(list, err, func() error { return printOperators(e, list) })
	case "revoke":
		op, err := c.RevokeOperator(ctx, pos[0])
		return cl.print(op, err, func() error {
			fmt.Fprintf(e.stdout, "revoked operator %s: refused from now on, open connections cut\n", op.Name)
			return nil
		})
	default: // role
		op, err := c.SetOperatorRole(ctx, pos[0], operators.Role(pos[1]))
		return cl.print(op, err, func() error {
			fmt.Fprintf(e.stdout, "operator %s is now %s (from their next call)\n", op.Name, op.Role)
			return nil
		})
	}
}

func printOperators(e env, list []store.Operator) error {
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No operators. `borgdesk operator invite NAME --role viewer` invites one.")
		return nil
	}
	rows := make([][]string, 0, len(list))
	for _, o := range list {
		state := "active"
		if o.RevokedAt != nil {
			state = "revoked " + fmtTime(*o.RevokedAt)
		}
		rows = append(rows, []string{o.Name, o.Role, state, fmtTime(o.CreatedAt), fmtTimePtr(o.CertNotAfter, "-")})
	}
	return printTable(e.stdout, []string{"NAME", "ROLE", "STATE", "CONNECTED", "CERT EXPIRES"}, rows)
}

func cmdAudit(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 || args[0] != "list" {
		return usageError{"usage: borgdesk audit list [--operator NAME] [--limit 100] [--json]"}
	}
	cl := newCmdline("audit list", g, e, "print JSON")
	who := cl.String("operator", "", "only this operator's entries")
	limit := cl.Int("limit", 100, "how many of the newest entries")
	c, err := cl.open(args[1:], 0, 0, "")
	if err != nil {
		return err
	}
	list, err := c.Audit(ctx, *who, *limit)
	return cl.print(list, err, func() error {
		rows := make([][]string, 0, len(list))
		for _, a := range list {
			rows = append(rows, []string{fmtTime(a.At), a.Operator, a.Role, a.Action, a.Target, strings.TrimSpace(a.Result + " " + a.Detail)})
		}
		return printTable(e.stdout, []string{"TIME", "OPERATOR", "ROLE", "ACTION", "TARGET", "RESULT"}, rows)
	})
}

// cmdConnect enrolls this user with a remote coordinator from an invite.
func cmdConnect(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("connect", g, e, "print JSON")
	invite := cl.String("invite", "", "the invite code from `borgdesk operator invite` on the coordinator (- reads it from standard input, out of the shell's history)")
	name := cl.String("name", "", "what to call this coordinator here (default HOST_PORT)")
	renew := cl.Bool("renew", false, "renew the certificate for the coordinator named (in its last 30 days): a new key is made here")
	if err := cl.parse(args, 0, 1, "[https://HOST:PORT] --invite CODE | --renew https://HOST:PORT|NAME"); err != nil {
		return err
	}
	if *renew {
		return renewConnection(ctx, cl, e)
	}
	if *invite == "" {
		return usageError{"connect needs --invite CODE (an admin of the coordinator makes one with `borgdesk operator invite NAME --role ROLE`)"}
	}
	if *invite == "-" {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the invite from standard input: %w", err)
		}
		*invite = strings.TrimSpace(line)
	}
	dir, err := coordinatorsDir(e)
	if err != nil {
		return err
	}
	url := ""
	if len(cl.pos) == 1 {
		url = cl.pos[0]
	}
	p, err := remote.Connect(ctx, url, *invite, dir, *name)
	return cl.print(p, err, func() error {
		fmt.Fprintf(e.stdout, "connected to %s as %s (%s); identity kept in %s\nUse it with: borgdesk --coordinator %s status\n", p.URL, p.Operator, p.Role, p.Dir, p.URL)
		return nil
	})
}

func renewConnection(ctx context.Context, cl *cmdline, e env) error {
	if len(cl.pos) != 1 {
		return usageError{"usage: borgdesk connect --renew https://HOST:PORT|NAME"}
	}
	dir, err := coordinatorsDir(e)
	if err != nil {
		return err
	}
	p, err := remote.Open(dir, cl.pos[0])
	if err != nil {
		return err
	}
	p, err = remote.Renew(ctx, p)
	return cl.print(p, err, func() error {
		fmt.Fprintf(e.stdout, "renewed your certificate for %s (a new key is in %s)\n", p.URL, p.Dir)
		return nil
	})
}

// coordinatorsDir is where connections are kept: $XDG_CONFIG_HOME (as the
// command's environment has it), else os.UserConfigDir(), /borgdesk/coordinators.
func coordinatorsDir(e env) (string, error) {
	if x := e.getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "borgdesk", "coordinators"), nil
	}
	return remote.DefaultDir()
}

// remoteClient is a client for a coordinator connected to before.
func remoteClient(e env, ref string) (*adminapi.Client, error) {
	dir, err := coordinatorsDir(e)
	if err != nil {
		return nil, err
	}
	p, err := remote.Open(dir, ref)
	if err != nil {
		return nil, err
	}
	cfg, err := p.TLSConfig()
	if err != nil {
		return nil, err
	}
	return adminapi.NewRemoteClient(p.URL, cfg), nil
}
