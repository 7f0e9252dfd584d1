package restore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"borgdesk/agent/internal/dbconn"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/tail"
)

var dbName = regexp.MustCompile(`^[A-Za-z0-9_]{1,63}$`)

// Database restores one dump of an archive: into a new database (the
// copy), or over the original, which is replaced only once the dump has
// been restored completely somewhere else first. Dumps stream from borg
// into the database's own client; no copy lands on disk.
func Database(ctx context.Context, env Env, p agentapi.DBRestorePayload) (agentapi.DBRestoreResult, error) {
	env.defaults()
	var res agentapi.DBRestoreResult
	if p.Passphrase == "" && !p.Stream {
		return res, errors.New("the task carries no repository passphrase")
	}
	if !dbName.MatchString(p.Database) {
		return res, fmt.Errorf("%q is not a usable database name: use letters, digits and _ (at most 63)", p.Database)
	}
	engine, source, _ := strings.Cut(p.Dump, "/")
	res.Engine, res.Database = engine, p.Database
	repo := borg.Repo{Location: p.Repo, Passphrase: p.Passphrase, RSH: env.RSH}
	b := *env.Borg
	if p.LockWait > 0 {
		b.LockWait = p.LockWait
	}
	d := &dbRestore{env: env, p: p, borg: &b, repo: repo, res: &res}
	var err error
	switch engine {
	case "postgres":
		err = d.postgres(ctx, strings.TrimSuffix(source, ".dump"))
	case "mysql":
		err = d.mysql(ctx, strings.TrimSuffix(source, ".sql"))
	case "mongo":
		err = d.mongo(ctx, strings.TrimSuffix(source, ".archive"))
	default:
		err = fmt.Errorf("%s is not a database dump Borgdesk made (postgres/, mysql/ or mongo/)", p.Dump)
	}
	if err != nil {
		return res, err
	}
	for _, t := range res.Tables {
		res.Rows += t.Rows
	}
	env.Log("database %s restored from %s: %d tables, %d rows", p.Database, p.Dump, len(res.Tables), res.Rows)
	return res, nil
}

type dbRestore struct {
	env  Env
	p    agentapi.DBRestorePayload
	borg *borg.Borg
	repo borg.Repo
	res  *agentapi.DBRestoreResult
}

// run runs argv and returns its output; the error carries its stderr.
func run(ctx context.Context, argv []string, env []string, stdin io.Reader) (string, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return "", fmt.Errorf("%s is not installed on this server", argv[0])
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	errTail := tail.New(600)
	cmd.Stdout, cmd.Stderr = &out, errTail
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %v: %s", argv[0], err, errTail)
	}
	return out.String(), nil
}

// stream pipes the dump from borg into argv, reporting bytes as they go.
func (d *dbRestore) stream(ctx context.Context, argv []string, env []string, filter func(io.Reader, io.Writer) error) error {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return fmt.Errorf("%s is not installed on this server", argv[0])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	errTail := tail.New(800)
	cmd.Stderr = errTail
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	tr := newTracker(d.env, 1, d.p.TotalBytes)
	var n atomic.Int64
	pr, pw := io.Pipe()
	extractErr := make(chan error, 1)
	go func() {
		err := d.readDump(ctx, &counter{w: pw, n: &n, tick: func(v int64) {
			tr.extracting(borg.ExtractProgress{Current: v, Total: d.p.TotalBytes, Path: d.p.Dump})
		}})
		pw.CloseWithError(err)
		extractErr <- err
	}()
	var ferr error
	if filter != nil {
		ferr = filter(pr, stdin)
	} else {
		_, ferr = io.Copy(stdin, pr)
	}
	stdin.Close()
	if ferr != nil {
		cancel()
	}
	werr := cmd.Wait()
	eerr := <-extractErr
	d.res.Bytes = n.Load()
	switch {
	case ctx.Err() != nil && eerr == nil && werr == nil:
	case eerr != nil:
		return fmt.Errorf("reading %s from %s: %w", d.p.Dump, d.p.Archive, eerr)
	case werr != nil:
		return fmt.Errorf("%s failed: %v: %s", argv[0], werr, errTail)
	case ferr != nil:
		return ferr
	}
	tr.done()
	return nil
}

// readDump writes the dump to w: from the repository with borg, or from
// the coordinator's stream (a restore from another server's archive).
func (d *dbRestore) readDump(ctx context.Context, w io.Writer) error {
	if d.p.Stream {
		return readDump(ctx, d.env, d.p.TotalBytes, w)
	}
	return d.borg.ExtractStdout(ctx, d.repo, d.p.Archive, d.p.Dump, w)
}

