package app

import (
	"context"
	"fmt"

	"borgdesk/backend/service"
)

const tokenUsage = "usage: borgdesk token create --name NAME [--ttl 1h] [--json] | token list [--json] | token revoke NAME|ID"

// cmdTokenManage lists the enrollment tokens issued, or withdraws the
// unused ones of a server name (or one by id).
func cmdTokenManage(ctx context.Context, g *globals, args []string, e env) error {
	sub := args[0]
	cl := newCmdline("token "+sub, g, e, "print JSON")
	want, usage := 0, ""
	if sub == "revoke" {
		want, usage = 1, "NAME|ID  (the server name the token was issued for, or its id from token list)"
	}
	c, err := cl.open(args[1:], want, want, usage)
	if err != nil {
		return err
	}
	pos := cl.pos
	if sub == "list" {
		list, err := c.ListEnrollmentTokens(ctx)
		return cl.print(list, err, func() error {
			return printTokens(e, list)
		})
	}
	revoked, err := c.RevokeEnrollmentToken(ctx, pos[0])
	return cl.print(revoked, err, func() error {
		for _, t := range revoked {
			fmt.Fprintf(e.stdout, "revoked enrollment token %d for %s: no server can enroll with it now\n", t.ID, t.Name)
		}
		return nil
	})
}

func printTokens(e env, list []service.EnrollmentToken) error {
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No enrollment tokens. `borgdesk token create --name NAME` issues one.")
		return nil
	}
	rows := make([][]string, 0, len(list))
	for _, t := range list {
		used := "-"
		if t.UsedAt != nil {
			used = fmtTime(*t.UsedAt)
		}
		rows = append(rows, []string{fmt.Sprint(t.ID), t.Name, t.State, fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt), used})
	}
	return printTable(e.stdout, []string{"ID", "NAME", "STATE", "ISSUED", "EXPIRES", "USED"}, rows)
}
