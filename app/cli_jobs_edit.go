package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
)

// jobFlags are the flags that define a job, shared by job create (every
// flag) and job edit (only the flags given change the job).
type jobFlags struct {
	fs                      *pflag.FlagSet
	paths, excludes, docker listFlag
	oneFS, dockerStop       *bool
	compression             *string
	checkpoint              *int
	mysql, postgres         dbList
	defaultsFile            *string
	pgHost, pgUser, pgPass  *string
	pgOSUser                *string
	pgPort                  *int
	mongo, mongoConfig      *string
	lvm, lvmSize            *string
	flx, flxType            *string
	sanitize                *bool
	pre, post               hookFlag
	noPre, noPost           *bool
	schedule                *string
	keepWithin              *string
	daily, weekly, monthly  *int
	yearly                  *int
	notifySuccess           *bool
}

func defineJobFlags(cl *cmdline) *jobFlags {
	f := &jobFlags{fs: cl.FlagSet}
	cl.Var(&f.paths, "paths", "files job: paths to back up (repeat or comma-separate)")
	cl.Var(&f.excludes, "exclude", "patterns to exclude (borg --exclude)")
	f.oneFS = cl.Bool("one-file-system", false, "stay on each path's file system")
	f.compression = cl.String("compression", "zstd,3", "borg compression")
	f.checkpoint = cl.Int("checkpoint-interval", 0, "seconds between borg checkpoints (default 300); a cut backup resumes from the last one")
	cl.Var(&f.mysql, "mysql", "MySQL/MariaDB job: databases, comma-separated, or all")
	f.defaultsFile = cl.String("mysql-defaults-file", "", "MySQL credentials file on the server (mode 0600)")
	cl.Var(&f.postgres, "postgres", "PostgreSQL job: databases, comma-separated, or all (pg_dumpall)")
	f.pgHost = cl.String("pg-host", "", "PostgreSQL host (local socket when empty)")
	f.pgPort = cl.Int("pg-port", 0, "PostgreSQL port")
	f.pgUser = cl.String("pg-user", "", "PostgreSQL user")
	f.pgPass = cl.String("pg-passfile", "", "pgpass file on the server (mode 0600)")
	f.pgOSUser = cl.String("pg-os-user", "", "run the dump as this system user (default postgres with the local socket)")
	f.mongo = cl.String("mongo", "", "MongoDB job: database (all when \"all\")")
	f.mongoConfig = cl.String("mongo-config", "", "mongodump config file on the server holding the URI (mode 0600)")
	cl.Var(&f.docker, "docker", "Docker job: containers whose volumes and bind mounts to back up")
	f.dockerStop = cl.Bool("docker-stop", false, "stop each container during its backup")
	f.lvm = cl.String("lvm", "", "LVM job: VG/LV to snapshot")
	f.lvmSize = cl.String("lvm-snapshot-size", "", "snapshot size (default 1G)")
	f.flx = cl.String("flx", "", ".flx job: a snapshot of this profile (etc or flexpbx) on each run, kept by the coordinator (default retention 7 daily, 4 weekly, 12 monthly)")
	f.flxType = cl.String("flx-type", "flx", ".flx job: flx or flxx")
	f.sanitize = cl.Bool("sanitize", true, ".flx job: redact secrets (--sanitize=false keeps them)")
	cl.Var(&f.pre, "pre", "command to run before the backup (repeatable; absolute path, no shell)")
	cl.Var(&f.post, "post", "command to run after the backup, even when it failed")
	f.noPre = cl.Bool("no-pre", false, "job edit: remove the commands run before the backup")
	f.noPost = cl.Bool("no-post", false, "job edit: remove the commands run after the backup")
	f.schedule = cl.String("schedule", "", "cron schedule, e.g. '0 3 * * *' or 'CRON_TZ=Europe/Paris 0 3 * * *' ('' runs it by hand only)")
	f.keepWithin = cl.String("keep-within", "", "keep every archive within this time (e.g. 2d)")
	f.daily = cl.Int("keep-daily", 0, "daily archives to keep")
	f.weekly = cl.Int("keep-weekly", 0, "weekly archives to keep")
	f.monthly = cl.Int("keep-monthly", 0, "monthly archives to keep")
	f.yearly = cl.Int("keep-yearly", 0, "yearly archives to keep")
	f.notifySuccess = cl.Bool("notify-success", false, "tell the operator of successful runs too (job edit: --notify-success=false to stop)")
	return f
}

