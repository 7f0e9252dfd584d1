//go:build linux

package app

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/shared/testenv"
)

// Real PostgreSQL and MariaDB servers, started by the tests on 127.0.0.1,
// dumped by a real agent into a real repository and restored.

func needTool(t *testing.T, pkg string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if m, _ := filepath.Glob(p); len(m) > 0 {
			return m[0]
		}
		if lp, err := exec.LookPath(p); err == nil {
			return lp
		}
	}
	testenv.Missing(t, "%s is not installed", pkg)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func sh(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// publicTempDir is a directory other system users (postgres) can enter.
func publicTempDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", prefix)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type postgres struct {
	port     int
	passfile string
	env      []string
}

func startPostgres(t *testing.T) *postgres {
	t.Helper()
	initdb := needTool(t, "postgresql", "/usr/lib/postgresql/*/bin/initdb")
	bin := filepath.Dir(initdb)
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("no postgres system user: %v", err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	dir := publicTempDir(t, "borgdesk-pg-")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("s3cret-pg\n"), 0o600)
	os.Chown(pw, uid, gid)
	os.Chown(dir, uid, gid)
	data := filepath.Join(dir, "data")
	sh(t, nil, "runuser", "-u", "postgres", "--", initdb, "-D", data, "-U", "borgtest", "--pwfile="+pw, "-A", "scram-sha-256")
	port := freePort(t)
	sh(t, nil, "runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir), "start")
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	})
	pass := filepath.Join(t.TempDir(), "pgpass")
	os.WriteFile(pass, []byte(fmt.Sprintf("127.0.0.1:%d:*:borgtest:s3cret-pg\n", port)), 0o600)
	return &postgres{port: port, passfile: pass, env: []string{"PGPASSFILE=" + pass, "PGHOST=127.0.0.1", "PGPORT=" + strconv.Itoa(port), "PGUSER=borgtest"}}
}

func (p *postgres) psql(t *testing.T, db, sql string) string {
	return sh(t, p.env, "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql)
}

const pgChecksum = "SELECT count(*) || ':' || md5(string_agg(id || '|' || name || '|' || price::text, ',' ORDER BY id)) FROM items"

func TestPostgresJobRestoresIdenticalRows(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	pg := startPostgres(t)
	pg.psql(t, "postgres", "CREATE DATABASE shop")
	pg.psql(t, "shop", "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2)); INSERT INTO items SELECT g, 'item ' || g || ' ünïcode', g * 1.25 FROM generate_series(1, 5000) g")
	want := pg.psql(t, "shop", pgChecksum)

	f := startFleet(t)
	f.run(f.enroll("db1"))
	port := strconv.Itoa(pg.port)
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "db1", "--name", "shop-db", "--postgres", "shop",
		"--pg-host", "127.0.0.1", "--pg-port", port, "--pg-user", "borgtest", "--pg-passfile", pg.passfile, "--keep-daily", "7")
	var run map[string]any
	f.mustJSON(&run, "job", "run", "shop-db", "--wait")
	if run["status"] != "succeeded" {
		t.Fatalf("run = %v", run)
	}
	// Restore the dump from the coordinator's copy into a new database.
	uuid := f.uuid("db1")
	dump := filepath.Join(t.TempDir(), "shop.dump")
	out, err := f.borgLocal(uuid, "extract", "--stdout", filepath.Join(f.data, "repos", uuid)+"::"+run["archive"].(string), "postgres/shop.dump")
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	os.WriteFile(dump, []byte(out), 0o600)
	pg.psql(t, "postgres", "CREATE DATABASE shop_copy")
	sh(t, pg.env, "pg_restore", "--no-owner", "-d", "shop_copy", dump)
	if got := pg.psql(t, "shop_copy", pgChecksum); got != want {
		t.Errorf("restored rows %s; want %s", got, want)
	}

	// The agent restores the dump into a new database, with a row count.
	archive := run["archive"].(string)
	var task dbRestoreTask
	f.mustJSON(&task, "db-restore", "db1", archive, "postgres/shop.dump", "--as", "shop_agent", "--wait")
	if task.Status != "succeeded" || task.Result.Rows != 5000 || len(task.Result.Tables) != 1 || task.Result.Tables[0].Name != "public.items" {
		t.Fatalf("db-restore into a copy = %+v", task)
	}
	if got := pg.psql(t, "shop_agent", pgChecksum); got != want {
		t.Errorf("db-restore copy rows %s; want %s", got, want)
	}
	if r := f.cli("db-restore", "db1", archive, "postgres/shop.dump", "--as", "shop_agent", "--wait"); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("db-restore over an existing copy = %+v", r)
	}
	// Replacing the original needs its name confirmed, then brings it back.
	pg.psql(t, "shop", "DELETE FROM items WHERE id > 10")
	if r := f.cli("db-restore", "db1", archive, "postgres/shop.dump", "--replace", "shop", "--wait"); r.code == 0 || !strings.Contains(r.stderr, "confirm by typing its name") {
		t.Errorf("replace without confirmation = %+v", r)
	}
	if got := pg.psql(t, "shop", "SELECT count(*) FROM items"); got != "10" {
		t.Fatalf("an unconfirmed replace touched the database: %s rows", got)
	}
	f.mustJSON(&task, "db-restore", "db1", archive, "postgres/shop.dump", "--replace", "shop", "--confirm", "shop", "--wait")
	if got := pg.psql(t, "shop", pgChecksum); task.Status != "succeeded" || got != want {
		t.Errorf("replace: %+v, rows %s; want %s", task, got, want)
	}

	// A database that does not exist fails the run with a readable error.
	f.mustJSON(&job, "job", "create", "--server", "db1", "--name", "ghost-db", "--postgres", "nosuchdb",
		"--pg-host", "127.0.0.1", "--pg-port", port, "--pg-user", "borgtest", "--pg-passfile", pg.passfile)
	r := f.cli("job", "run", "ghost-db", "--wait")
	if r.code == 0 || !strings.Contains(r.stderr, "nosuchdb") {
		t.Errorf("job for a missing database = %+v; want a failure naming it", r)
	}
}

