package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// cmdMount mounts an archive, a whole repository or a .flx snapshot.
func cmdMount(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("mount", g, e, "print JSON")
	c, err := cl.open(args, 2, 3, "SERVER [ARCHIVE] DIR | FILE.flx DIR")
	if err != nil {
		return err
	}
	pos := cl.pos
	dir, err := filepath.Abs(pos[len(pos)-1])
	if err != nil {
		return err
	}
	server, archive, snapshot := pos[0], "", ""
	switch {
	case len(pos) == 2 && flx.IsSnapshotName(pos[0]):
		if snapshot, err = filepath.Abs(pos[0]); err != nil {
			return err
		}
		server = ""
	case len(pos) == 3:
		archive = pos[1]
	}
	m, err := c.Mount(ctx, server, archive, snapshot, dir)
	return cl.print(m, err, func() error {
		fmt.Fprintf(e.stdout, "%s mounted read-only at %s (borgdesk umount %s to unmount)\n", m.Source, m.Dir, m.Dir)
		if m.Warning != "" {
			fmt.Fprintln(e.stderr, "warning: "+m.Warning)
		}
		return nil
	})
}

func cmdUmount(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("umount", g, e, "")
	c, err := cl.open(args, 1, 1, "DIR")
	if err != nil {
		return err
	}
	pos := cl.pos
	dir, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	if err := c.Unmount(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s unmounted\n", dir)
	return nil
}

func cmdMounts(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("mounts", g, e, "print JSON")
	c, err := cl.open(args, 0, 0, "")
	if err != nil {
		return err
	}
	list, err := c.ListMounts(ctx)
	return cl.print(list, err, func() error {
		if len(list) == 0 {
			fmt.Fprintln(e.stdout, "Nothing is mounted.")
			return nil
		}
		rows := make([][]string, 0, len(list))
		for _, m := range list {
			rows = append(rows, []string{m.Dir, m.Kind, m.Server, m.Archive, fmtTime(m.Since)})
		}
		return printTable(e.stdout, []string{"DIR", "KIND", "SERVER", "ARCHIVE", "SINCE"}, rows)
	})
}

// cmdDrill runs restore drills and lists them.
func cmdDrill(ctx context.Context, g *globals, args []string, e env) error {
	const usage = "usage: borgdesk drill run JOB [--full] [--wait] | drill list [SERVER] | drill schedule JOB CRON"
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] {
	case "run":
		cl := newCmdline("drill run", g, e, "print JSON")
		full := cl.Bool("full", false, "restore and hash every file (default: read every chunk, restore and hash a sample)")
		wait := cl.Bool("wait", false, "wait for the drill; exit 1 if it failed")
		c, err := cl.open(args[1:], 1, 1, "JOB [--full] [--wait]")
		if err != nil {
			return err
		}
		d, err := c.RunDrill(ctx, cl.pos[0], *full)
		if err == nil && *wait {
			d, err = c.WaitDrill(ctx, d.ID)
		}
		if err := cl.print(d, err, func() error { printDrill(e, d); return nil }); err != nil {
			return err
		}
		if *wait && d.Status != store.DrillPassed {
			return fmt.Errorf("restore drill %d %s: %s", d.ID, d.Status, d.Error)
		}
		return nil
	case "list":
		cl := newCmdline("drill list", g, e, "print JSON")
		limit := cl.Int("limit", 20, "how many")
		c, err := cl.open(args[1:], 0, 1, "[SERVER]")
		if err != nil {
			return err
		}
		server := ""
		if len(cl.pos) == 1 {
			server = cl.pos[0]
		}
		list, err := c.ListDrills(ctx, server, *limit)
		return cl.print(list, err, func() error {
			rows := make([][]string, 0, len(list))
			for _, d := range list {
				rows = append(rows, []string{strconv.FormatInt(d.ID, 10), d.ServerName + "/" + d.JobName, d.Archive, d.Mode, d.Status,
					fmt.Sprintf("%d/%d", d.Checked-d.Mismatches, d.Checked), fmtTimePtr(d.FinishedAt, "-"), d.Error})
			}
			return printTable(e.stdout, []string{"ID", "JOB", "ARCHIVE", "MODE", "STATUS", "FILES OK", "FINISHED", "ERROR"}, rows)
		})
	case "schedule":
		cl := newCmdline("drill schedule", g, e, "")
		c, err := cl.open(args[1:], 2, 2, "JOB CRON  (\"\" to stop)")
		if err != nil {
			return err
		}
		j, err := c.SetJobDrillSchedule(ctx, cl.pos[0], cl.pos[1])
		return cl.print(j, err, func() error {
			fmt.Fprintf(e.stdout, "restore drills of %s/%s: %q\n", j.ServerName, j.Name, j.DrillSchedule)
			return nil
		})
	}
	return usageError{usage}
}

func printDrill(e env, d store.Drill) {
	fmt.Fprintf(e.stdout, "restore drill %d of %s/%s (%s, archive %s): %s", d.ID, d.ServerName, d.JobName, d.Mode, d.Archive, d.Status)
	if d.Status != store.DrillRunning {
		fmt.Fprintf(e.stdout, ", %d of %d checked files identical (archive: %d files, %s)", d.Checked-d.Mismatches, d.Checked, d.Files, humanBytes(d.Bytes))
	}
	if d.Error != "" {
		fmt.Fprintf(e.stdout, ": %s", d.Error)
	}
	fmt.Fprintln(e.stdout)
}
