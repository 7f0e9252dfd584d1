package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"borgdesk/backend/adminapi"
	"borgdesk/backend/events"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// cmdArchiveLs lists one folder of an archive from the catalog.
func cmdArchiveLs(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("archive ls", g, e, "print JSON")
	c, err := cl.open(args, 2, 3, "SERVER ARCHIVE [PATH]")
	if err != nil {
		return err
	}
	pos := cl.pos
	dir := ""
	if len(pos) == 3 {
		dir = pos[2]
	}
	l, err := c.BrowseArchive(ctx, pos[0], pos[1], dir)
	return cl.print(l, err, func() error {
		rows := make([][]string, 0, len(l.Entries))
		for _, en := range l.Entries {
			name := en.Name
			switch en.Type {
			case "d":
				name += "/"
			case "l":
				name += " -> " + en.LinkTarget
			}
			rows = append(rows, []string{en.Mode, en.User + ":" + en.Group, humanBytes(en.Size), fmtMTime(en.MTime), name})
		}
		if err := printTable(e.stdout, []string{"MODE", "OWNER", "SIZE", "MODIFIED", "NAME"}, rows); err != nil {
			return err
		}
		if l.Truncated {
			fmt.Fprintf(e.stdout, "(first %d of %d entries)\n", len(l.Entries), l.Total)
		}
		return nil
	})
}

func fmtMTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// cmdFind searches every archive of the fleet (or one server's).
func cmdFind(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("find", g, e, "print JSON")
	server := cl.String("server", "", "only this server's archives")
	limit := cl.Int("limit", 100, "at most this many paths")
	c, err := cl.open(args, 1, 1, "PATTERN  (part of a name such as nginx, whatever the case, or a glob: '*.conf', 'etc/nginx/*')")
	if err != nil {
		return err
	}
	pos := cl.pos
	hits, err := c.FindFiles(ctx, pos[0], *server, *limit)
	return cl.print(hits, err, func() error {
		if len(hits) == 0 {
			fmt.Fprintf(e.stdout, "Nothing matches %q in the catalog.\n", pos[0])
			return nil
		}
		var rows [][]string
		for _, h := range hits {
			for _, v := range h.Versions {
				arch := v.Archive
				if v.Snapshot { // a .flx snapshot the coordinator keeps (v.File)
					arch += " (.flx snapshot)"
				}
				rows = append(rows, []string{h.ServerName, "/" + h.Path, arch, humanBytes(v.Size), fmtMTime(v.MTime)})
			}
		}
		return printTable(e.stdout, []string{"SERVER", "PATH", "ARCHIVE", "SIZE", "MODIFIED"}, rows)
	})
}