type dbRestoreTask struct {
	Status string `json:"status"`
	Result struct {
		Database string `json:"database"`
		Rows     int64  `json:"rows"`
		Tables   []struct {
			Name string `json:"name"`
			Rows int64  `json:"rows"`
		} `json:"tables"`
	} `json:"result"`
}

type mariadb struct {
	port     int
	defaults string
	socket   string
}

func startMariaDB(t *testing.T) *mariadb {
	t.Helper()
	server := needTool(t, "mariadb-server", "mariadbd", "/usr/sbin/mariadbd")
	installDB := needTool(t, "mariadb-server", "mariadb-install-db", "/usr/bin/mariadb-install-db")
	dir := publicTempDir(t, "borgdesk-my-")
	data := filepath.Join(dir, "data")
	sh(t, nil, installDB, "--no-defaults", "--datadir="+data, "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db")
	port := freePort(t)
	sock := filepath.Join(dir, "sock")
	cmd := exec.Command(server, "--no-defaults", "--datadir="+data, "--socket="+sock, "--port="+strconv.Itoa(port),
		"--bind-address=127.0.0.1", "--user=root", "--pid-file="+filepath.Join(dir, "pid"), "--log-error="+filepath.Join(dir, "err.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitFor(t, 30*time.Second, "mariadbd to accept connections", func() bool {
		return exec.Command("mariadb", "--no-defaults", "--socket="+sock, "-u", "root", "-e", "SELECT 1").Run() == nil
	})
	sh(t, nil, "mariadb", "--no-defaults", "--socket="+sock, "-u", "root", "-e",
		"CREATE USER 'bk'@'127.0.0.1' IDENTIFIED BY 's3cret-my'; GRANT ALL ON *.* TO 'bk'@'127.0.0.1';")
	defaults := filepath.Join(t.TempDir(), "my.cnf")
	os.WriteFile(defaults, []byte(fmt.Sprintf("[client]\nuser=bk\npassword=s3cret-my\nhost=127.0.0.1\nport=%d\nprotocol=tcp\n", port)), 0o600)
	return &mariadb{port: port, defaults: defaults, socket: sock}
}

