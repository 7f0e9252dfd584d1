package app

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// flxOnServer reports whether `flx` args target a server (--server), which
// goes through the coordinator; without it, flx works on local files.
func flxOnServer(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "--server" || strings.HasPrefix(a, "--server=") })
}

// cmdFlxRemote: flx restore|diff|create --server S, through the coordinator
// and the server's agent.
func cmdFlxRemote(ctx context.Context, g *globals, args []string, e env) error {
	sub, args := args[0], args[1:]
	cl := newCmdline("flx "+sub+" --server", g, e, "print JSON")
	server := cl.String("server", "", "the server (name or UUID)")
	mode := cl.String("m", flx.ModeMerge, "restore: fresh, merge or migrate")
	usr := cl.String("u", "", "restore: the account whose home gets a FlexPBX snapshot's home-relative files; -m migrate: the target user")
	dry := cl.Bool("dry-run", false, "restore: show what would change")
	yes := cl.Bool("y", false, "restore: do not ask")
	root := cl.String("root", "", "restore, diff: the folder on the server to work under (default: its own root, /)")
	keepSetuid := cl.Bool("keep-setuid", false, "restore: keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	profile := cl.String("profile", "", "create: etc or flexpbx")
	typ := cl.String("t", "flx", "create: flx or flxx")
	keep := cl.Bool("keep-secrets", false, "create: do not sanitize")
	var pos []string
	var err error
	switch sub {
	case "restore", "diff":
		pos, err = parse(cl.FlagSet, args, 1, 1, "FILE")
	case "create", "backup":
		pos, err = parse(cl.FlagSet, args, 0, 64, "[PATH…]")
	default:
		return usageError{"flx --server works with restore, diff and create"}
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
