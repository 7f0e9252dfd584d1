package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/units"
	"borgdesk/backend/store"
)

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
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
func (o *dbList) Set(v string) error {
	o.set = true
	if v == "all" || v == "" {
		return nil
	}
	return (*listFlag)(&o.vals).Set(v)
}

// hookFlag collects commands given as one string each, split on spaces.
type hookFlag [][]string

func (h *hookFlag) String() string { return fmt.Sprint(*h) }
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
	var paths, excludes listFlag
	cl.Var(&paths, "paths", "files job: paths to back up (repeat or comma-separate)")
	cl.Var(&excludes, "exclude", "patterns to exclude (borg --exclude)")
	oneFS := cl.Bool("one-file-system", false, "stay on each path's file system")
	compression := cl.String("compression", "zstd,3", "borg compression")
	checkpoint := cl.Int("checkpoint-interval", 0, "seconds between borg checkpoints (default 300); a cut backup resumes from the last one")
	var mysql, postgres dbList
	cl.Var(&mysql, "mysql", "MySQL/MariaDB job: databases, comma-separated, or all")
	defaultsFile := cl.String("mysql-defaults-file", "", "MySQL credentials file on the server (mode 0600)")
	cl.Var(&postgres, "postgres", "PostgreSQL job: databases, comma-separated, or all (pg_dumpall)")
	pgHost := cl.String("pg-host", "", "PostgreSQL host (local socket when empty)")
	pgPort := cl.Int("pg-port", 0, "PostgreSQL port")
	pgUser := cl.String("pg-user", "", "PostgreSQL user")
	pgPass := cl.String("pg-passfile", "", "pgpass file on the server (mode 0600)")
	pgOSUser := cl.String("pg-os-user", "", "run the dump as this system user (default postgres with the local socket)")
	mongo := cl.String("mongo", "", "MongoDB job: database (all when \"all\")")
	mongoConfig := cl.String("mongo-config", "", "mongodump config file on the server holding the URI (mode 0600)")
	var docker listFlag
	cl.Var(&docker, "docker", "Docker job: containers whose volumes and bind mounts to back up")
	dockerStop := cl.Bool("docker-stop", false, "stop each container during its backup")
	lvm := cl.String("lvm", "", "LVM job: VG/LV to snapshot")
	lvmSize := cl.String("lvm-snapshot-size", "", "snapshot size (default 1G)")
	var pre, post hookFlag
	cl.Var(&pre, "pre", "command to run before the backup (repeatable; absolute path, no shell)")
	cl.Var(&post, "post", "command to run after the backup, even when it failed")
	schedule := cl.String("schedule", "", "cron schedule, e.g. '0 3 * * *' or 'CRON_TZ=Europe/Paris 0 3 * * *'")
	var keep borg.Keep
	cl.StringVar(&keep.Within, "keep-within", "", "keep every archive within this time (e.g. 2d)")
	cl.IntVar(&keep.Daily, "keep-daily", 0, "daily archives to keep")
	cl.IntVar(&keep.Weekly, "keep-weekly", 0, "weekly archives to keep")
	cl.IntVar(&keep.Monthly, "keep-monthly", 0, "monthly archives to keep")
	cl.IntVar(&keep.Yearly, "keep-yearly", 0, "yearly archives to keep")
	if err := cl.parse(args, 0, 0, ""); err != nil {
		return err
	}
	spec := agentapi.BackupSpec{Excludes: excludes, OneFileSystem: *oneFS, Compression: *compression, CheckpointInterval: *checkpoint, Pre: pre, Post: post}
	kinds := 0
	if len(paths) > 0 {
		kinds++
		spec.Kind, spec.Paths = agentapi.KindFiles, paths
	}
	if mysql.set {
		kinds++
		spec.Kind, spec.MySQL = agentapi.KindMySQL, &agentapi.MySQLSpec{Databases: mysql.vals, DefaultsFile: *defaultsFile}
	}
	if postgres.set {
		kinds++
		spec.Kind, spec.Postgres = agentapi.KindPostgres, &agentapi.PostgresSpec{Databases: postgres.vals, Host: *pgHost, Port: *pgPort, User: *pgUser, PassFile: *pgPass, OSUser: *pgOSUser}
	}
	if *mongo != "" {
		kinds++
		db := *mongo
		if db == "all" {
			db = ""
		}
		spec.Kind, spec.Mongo = agentapi.KindMongo, &agentapi.MongoSpec{Database: db, URIFile: *mongoConfig}
	}
	if len(docker) > 0 {
		kinds++
		spec.Kind, spec.Docker = agentapi.KindDocker, &agentapi.DockerSpec{Containers: docker, StopDuring: *dockerStop}
	}
	if *lvm != "" {
		kinds++
		vg, lv, _ := strings.Cut(*lvm, "/")
		spec.Kind, spec.LVM = agentapi.KindLVM, &agentapi.LVMSpec{VolumeGroup: vg, Volume: lv, SnapshotSize: *lvmSize, Paths: paths}
	}
	if kinds != 1 {
		return usageError{"job create: give exactly one of --paths, --mysql, --postgres, --mongo, --docker or --lvm"}
	}
	if *server == "" {
		return usageError{"job create: --server is required"}
	}
	if *name == "" {
		*name = spec.Kind
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	j, err := c.CreateJob(ctx, service.JobInput{Server: *server, Name: *name, Spec: spec, Schedule: *schedule, Keep: keep})
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
