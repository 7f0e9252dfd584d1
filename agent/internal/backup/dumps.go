package backup

import (
	"context"
	"fmt"
	"os/exec"

	"borgdesk/agent/internal/dbconn"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// dumpInto streams one dump command's output into an archive.
func dumpInto(ctx context.Context, env Env, repo borg.Repo, archive, name string, argv []string, extraEnv []string) (agentapi.BackupResult, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return agentapi.BackupResult{}, fmt.Errorf("%s is not installed on this server", argv[0])
	}
	env.Log("dumping %s into %s", name, archive)
	r := repo
	return create(ctx, env, r, borg.CreateOptions{Archive: archive, ContentCommand: argv, StdinName: name, ExtraEnv: extraEnv})
}

// each runs dump once for all databases (dbs empty) or once per database,
// each into its own archive (<archive>.<db>).
func each(ctx context.Context, env Env, p agentapi.BackupPayload, dbs []string, dump func(archive, db string) (agentapi.BackupResult, error)) (agentapi.BackupResult, error) {
	if len(dbs) == 0 {
		return dump(p.Archive, "")
	}
	var total agentapi.BackupResult
	for i, db := range dbs {
		name := p.Archive
		if i > 0 {
			name = p.Archive + "." + db
		}
		r, err := dump(name, db)
		if err != nil {
			return agentapi.BackupResult{}, fmt.Errorf("database %s: %w", db, err)
		}
		if i == 0 {
			total = r
		} else {
			total.Files += r.Files
			total.Bytes += r.Bytes
			total.Compressed += r.Compressed
			total.Deduplicated += r.Deduplicated
		}
	}
	return total, nil
}

func dumpMySQL(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec.MySQL
	if s == nil {
		s = &agentapi.MySQLSpec{}
	}
	base := append(dbconn.MySQL("mysqldump", s), "--single-transaction", "--routines", "--events", "--triggers", "--hex-blob")
	return each(ctx, env, p, s.Databases, func(archive, db string) (agentapi.BackupResult, error) {
		argv := append([]string{}, base...)
		name := "mysql/all-databases.sql"
		if db == "" {
			argv = append(argv, "--all-databases")
		} else {
			argv = append(argv, "--databases", db)
			name = "mysql/" + db + ".sql"
		}
		return dumpInto(ctx, env, repo, archive, name, argv, nil)
	})
}

func dumpPostgres(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec.Postgres
	if s == nil {
		s = &agentapi.PostgresSpec{}
	}
	pg := dbconn.NewPostgres(s)
	return each(ctx, env, p, s.Databases, func(archive, db string) (agentapi.BackupResult, error) {
		if db == "" {
			return dumpInto(ctx, env, repo, archive, "postgres/all.sql", pg.Command("pg_dumpall"), pg.Env())
		}
		argv := pg.Command("pg_dump", "--format=custom", "--compress=0", "--dbname="+db)
		return dumpInto(ctx, env, repo, archive, "postgres/"+db+".dump", argv, pg.Env())
	})
}

func dumpMongo(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec.Mongo
	if s == nil {
		s = &agentapi.MongoSpec{}
	}
	argv := []string{"mongodump", "--archive"}
	if s.URIFile != "" {
		argv = append(argv, "--config="+s.URIFile) // YAML with uri:, keeps the password out of argv
	}
	name := "mongo/all.archive"
	if s.Database != "" {
		argv = append(argv, "--db="+s.Database)
		name = "mongo/" + s.Database + ".archive"
	}
	return dumpInto(ctx, env, repo, p.Archive, name, argv, nil)
}
