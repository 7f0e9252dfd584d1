package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// cmdFlxRemote: flx restore|diff|create --server S, through the coordinator
// and the server's agent, and flx list SERVER.
func cmdFlxRemote(ctx context.Context, g *globals, args []string, e env) error {
	sub, args := args[0], args[1:]
	if sub == "list" {
		return cmdFlxList(ctx, g, args, e)
	}
	cl := newCmdline("flx "+sub+" --server", g, e, "print JSON")
	server := cl.String("server", "", "the server (name or UUID)")
	mode := cl.StringP("mode", "m", flx.ModeMerge, "restore: fresh, merge or migrate")
	usr := cl.StringP("user", "u", "", "restore: the account whose home gets a FlexPBX snapshot's home-relative files; -m migrate: the target user")
	dry := cl.Bool("dry-run", false, "restore: show what would change")
	yes := cl.BoolP("yes", "y", false, "restore: do not ask")
	root := cl.String("root", "", "restore, diff: the folder on the server to work under (default: its own root, /)")
	keepSetuid := cl.Bool("keep-setuid", false, "restore: keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	profile := cl.String("profile", "", "create: etc or flexpbx")
	typ := cl.StringP("type", "t", "flx", "create: flx or flxx")
	keep := cl.Bool("keep-secrets", false, "create: do not sanitize")
	var pos []string
	var err error
	switch sub {
	case "restore", "diff":
		err = cl.parse(args, 1, 1, "FILE")
		pos = cl.pos
	case "create", "backup":
		err = cl.parse(args, 0, 64, "[PATH…]")
		pos = cl.pos
	default:
		return usageError{"flx --server works with restore, diff and create (and flx list SERVER)"}
	}
	if err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	var t store.Task
	switch sub {
	case "create", "backup":
		t, err = c.CreateFlx(ctx, *server, agentapi.FlxBackupPayload{Profile: *profile, Paths: pos, Type: *typ, KeepSecrets: *keep})
	default:
		abs, _ := filepath.Abs(pos[0])
		f, err := c.OpenFlx(ctx, abs)
		if err != nil {
			return err
		}
		if f.Inspection != nil && !f.Inspection.Verified {
			return fmt.Errorf("%s does not verify: %s; nothing was sent", pos[0], f.Inspection.Error)
		}
		if sub == "diff" {
			d, err := c.DiffFlx(ctx, f.ID, *server, *root)
			return cl.print(d, err, func() error {
				for _, x := range d {
					fmt.Fprintf(e.stdout, "%-18s %s\n", x.Status, x.Path)
				}
				if len(d) == 0 {
					fmt.Fprintln(e.stdout, "no differences")
				}
				return nil
			})
		}
		if !*dry && !*yes {
			return usageError{"flx restore --server changes the server's files: add -y (or --dry-run first)"}
		}
		t, err = c.RestoreFlx(ctx, service.FlxRestoreRequest{ID: f.ID, Server: *server, Mode: *mode, User: *usr, DryRun: *dry, KeepSetuid: *keepSetuid, Root: *root})
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "task %d queued on %s\n", t.ID, t.ServerName)
	done, err := c.Task(ctx, t.ID, true)
	if err != nil {
		return err
	}
	if cl.json() {
		if err := printJSON(e.stdout, done); err != nil {
			return err
		}
	}
	if done.Status != store.TaskSucceeded {
		return fmt.Errorf("task %d %s: %s", done.ID, done.Status, done.Error)
	}
	if cl.json() {
		return nil
	}
	switch sub {
	case "create", "backup":
		var r agentapi.FlxBackupResult
		json.Unmarshal(done.Result, &r)
		fmt.Fprintf(e.stdout, "%d files; %d redactions\n%s\n", r.FileCount, len(r.Redactions), r.Stored)
	default:
		var r agentapi.FlxRestoreResult
		json.Unmarshal(done.Result, &r)
		fmt.Fprintf(e.stdout, "%s on %s: %d created, %d overwritten, %d unchanged, %d user files kept, %d removed\n", map[bool]string{true: "dry run", false: "restored"}[r.DryRun],
			done.ServerName, r.Counts[flx.ActCreate], r.Counts[flx.ActOverwrite], r.Counts[flx.ActUnchanged], r.Counts[flx.ActKeep], r.Counts[flx.ActRemove])
		if len(r.Placeholders) > 0 {
			fmt.Fprintf(e.stderr, "warning: the snapshot was sanitized: %s hold placeholders where secrets were; set the real values\n", strings.Join(r.Placeholders, ", "))
		}
		if r.Rollback != "" {
			fmt.Fprintf(e.stdout, "rollback point on the server: %s (undo: borgdesk-agent flx restore --rollback -y %s)\n", r.Rollback, r.Rollback)
		}
	}
	return nil
}

// cmdFlxList: flx list SERVER (or --server S) prints the snapshots the
// coordinator keeps for a server, one-off and of its .flx jobs, newest
// first: when each was stored, its size and its path.
func cmdFlxList(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("flx list", g, e, "print JSON")
	server := cl.String("server", "", "the server (name or UUID)")
	err := cl.parse(args, 0, 1, "SERVER")
	pos := cl.pos
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		*server = pos[0]
	}
	if *server == "" {
		return usageError{"usage: borgdesk flx list SERVER"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	paths, err := c.ListFlx(ctx, *server)
	return cl.print(paths, err, func() error {
		if len(paths) == 0 {
			fmt.Fprintf(e.stdout, "no snapshots of %s yet (borgdesk flx create --server %s, or a .flx job: borgdesk job create --server %s --name NAME --flx flexpbx)\n", *server, *server, *server)
		}
		for _, p := range paths {
			when, size := "-", "-"
			if fi, err := os.Stat(p); err == nil { // the coordinator's files: there when the CLI runs beside it
				when, size = fi.ModTime().Format("2006-01-02 15:04"), fmt.Sprint(fi.Size())
			}
			fmt.Fprintf(e.stdout, "%-16s %10s  %s\n", when, size, p)
		}
		return nil
	})
}