// apply writes the flags into in: every flag when all is set (job
// create), else only those given on the command line (job edit, over the
// job's current definition).
func (f *jobFlags) apply(in *service.JobInput, cmd string, all bool) error {
	given := map[string]bool{}
	f.fs.Visit(func(fl *pflag.Flag) { given[fl.Name] = true })
	set := func(name string) bool { return all || given[name] }
	sp := &in.Spec
	old := *sp // job edit: a kind flag replaces only what it names
	kinds := 0
	if len(f.paths) > 0 && *f.lvm == "" {
		kinds++
		sp.Kind, sp.Paths = agentapi.KindFiles, f.paths
	}
	if f.mysql.set {
		kinds++
		m := agentapi.MySQLSpec{}
		if old.MySQL != nil {
			m = *old.MySQL
		}
		m.Databases = f.mysql.vals
		sp.Kind, sp.MySQL = agentapi.KindMySQL, &m
	}
	if f.postgres.set {
		kinds++
		p := agentapi.PostgresSpec{}
		if old.Postgres != nil {
			p = *old.Postgres
		}
		p.Databases = f.postgres.vals
		sp.Kind, sp.Postgres = agentapi.KindPostgres, &p
	}
	if *f.mongo != "" {
		kinds++
		m := agentapi.MongoSpec{}
		if old.Mongo != nil {
			m = *old.Mongo
		}
		m.Database = *f.mongo
		if m.Database == "all" {
			m.Database = ""
		}
		sp.Kind, sp.Mongo = agentapi.KindMongo, &m
	}
	if len(f.docker) > 0 {
		kinds++
		d := agentapi.DockerSpec{}
		if old.Docker != nil {
			d = *old.Docker
		}
		d.Containers = f.docker
		sp.Kind, sp.Docker = agentapi.KindDocker, &d
	}
	if *f.lvm != "" {
		kinds++
		l := agentapi.LVMSpec{}
		if old.LVM != nil {
			l = *old.LVM
		}
		l.VolumeGroup, l.Volume, _ = strings.Cut(*f.lvm, "/")
		if len(f.paths) > 0 {
			l.Paths = f.paths
		}
		sp.Kind, sp.LVM = agentapi.KindLVM, &l
	} else if sp.LVM != nil && len(f.paths) > 0 && !all && old.Kind == agentapi.KindLVM {
		kinds--
		sp.Kind, sp.Paths = old.Kind, old.Paths
		sp.LVM.Paths = f.paths
	}
	if *f.flx != "" {
		kinds++
		x := agentapi.FlxSpec{Type: "flx"}
		if old.Flx != nil {
			x = *old.Flx
		}
		x.Profile = *f.flx
		sp.Kind, sp.Flx = agentapi.KindFlx, &x
	}
	switch {
	case all && kinds != 1:
		return usageError{cmd + ": give exactly one of --paths, --mysql, --postgres, --mongo, --docker, --lvm or --flx"}
	case kinds > 1:
		return usageError{cmd + ": give at most one of --paths, --mysql, --postgres, --mongo, --docker, --lvm or --flx"}
	}
	if x := sp.Flx; x != nil && sp.Kind == agentapi.KindFlx {
		if set("flx-type") {
			x.Type = *f.flxType
		}
		if set("sanitize") {
			x.KeepSecrets = !*f.sanitize
		}
		if all {
			sp.Compression = "" // borg's; a snapshot has none
		}
	}
	// The options of each kind, onto the kind's part (kept from the job
	// when only an option is given).
	if sp.MySQL != nil && set("mysql-defaults-file") {
		sp.MySQL.DefaultsFile = *f.defaultsFile
	}
	if p := sp.Postgres; p != nil {
		for name, apply := range map[string]func(){"pg-host": func() { p.Host = *f.pgHost }, "pg-port": func() { p.Port = *f.pgPort },
			"pg-user": func() { p.User = *f.pgUser }, "pg-passfile": func() { p.PassFile = *f.pgPass }, "pg-os-user": func() { p.OSUser = *f.pgOSUser }} {
			if set(name) {
				apply()
			}
		}
	}
	if sp.Mongo != nil && set("mongo-config") {
		sp.Mongo.URIFile = *f.mongoConfig
	}
	if sp.Docker != nil && set("docker-stop") {
		sp.Docker.StopDuring = *f.dockerStop
	}
	if sp.LVM != nil && set("lvm-snapshot-size") {
		sp.LVM.SnapshotSize = *f.lvmSize
	}
	for _, o := range []struct {
		name  string
		apply func()
	}{
		{"exclude", func() { sp.Excludes = f.excludes }},
		{"one-file-system", func() { sp.OneFileSystem = *f.oneFS }},
		{"compression", func() { sp.Compression = *f.compression }},
		{"checkpoint-interval", func() { sp.CheckpointInterval = *f.checkpoint }},
		{"pre", func() { sp.Pre = f.pre }},
		{"post", func() { sp.Post = f.post }},
		{"schedule", func() { in.Schedule = *f.schedule }},
		{"keep-within", func() { in.Keep.Within = *f.keepWithin }},
		{"keep-daily", func() { in.Keep.Daily = *f.daily }},
		{"keep-weekly", func() { in.Keep.Weekly = *f.weekly }},
		{"keep-monthly", func() { in.Keep.Monthly = *f.monthly }},
		{"keep-yearly", func() { in.Keep.Yearly = *f.yearly }},
		{"notify-success", func() { in.NotifySuccess = *f.notifySuccess }},
	} {
		if set(o.name) {
			o.apply()
		}
	}
	if *f.noPre {
		sp.Pre = nil
	}
	if *f.noPost {
		sp.Post = nil
	}
	return nil
}