type counter struct {
	w    io.Writer
	n    *atomic.Int64
	tick func(int64)
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.tick(c.n.Add(int64(n)))
	return n, err
}

// postgres restores a pg_dump custom-format dump of one database.
func (d *dbRestore) postgres(ctx context.Context, orig string) error {
	if orig == "all" {
		return errors.New("this archive is a dump of the whole cluster (pg_dumpall: every database and role); Borgdesk restores single-database dumps — extract postgres/all.sql and run it with psql, or back up the databases one by one")
	}
	pg := dbconn.NewPostgres(d.p.Postgres)
	target := d.p.Database
	if d.p.Replace {
		target = fmt.Sprintf("%s_borgdesk_%d", d.p.Database, d.env.TaskID)
	}
	exists, err := pgExists(ctx, pg, target)
	if err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("database %s already exists on this server: pick another name for the copy", target)
	}
	if _, err := run(ctx, pg.Command("createdb", target), pg.Env(), nil); err != nil {
		return fmt.Errorf("cannot create database %s: %v", target, err)
	}
	d.env.Log("restoring %s into database %s", d.p.Dump, target)
	err = d.stream(ctx, pg.Command("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname="+target), pg.Env(), nil)
	if err != nil {
		run(context.WithoutCancel(ctx), pg.Command("dropdb", "--if-exists", target), pg.Env(), nil)
		return fmt.Errorf("%v; the new database %s was removed again", err, target)
	}
	if d.p.Replace {
		if err := pgReplace(ctx, pg, d.p.Database, target); err != nil {
			return err
		}
		target = d.p.Database
	}
	d.res.Tables, err = pgCounts(ctx, pg, target)
	return err
}

func pgExists(ctx context.Context, pg dbconn.Postgres, db string) (bool, error) {
	out, err := run(ctx, pg.Command("psql", "-XAtq", "-d", "postgres", "-c", "SELECT 1 FROM pg_database WHERE datname = '"+db+"'"), pg.Env(), nil)
	if err != nil {
		return false, fmt.Errorf("cannot reach PostgreSQL: %v", err)
	}
	return strings.TrimSpace(out) == "1", nil
}

