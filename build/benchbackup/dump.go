package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
)

// coordinatorDisk puts the coordinator's data dir (its repositories) on a
// tmpfs of its own when running as root, so the agent's disk shows only
// what the agent side writes. It returns the dir and an undo.
func coordinatorDisk(tmp string) (string, func(), bool) {
	dir := filepath.Join(tmp, "coordinator-disk")
	os.MkdirAll(dir, 0o700)
	if os.Geteuid() != 0 {
		return dir, func() {}, false
	}
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4g,mode=0700", "tmpfs", dir).Run(); err != nil {
		return dir, func() {}, false
	}
	return dir, func() { exec.Command("umount", "-l", dir).Run() }, true
}

func used(path string) uint64 {
	var st syscall.Statfs_t
	syscall.Statfs(path, &st)
	return (st.Blocks - st.Bfree) * uint64(st.Bsize)
}

// dumpSpace runs a PostgreSQL job of a generated database and samples the
// agent's disk every 10 ms: a dump that went through a temporary file
// would show its whole size there.
func dumpSpace(ctx context.Context, svc *service.Service, tmp, repoDir string, rows int) error {
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	pgUser, err := user.Lookup("postgres")
	if len(initdbs) == 0 || err != nil {
		return fmt.Errorf("PostgreSQL is not installed (make deps installs it)")
	}
	bin := filepath.Dir(initdbs[len(initdbs)-1])
	uid, _ := strconv.Atoi(pgUser.Uid)
	dir, err := os.MkdirTemp("/tmp", "benchpg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	os.Chown(dir, uid, uid)
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("bench-pg\n"), 0o600)
	os.Chown(pw, uid, uid)
	data := filepath.Join(dir, "data")
	run := func(env []string, name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", name, err, out)
		}
		return nil
	}
	if err := run(nil, "runuser", "-u", "postgres", "--", filepath.Join(bin, "initdb"), "-D", data, "-U", "bench", "--pwfile="+pw, "-A", "scram-sha-256"); err != nil {
		return err
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := run(nil, "runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir), "start"); err != nil {
		return err
	}
	defer exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	pass := filepath.Join(tmp, "pgpass")
	os.WriteFile(pass, []byte(fmt.Sprintf("127.0.0.1:%d:*:bench:bench-pg\n", port)), 0o600)
	env := []string{"PGPASSFILE=" + pass, "PGHOST=127.0.0.1", "PGPORT=" + strconv.Itoa(port), "PGUSER=bench"}
	if err := run(env, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", "CREATE DATABASE shop"); err != nil {
		return err
	}
	fill := fmt.Sprintf("CREATE TABLE items (id int, body text); INSERT INTO items SELECT g, md5(g::text) || md5((g+1)::text) || md5((g+2)::text) || md5((g+3)::text) FROM generate_series(1, %d) g", rows)
	if err := run(env, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "shop", "-c", fill); err != nil {
		return err
	}
	run(nil, "sync")

	job, err := svc.CreateJob(ctx, service.JobInput{Server: "bench", Name: "shop", Spec: agentapi.BackupSpec{Kind: agentapi.KindPostgres,
		Postgres: &agentapi.PostgresSpec{Databases: []string{"shop"}, Host: "127.0.0.1", Port: port, User: "bench", PassFile: pass}}})
	if err != nil {
		return err
	}
	agentDisk := tmp // the agent's dirs, TMPDIR and the database live here
	base := used(agentDisk)
	repoBase := used(repoDir)
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			u := used(agentDisk)
			mu.Lock()
			peak = max(peak, u)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	r, err := svc.RunJob(ctx, fmt.Sprint(job.ID), "manual")
	if err == nil {
		r, err = svc.WaitRun(ctx, r.ID)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	if r.Status != "succeeded" {
		return fmt.Errorf("postgres job %s: %s", r.Status, r.Error)
	}
	growth := int64(peak) - int64(base)
	fmt.Printf("pg_dump of a %d-row database streamed into borg: %.1f MiB dumped in %.2f s\n", rows, float64(r.Bytes)/(1<<20), time.Since(start).Seconds())
	fmt.Printf("  peak growth of the agent's disk during the dump: %.1f MiB (%.1f%% of the dump; a temporary copy would be ≥ 100%%)\n",
		float64(growth)/(1<<20), 100*float64(growth)/float64(max(r.Bytes, 1)))
	fmt.Printf("  the coordinator's repository grew by:            %.1f MiB\n", float64(int64(used(repoDir))-int64(repoBase))/(1<<20))
	if growth > r.Bytes/2 {
		fmt.Println("  WARNING: the agent's disk grew by more than half the dump: look for a temporary copy")
	}
	return nil
}
