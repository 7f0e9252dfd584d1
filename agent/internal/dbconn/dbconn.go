// Package dbconn builds the command lines that reach a server's databases,
// the same way for dumps (backups) and restores: connection settings come
// from the job's spec, credentials stay in files on the server (a MySQL
// defaults file, a pgpass file) or in the local socket's authentication.
package dbconn

import (
	"os/exec"
	"strconv"

	"borgdesk/backend/shared/agentapi"
)

// MySQL returns argv for tool ("mysqldump", "mysql", …; the MariaDB name is
// used when only that is installed) with the connection options of s.
func MySQL(tool string, s *agentapi.MySQLSpec) []string {
	if s == nil {
		s = &agentapi.MySQLSpec{}
	}
	bin := tool
	if _, err := exec.LookPath(bin); err != nil {
		switch tool {
		case "mysqldump":
			bin = "mariadb-dump"
		case "mysql":
			bin = "mariadb"
		}
	}
	argv := []string{bin}
	if s.DefaultsFile != "" { // must come first
		argv = append(argv, "--defaults-extra-file="+s.DefaultsFile)
	}
	if s.Host != "" {
		argv = append(argv, "--host="+s.Host, "--protocol=tcp")
	}
	if s.Port > 0 {
		argv = append(argv, "--port="+strconv.Itoa(s.Port))
	}
	return argv
}

// Postgres is how PostgreSQL tools reach the server of a spec.
type Postgres struct {
	conn   []string
	env    []string
	osUser string
}

// NewPostgres reads the connection settings of s.
func NewPostgres(s *agentapi.PostgresSpec) Postgres {
	if s == nil {
		s = &agentapi.PostgresSpec{}
	}
	var p Postgres
	if s.Host != "" {
		p.conn = append(p.conn, "--host="+s.Host)
	}
	if s.Port > 0 {
		p.conn = append(p.conn, "--port="+strconv.Itoa(s.Port))
	}
	if s.User != "" {
		p.conn = append(p.conn, "--username="+s.User)
	}
	p.conn = append(p.conn, "--no-password")
	if s.PassFile != "" {
		p.env = append(p.env, "PGPASSFILE="+s.PassFile)
	}
	p.osUser = s.OSUser
	if p.osUser == "" && s.Host == "" {
		p.osUser = "postgres"
	}
	return p
}

// Command is argv for tool with the connection options, then args; run as
// the spec's system user (peer authentication) when it has one.
func (p Postgres) Command(tool string, args ...string) []string {
	argv := append(append([]string{tool}, p.conn...), args...)
	if p.osUser == "" {
		return argv
	}
	return append([]string{"runuser", "-u", p.osUser, "--"}, argv...)
}

// Env is what the tools need in their environment (PGPASSFILE).
func (p Postgres) Env() []string { return p.env }