// pgReplace swaps a fully restored database in for the original.
func pgReplace(ctx context.Context, pg dbconn.Postgres, orig, restored string) error {
	sql := fmt.Sprintf(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid();`, orig)
	if _, err := run(ctx, pg.Command("psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", sql), pg.Env(), nil); err != nil {
		return err
	}
	if _, err := run(ctx, pg.Command("psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", "postgres",
		"-c", fmt.Sprintf(`DROP DATABASE IF EXISTS "%s"`, orig),
		"-c", fmt.Sprintf(`ALTER DATABASE "%s" RENAME TO "%s"`, restored, orig)), pg.Env(), nil); err != nil {
		return fmt.Errorf("replacing %s: %v (the restored copy is %s)", orig, err, restored)
	}
	return nil
}

// pgCounts counts the rows of every user table.
func pgCounts(ctx context.Context, pg dbconn.Postgres, db string) ([]agentapi.TableRows, error) {
	list, err := run(ctx, pg.Command("psql", "-XAtq", "-d", db, "-c",
		`SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1`), pg.Env(), nil)
	if err != nil {
		return nil, err
	}
	var q []string
	for _, t := range strings.Fields(list) {
		q = append(q, fmt.Sprintf("SELECT '%s', count(*) FROM %s", strings.ReplaceAll(t, "'", "''"), t))
	}
	if len(q) == 0 {
		return []agentapi.TableRows{}, nil
	}
	out, err := run(ctx, pg.Command("psql", "-XAtq", "-F", "\t", "-d", db, "-c", strings.Join(q, " UNION ALL ")+" ORDER BY 1"), pg.Env(), nil)
	if err != nil {
		return nil, err
	}
	return parseCounts(out), nil
}

func parseCounts(out string) []agentapi.TableRows {
	rows := []agentapi.TableRows{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, n, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		v, _ := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		rows = append(rows, agentapi.TableRows{Name: name, Rows: v})
	}
	return rows
}

// mysql restores a mysqldump of one database (made with --databases).
func (d *dbRestore) mysql(ctx context.Context, orig string) error {
	if orig == "all-databases" {
		return errors.New("this archive is a dump of every database (--all-databases); Borgdesk restores single-database dumps — extract mysql/all-databases.sql and feed it to mysql, or back up the databases one by one")
	}
	client := func(args ...string) []string { return append(dbconn.MySQL("mysql", d.p.MySQL), args...) }
	exists := func(db string) (bool, error) {
		out, err := run(ctx, client("-N", "-B", "-e", "SELECT 1 FROM information_schema.schemata WHERE schema_name = '"+db+"'"), nil, nil)
		if err != nil {
			return false, fmt.Errorf("cannot reach MySQL/MariaDB: %v", err)
		}
		return strings.TrimSpace(out) == "1", nil
	}
	restoreInto := func(db string) error {
		if _, err := run(ctx, client("-e", "CREATE DATABASE `"+db+"`"), nil, nil); err != nil {
			return fmt.Errorf("cannot create database %s: %v", db, err)
		}
		d.env.Log("restoring %s into database %s", d.p.Dump, db)
		if err := d.stream(ctx, client(db), nil, dropDatabaseSwitches); err != nil {
			run(context.WithoutCancel(ctx), client("-e", "DROP DATABASE IF EXISTS `"+db+"`"), nil, nil)
			return fmt.Errorf("%v; the new database %s was removed again", err, db)
		}
		return nil
	}
	target := d.p.Database
	if d.p.Replace {
		// MySQL cannot rename a database: restore into a scratch one first
		// to prove the dump restores, then replace the original from it.
		target = fmt.Sprintf("%s_borgdesk_%d", d.p.Database, d.env.TaskID)
	}
	if ok, err := exists(target); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("database %s already exists on this server: pick another name for the copy", target)
	}
	if err := restoreInto(target); err != nil {
		return err
	}
	if d.p.Replace {
		run(context.WithoutCancel(ctx), client("-e", "DROP DATABASE `"+target+"`"), nil, nil)
		if _, err := run(ctx, client("-e", "DROP DATABASE IF EXISTS `"+d.p.Database+"`"), nil, nil); err != nil {
			return fmt.Errorf("cannot drop %s to replace it: %v", d.p.Database, err)
		}
		if err := restoreInto(d.p.Database); err != nil {
			return err
		}
		target = d.p.Database
	}
	tables, err := run(ctx, client("-N", "-B", "-e", "SELECT table_name FROM information_schema.tables WHERE table_schema = '"+target+"' AND table_type = 'BASE TABLE' ORDER BY 1"), nil, nil)
	if err != nil {
		return err
	}
	var q []string
	for _, t := range strings.Fields(tables) {
		q = append(q, fmt.Sprintf("SELECT '%s', COUNT(*) FROM `%s`.`%s`", t, target, t))
	}
	d.res.Tables = []agentapi.TableRows{}
	if len(q) > 0 {
		out, err := run(ctx, client("-N", "-B", "-e", strings.Join(q, " UNION ALL ")), nil, nil)
		if err != nil {
			return err
		}
		d.res.Tables = parseCounts(out)
	}
	return nil
}

// dropDatabaseSwitches copies a mysqldump --databases dump without its
// CREATE DATABASE and USE statements, so it restores into the database
// the client was started on.
func dropDatabaseSwitches(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 1<<20)
	bw := bufio.NewWriterSize(w, 1<<20)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// a long line (extended INSERT): pass it through whole
			if _, werr := bw.Write(line); werr != nil {
				return werr
			}
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if _, werr := bw.Write(line); werr != nil {
					return werr
				}
			}
		} else if !bytes.HasPrefix(line, []byte("CREATE DATABASE ")) && !bytes.HasPrefix(line, []byte("USE `")) {
			if _, werr := bw.Write(line); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// mongo restores a mongodump --archive into another database name.
func (d *dbRestore) mongo(ctx context.Context, orig string) error {
	if orig == "all" {
		return errors.New("this archive is a dump of every MongoDB database; restore it with mongorestore --archive by hand, or back up one database per job")
	}
	argv := []string{"mongorestore", "--archive", "--nsFrom=" + orig + ".*", "--nsTo=" + d.p.Database + ".*"}
	if d.p.Mongo != nil && d.p.Mongo.URIFile != "" {
		argv = append(argv, "--config="+d.p.Mongo.URIFile)
	}
	if d.p.Replace {
		argv = append(argv, "--drop")
	}
	d.res.Tables = []agentapi.TableRows{}
	return d.stream(ctx, argv, nil, nil)
}