func (m *mariadb) sql(t *testing.T, q string) string {
	return sh(t, nil, "mariadb", "--defaults-extra-file="+m.defaults, "-N", "-B", "-e", q)
}

const myChecksum = "SELECT CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT(id, '|', name, '|', price ORDER BY id SEPARATOR ','))) FROM shop.items"

func TestMariaDBJobRestoresIdenticalRows(t *testing.T) {
	t.Parallel() // its own coordinator, agents, ports and data dir
	my := startMariaDB(t)
	my.sql(t, "SET SESSION max_recursive_iterations = 100000; CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(64), price DECIMAL(10,2)) CHARACTER SET utf8mb4;"+
		"INSERT INTO shop.items WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM seq WHERE n < 3000) SELECT n, CONCAT('item ', n, ' ünïcode'), n*1.25 FROM seq;")
	want := my.sql(t, "SET SESSION group_concat_max_len = 10000000; "+myChecksum)

	f := startFleet(t)
	f.run(f.enroll("db2"))
	var job map[string]any
	f.mustJSON(&job, "job", "create", "--server", "db2", "--name", "shop-my", "--mysql", "shop", "--mysql-defaults-file", my.defaults)
	var run map[string]any
	f.mustJSON(&run, "job", "run", "shop-my", "--wait")
	if run["status"] != "succeeded" {
		t.Fatalf("run = %v", run)
	}
	uuid := f.uuid("db2")
	out, err := f.borgLocal(uuid, "extract", "--stdout", filepath.Join(f.data, "repos", uuid)+"::"+run["archive"].(string), "mysql/shop.sql")
	if err != nil || !strings.Contains(out, "CREATE TABLE `items`") {
		t.Fatalf("extract: %v (%d bytes)", err, len(out))
	}
	my.sql(t, "DROP DATABASE shop")
	restore := exec.Command("mariadb", "--defaults-extra-file="+my.defaults)
	restore.Stdin = strings.NewReader(out)
	if b, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, b)
	}
	if got := my.sql(t, "SET SESSION group_concat_max_len = 10000000; "+myChecksum); got != want {
		t.Errorf("restored rows %s; want %s", got, want)
	}

	// The agent restores the dump into a new database (the dump's own
	// CREATE DATABASE and USE are left out), with a row count.
	var task dbRestoreTask
	f.mustJSON(&task, "db-restore", "db2", run["archive"].(string), "mysql/shop.sql", "--as", "shop_copy", "--wait")
	if task.Status != "succeeded" || task.Result.Rows != 3000 || len(task.Result.Tables) != 1 || task.Result.Tables[0].Name != "items" {
		t.Fatalf("db-restore into a copy = %+v", task)
	}
	if got := my.sql(t, "SET SESSION group_concat_max_len = 10000000; "+strings.Replace(myChecksum, "shop.items", "shop_copy.items", 1)); got != want {
		t.Errorf("db-restore copy rows %s; want %s", got, want)
	}
	if got := my.sql(t, "SELECT COUNT(*) FROM shop.items"); got != "3000" {
		t.Errorf("the original changed during a copy restore: %s rows", got)
	}

	// Wrong credentials fail the run, and no archive is left behind.
	bad := filepath.Join(t.TempDir(), "bad.cnf")
	os.WriteFile(bad, []byte(fmt.Sprintf("[client]\nuser=bk\npassword=wrong\nhost=127.0.0.1\nport=%d\nprotocol=tcp\n", my.port)), 0o600)
	f.mustJSON(&job, "job", "create", "--server", "db2", "--name", "bad-creds", "--mysql", "shop", "--mysql-defaults-file", bad)
	r := f.cli("job", "run", "bad-creds", "--wait")
	if r.code == 0 || !strings.Contains(r.stderr, "Access denied") {
		t.Errorf("wrong credentials = %+v; want a failure saying access was denied", r)
	}
	var archives []map[string]any
	f.mustJSON(&archives, "archive", "list", "db2")
	for _, a := range archives {
		if a["job"] == "bad-creds" {
			t.Errorf("a failed dump left archive %v", a["name"])
		}
	}
}
