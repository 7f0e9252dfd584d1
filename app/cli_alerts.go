package app

import (
	"context"
	"fmt"
	"strings"
)

// cmdMail sends a test e-mail or shows the outbox.
func cmdMail(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) > 0 && args[0] == "digest" {
		return cmdMailDigest(ctx, g, args[1:], e)
	}
	if len(args) == 0 || (args[0] != "test" && args[0] != "status") {
		return usageError{"usage: borgdesk mail test | mail status [--json] | mail digest [--weekly] [--send]"}
	}
	cl := newCmdline("mail "+args[0], g, e, "print JSON")
	c, err := cl.open(args[1:], 0, 0, "")
	if err != nil {
		return err
	}
	if args[0] == "test" {
		msg, err := c.SendTestEmail(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg)
		return nil
	}
	st, err := c.MailStatus(ctx)
	return cl.print(st, err, func() error {
		fmt.Fprintf(e.stdout, "%d waiting in %s, %d delivered (%s)\n", st.Pending, st.Outbox, st.Sent, st.SentPath)
		if st.LastError != "" {
			fmt.Fprintf(e.stdout, "last attempt %s: %s\n", fmtTime(st.LastAttempt), st.LastError)
		}
		return nil
	})
}

// cmdHealth prints the fleet's health.
func cmdHealth(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("health", g, e, "print JSON")
	c, err := cl.open(args, 0, 0, "")
	if err != nil {
		return err
	}
	h, err := c.Health(ctx)
	return cl.print(h, err, func() error {
		fmt.Fprintf(e.stdout, "fleet %s: %s\n", h.State, h.Summary)
		rows := make([][]string, 0, len(h.Servers))
		for _, s := range h.Servers {
			rows = append(rows, []string{s.Name, s.State, strings.Join(s.Reasons, "; ")})
		}
		return printTable(e.stdout, []string{"SERVER", "STATE", "WHY"}, rows)
	})
}

// cmdMailDigest prints the digest of the last day (or week) as it would be
// sent, or queues it in the outbox with --send.
func cmdMailDigest(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("mail digest", g, e, "print JSON")
	weekly := cl.Bool("weekly", false, "the last week instead of the last day")
	send := cl.Bool("send", false, "queue it to notify.email.to now (without: only show it)")
	c, err := cl.open(args, 0, 0, "")
	if err != nil {
		return err
	}
	d, err := c.DigestNow(ctx, *weekly, *send)
	return cl.print(d, err, func() error {
		fmt.Fprintf(e.stdout, "Subject: %s\n\n%s", d.Subject, d.Text)
		if d.Queued {
			fmt.Fprintf(e.stdout, "\n(queued in the outbox to %s)\n", strings.Join(d.To, ", "))
		}
		return nil
	})
}