const jobUsage = "usage: borgdesk job create|list|show|edit|enable|disable|duplicate|delete|run|runs|prune|cancel …"

// cmdJobEdit changes what the flags given name, over the job's current
// definition; --dry-run shows the changes without applying them.
func cmdJobEdit(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job edit", g, e, "print JSON")
	dry := cl.Bool("dry-run", false, "show what would change, change nothing")
	f := defineJobFlags(cl)
	c, err := cl.open(args, 1, 1, "JOB [flags as job create]")
	if err != nil {
		return err
	}
	in, err := c.JobInput(ctx, cl.pos[0])
	if err != nil {
		return err
	}
	if err := f.apply(&in, "job edit", false); err != nil {
		return err
	}
	res, err := c.EditJob(ctx, cl.pos[0], in, *dry)
	return cl.print(res, err, func() error {
		j := res.Job
		switch {
		case len(res.Changes) == 0:
			fmt.Fprintf(e.stdout, "job %s of %s: nothing to change\n", j.Name, j.ServerName)
			return nil
		case res.Applied:
			fmt.Fprintf(e.stdout, "job %s of %s changed (from its next run):\n", j.Name, j.ServerName)
		default:
			fmt.Fprintf(e.stdout, "job %s of %s would change (nothing was changed):\n", j.Name, j.ServerName)
		}
		rows := make([][]string, 0, len(res.Changes))
		for _, ch := range res.Changes {
			rows = append(rows, []string{ch.Field, ch.From, ch.To})
		}
		return printTable(e.stdout, []string{"FIELD", "FROM", "TO"}, rows)
	})
}

