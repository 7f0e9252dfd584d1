package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (*listFlag) Type() string     { return "list" }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// dbList is a database list flag: comma-separated names, or "all".
type dbList struct {
	set  bool
	vals []string
}

func (o *dbList) String() string { return strings.Join(o.vals, ",") }
func (*dbList) Type() string     { return "databases" }
func (o *dbList) Set(v string) error {
	o.set = true
	if v == "all" || v == "" {
		return nil
	}
	return (*listFlag)(&o.vals).Set(v)
}

// hookFlag collects commands given as one string each, split on spaces.
type hookFlag [][]string

func (h *hookFlag) String() string {
	cmds := make([]string, len(*h))
	for i, c := range *h {
		cmds[i] = strings.Join(c, " ")
	}
	return strings.Join(cmds, "; ")
}
func (*hookFlag) Type() string { return "command" }
func (h *hookFlag) Set(v string) error {
	f := strings.Fields(v)
	if len(f) == 0 {
		return fmt.Errorf("empty hook command")
	}
	*h = append(*h, f)
	return nil
}

func cmdJobCreate(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job create", g, e, "print JSON")
	server := cl.String("server", "", "the server (name, id or UUID)")
	name := cl.String("name", "", "job name (default: the kind)")
	f := defineJobFlags(cl)
	if err := cl.parse(args, 0, 0, ""); err != nil {
		return err
	}
	var in service.JobInput
	if err := f.apply(&in, "job create", true); err != nil {
		return err
	}
	if *server == "" {
		return usageError{"job create: --server is required"}
	}
	in.Server, in.Name = *server, *name
	if in.Name == "" {
		in.Name = in.Spec.Kind
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	j, err := c.CreateJob(ctx, in)
	return cl.print(j, err, func() error {
		fmt.Fprintf(e.stdout, "created job %s (%d) on %s", j.Name, j.ID, j.ServerName)
		if j.Schedule != "" {
			fmt.Fprintf(e.stdout, ", schedule %q", j.Schedule)
		}
		fmt.Fprintln(e.stdout)
		return nil
	})
}

func cmdJobRun(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job run", g, e, "print JSON")
	wait := cl.Bool("wait", false, "wait for the run to finish; exit 1 if it failed")
	c, err := cl.open(args, 1, 1, "JOB [--wait]")
	if err != nil {
		return err
	}
	pos := cl.pos
	r, err := c.RunJob(ctx, pos[0])
	if err != nil {
		return err
	}
	if *wait {
		if r, err = c.Run(ctx, r.ID, true); err != nil {
			return err
		}
	}
	if cl.json() {
		if err := printJSON(e.stdout, r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "run %d of %s/%s: %s", r.ID, r.ServerName, r.JobName, r.Status)
		if r.Archive != "" {
			fmt.Fprintf(e.stdout, ", archive %s", r.Archive)
		}
		if r.FinishedAt != nil {
			fmt.Fprintf(e.stdout, ", %d files, %s read, %s new", r.Files, humanBytes(r.Bytes), humanBytes(r.Deduplicated))
		}
		fmt.Fprintln(e.stdout)
	}
	if *wait && (r.Status == store.RunFailed || r.Status == store.RunCancelled) {
		return fmt.Errorf("run %d %s: %s", r.ID, r.Status, r.Error)
	}
	return nil
}

func cmdJobPrune(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job prune", g, e, "print JSON")
	c, err := cl.open(args, 1, 1, "JOB")
	if err != nil {
		return err
	}
	pos := cl.pos
	rep, err := c.PruneJob(ctx, pos[0])
	return cl.print(rep, err, func() error {
		fmt.Fprintf(e.stdout, "kept %d, pruned %d archive(s)\n", len(rep.Kept), len(rep.Pruned))
		return nil
	})
}

func cmdArchive(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) > 0 {
		switch args[0] {
		case "ls":
			return cmdArchiveLs(ctx, g, args[1:], e)
		case "delete":
			return cmdArchiveDelete(ctx, g, args[1:], e)
		case "keep", "unkeep":
			return cmdArchiveKeep(ctx, g, args[1:], e, args[0] == "keep")
		case "rename":
			return cmdArchiveRename(ctx, g, args[1:], e)
		}
	}
	if len(args) == 0 || args[0] != "list" {
		return usageError{archiveUsage}
	}
	cl := newCmdline("archive list", g, e, "print JSON")
	c, err := cl.open(args[1:], 1, 1, "SERVER")
	if err != nil {
		return err
	}
	pos := cl.pos
	list, err := c.ListArchives(ctx, pos[0])
	return cl.print(list, err, func() error {
		if len(list) == 0 {
			fmt.Fprintln(e.stdout, "No archives yet.")
			return nil
		}
		rows := make([][]string, 0, len(list))
		for _, a := range list {
			size, dedup := "-", "-"
			if a.Indexed {
				size, dedup = humanBytes(a.Bytes), humanBytes(a.Deduplicated)
			}
			kept := ""
			if a.KeepForever {
				kept = "forever"
			}
			rows = append(rows, []string{a.Name, a.Job, a.Time, fmt.Sprint(a.Files), size, dedup, kept, a.Comment})
		}
		return printTable(e.stdout, []string{"ARCHIVE", "JOB", "TIME", "FILES", "SIZE", "DEDUPLICATED", "KEPT", "COMMENT"}, rows)
	})
}

func cmdJobCancel(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job cancel", g, e, "print JSON")
	if err := cl.parse(args, 1, 1, "RUN_ID"); err != nil {
		return err
	}
	pos := cl.pos
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return usageError{"job cancel: RUN_ID is a run number (from `job run` or the app)"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	r, err := c.CancelRun(ctx, id)
	return cl.print(r, err, func() error {
		fmt.Fprintf(e.stdout, "run %d of %s/%s cancelled; the agent stops it at its next report\n", r.ID, r.ServerName, r.JobName)
		return nil
	})
}

// cmdJobRuns prints the run history, newest first, of one job or of all.
func cmdJobRuns(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job runs", g, e, "print JSON")
	limit := cl.Int("limit", 50, "how many runs to show")
	c, err := cl.open(args, 0, 1, "[JOB]")
	if err != nil {
		return err
	}
	pos := cl.pos
	runs, err := c.ListRuns(ctx, 1000)
	if err != nil {
		return err
	}
	out := []store.Run{}
	for _, r := range runs {
		if len(out) < *limit && (len(pos) == 0 || r.JobName == pos[0] || fmt.Sprint(r.JobID) == pos[0]) {
			out = append(out, r)
		}
	}
	if cl.json() {
		return printJSON(e.stdout, out)
	}
	rows := make([][]string, 0, len(out))
	for _, r := range out {
		rows = append(rows, []string{fmt.Sprint(r.ID), r.ServerName + "/" + r.JobName, r.Status, r.Trigger, fmt.Sprint(r.Attempt), fmtTime(r.StartedAt), r.Archive, r.Error})
	}
	return printTable(e.stdout, []string{"RUN", "JOB", "STATUS", "TRIGGER", "ATTEMPT", "STARTED", "ARCHIVE", "ERROR"}, rows)
}

func humanBytes(n int64) string { return units.Bytes(n) }