// cmdRestore restores files of an archive onto a server, or with --plan
// only says what it would do.
func cmdRestore(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("restore", g, e, "print JSON")
	var paths listFlag
	cl.Var(&paths, "path", "a file or folder of the archive to restore (repeatable; the whole archive when none)")
	to := cl.String("to", "", "directory on the target server to restore under (default: the original paths)")
	target := cl.String("target-server", "", "restore onto this server instead (it reads the source repository for this restore only)")
	policy := cl.String("policy", agentapi.PolicyKeepBoth, "when a file exists: skip, overwrite, or keep-both (the restored copy is renamed beside it)")
	keepSetuid := cl.Bool("keep-setuid", false, "keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	wait := cl.Bool("wait", false, "follow the restore until it ends; exit 1 if it failed")
	plan := cl.Bool("plan", false, "only say what the restore would do (files, bytes, where each path lands); start nothing")
	if err := cl.parse(args, 2, 2, "SERVER ARCHIVE [--path P]... [--to DIR] [--target-server S2] [--policy P] [--keep-setuid] [--wait | --plan]"); err != nil {
		return err
	}
	if *plan && *wait {
		return usageError{"restore: --plan starts nothing, so there is nothing to --wait for: give one of them"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	pos := cl.pos
	req := service.RestoreRequest{Server: pos[0], Archive: pos[1], Paths: paths, To: *to, TargetServer: *target, Policy: *policy, KeepSetuid: *keepSetuid}
	if *plan {
		return planRestore(ctx, c, e, req, cl.json())
	}
	return followTask(ctx, c, e, *wait, cl.json(), func() (store.Task, error) { return c.StartRestore(ctx, req) }, printRestoreResult)
}

// cmdDBRestore restores a database dump of an archive.
func cmdDBRestore(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("db-restore", g, e, "print JSON")
	as := cl.String("as", "", "restore into a new database with this name (default: NAME_restored_YYYYMMDD)")
	replace := cl.String("replace", "", "replace this database (its current contents are lost) — needs --confirm with the same name")
	confirm := cl.String("confirm", "", "repeat the name of the database to replace")
	target := cl.String("target-server", "", "restore onto this server instead")
	wait := cl.Bool("wait", false, "follow the restore until it ends; exit 1 if it failed")
	if err := cl.parse(args, 3, 3, "SERVER ARCHIVE DUMP (e.g. postgres/app.dump, mysql/shop.sql) [--as NAME | --replace NAME --confirm NAME] [--wait]"); err != nil {
		return err
	}
	pos := cl.pos
	req := service.DBRestoreRequest{Server: pos[0], Archive: pos[1], Dump: pos[2], Mode: "copy", Database: *as, TargetServer: *target}
	if *replace != "" {
		if *as != "" {
			return usageError{"db-restore: give --as (a copy) or --replace (over the original), not both"}
		}
		req.Mode, req.Database, req.Confirm = "replace", *replace, *confirm
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	return followTask(ctx, c, e, *wait, cl.json(), func() (store.Task, error) { return c.RestoreDatabase(ctx, req) }, printDBRestoreResult)
}

// followTask starts a task and, with wait, prints its progress (from the
// event stream) until it ends.
func followTask(ctx context.Context, c *adminapi.Client, e env, wait, asJSON bool, start func() (store.Task, error), summary func(env, store.Task)) error {
	var id int64
	ids := make(chan int64, 1)
	if wait && !asJSON {
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		lastLine := time.Time{}
		go c.StreamEvents(sctx, func(ev store.Event) error {
			if ev.Kind != events.TaskChanged {
				return nil
			}
			var d struct {
				TaskID   int64                  `json:"task_id"`
				Progress *agentapi.TaskProgress `json:"progress"`
			}
			if json.Unmarshal(ev.Data, &d) != nil || d.Progress == nil {
				return nil
			}
			if id == 0 {
				select {
				case id = <-ids:
				default:
					return nil
				}
			}
			if d.TaskID != id || time.Since(lastLine) < time.Second {
				return nil
			}
			lastLine = time.Now()
			fmt.Fprintln(e.stderr, progressLine(*d.Progress))
			return nil
		})
		time.Sleep(50 * time.Millisecond) // let the subscription open
	}
	t, err := start()
	if err != nil {
		return err
	}
	ids <- t.ID
	if !asJSON {
		fmt.Fprintf(e.stdout, "%s task %d queued on %s\n", t.Type, t.ID, t.ServerName)
	}
	if !wait {
		if asJSON {
			return printJSON(e.stdout, t)
		}
		return nil
	}
	if t, err = c.Task(ctx, t.ID, true); err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(e.stdout, t); err != nil {
			return err
		}
	} else {
		summary(e, t)
	}
	if t.Status != store.TaskSucceeded {
		return fmt.Errorf("%s task %d %s: %s", t.Type, t.ID, t.Status, t.Error)
	}
	return nil
}

func progressLine(p agentapi.TaskProgress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %5.1f%%  %s of %s", p.Phase, p.Percent, humanBytes(p.Bytes), humanBytes(p.TotalBytes))
	if p.TotalFiles > 0 {
		fmt.Fprintf(&b, ", %d of %d files", p.Files, p.TotalFiles)
	}
	if p.BytesPerSec > 0 {
		fmt.Fprintf(&b, ", %s/s", humanBytes(int64(p.BytesPerSec)))
	}
	if p.ETASec > 0 {
		fmt.Fprintf(&b, ", %s left", (time.Duration(p.ETASec) * time.Second).String())
	}
	return b.String()
}

func printRestoreResult(e env, t store.Task) {
	var r agentapi.RestoreResult
	json.Unmarshal(t.Result, &r)
	fmt.Fprintf(e.stdout, "restore %s on %s: %d file(s), %s written to %s; %d overwritten, %d kept both (renamed), %d skipped\n",
		t.Status, t.ServerName, r.Files, humanBytes(r.Bytes), r.To, r.Overwritten, r.Renamed, r.Skipped)
	for _, w := range r.Written {
		fmt.Fprintln(e.stdout, "  "+w)
	}
}

func printDBRestoreResult(e env, t store.Task) {
	var r agentapi.DBRestoreResult
	json.Unmarshal(t.Result, &r)
	fmt.Fprintf(e.stdout, "database restore %s on %s: %s database %s, %s read, %d rows in %d tables\n",
		t.Status, t.ServerName, r.Engine, r.Database, humanBytes(r.Bytes), r.Rows, len(r.Tables))
	rows := make([][]string, 0, len(r.Tables))
	for _, tr := range r.Tables {
		rows = append(rows, []string{tr.Name, fmt.Sprint(tr.Rows)})
	}
	if len(rows) > 0 {
		printTable(e.stdout, []string{"TABLE", "ROWS"}, rows)
	}
}