func cmdJobShow(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job show", g, e, "print JSON")
	c, err := cl.open(args, 1, 1, "JOB")
	if err != nil {
		return err
	}
	v, err := c.ShowJob(ctx, cl.pos[0])
	return cl.print(v, err, func() error {
		state := "enabled"
		if !v.Enabled {
			state = "paused"
		}
		next := "-"
		if v.NextRun != nil {
			next = fmtTime(*v.NextRun)
		}
		sched := v.Schedule
		if sched == "" {
			sched = "(by hand only)"
		}
		rows := [][]string{{"job", fmt.Sprintf("%s (%d)", v.Name, v.ID)}, {"server", v.ServerName}, {"kind", v.Kind}, {"state", state},
			{"schedule", sched}, {"next run", next}, {"retention", v.Keep}, {"definition", v.Spec}}
		return printTable(e.stdout, []string{"", ""}, rows)
	})
}

func cmdJobEnable(ctx context.Context, g *globals, args []string, e env, enable bool) error {
	name := map[bool]string{true: "job enable", false: "job disable"}[enable]
	cl := newCmdline(name, g, e, "print JSON")
	c, err := cl.open(args, 1, 1, "JOB")
	if err != nil {
		return err
	}
	j, err := c.SetJobEnabled(ctx, cl.pos[0], enable)
	return cl.print(j, err, func() error {
		if j.Enabled {
			fmt.Fprintf(e.stdout, "job %s of %s is enabled: its schedule runs it from now\n", j.Name, j.ServerName)
		} else {
			fmt.Fprintf(e.stdout, "job %s of %s is paused: its schedule no longer runs it; its archives are kept\n", j.Name, j.ServerName)
		}
		return nil
	})
}

func cmdJobDuplicate(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job duplicate", g, e, "print JSON")
	server := cl.String("server", "", "make the copy on this server (default: the same)")
	c, err := cl.open(args, 2, 2, "JOB NEW_NAME [--server SERVER]")
	if err != nil {
		return err
	}
	j, err := c.DuplicateJob(ctx, cl.pos[0], cl.pos[1], *server)
	return cl.print(j, err, func() error {
		fmt.Fprintf(e.stdout, "created job %s (%d) on %s, a copy of %s\n", j.Name, j.ID, j.ServerName, cl.pos[0])
		return nil
	})
}

func cmdJobDelete(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("job delete", g, e, "print JSON")
	with := cl.Bool("with-archives", false, "delete the job's archives too (cannot be undone; needs --confirm JOBNAME)")
	confirm := cl.String("confirm", "", "with --with-archives: the job's name, typed")
	c, err := cl.open(args, 1, 1, "JOB [--with-archives --confirm NAME]")
	if err != nil {
		return err
	}
	if *confirm != "" && !*with {
		return usageError{"job delete: --confirm goes with --with-archives (without it the archives are kept and nothing needs confirming)"}
	}
	rep, err := c.DeleteJob(ctx, cl.pos[0], *with, *confirm)
	return cl.print(rep, err, func() error {
		if rep.ArchivesKept {
			fmt.Fprintf(e.stdout, "job %s of %s deleted; its archives are kept in the repository\n", rep.Job.Name, rep.Job.ServerName)
		} else {
			fmt.Fprintf(e.stdout, "job %s of %s deleted with %d archive(s)\n", rep.Job.Name, rep.Job.ServerName, len(rep.ArchivesDeleted))
		}
		return nil
	})
}

// cmdServerBackup is "back up now" for every enabled job of a server.
func cmdServerBackup(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("server backup", g, e, "print JSON")
	c, err := cl.open(args, 1, 1, "SERVER")
	if err != nil {
		return err
	}
	b, err := c.BackupServer(ctx, cl.pos[0])
	return cl.print(b, err, func() error {
		for _, r := range b.Runs {
			fmt.Fprintf(e.stdout, "run %d of %s/%s queued\n", r.ID, r.ServerName, r.JobName)
		}
		if len(b.Runs) == 0 {
			fmt.Fprintf(e.stdout, "%s has no enabled job: nothing was queued\n", b.Server)
		}
		if len(b.Paused) > 0 {
			fmt.Fprintf(e.stdout, "paused, not run: %s\n", strings.Join(b.Paused, ", "))
		}
		return nil
	})
}
