// Command benchbackup compares, on one generated data set in one run, the
// wall time of a Borgdesk file job (coordinator, agent process, Borg SSH
// server, task hand-out, archive verification) with plain `borg create` of
// the same tree, locally, through OpenSSH's sshd on loopback (forced
// `borg serve`, as root) and through the same Borg SSH server. The ratio of
// the job to plain borg over the same transport is the orchestration
// overhead; the job's run-log timeline says where its time went. Then a
// restore through Borgdesk against `borg extract` of the same archive.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/coordinator"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
)

func main() {
	mb := flag.Int("mb", 400, "size of the generated tree in MiB")
	files := flag.Int("files", 4000, "number of files")
	rounds := flag.Int("rounds", 3, "rounds of the ways (medians are reported)")
	flag.IntVar(&restoreMB, "restore-mb", 1024, "size of the archive the restore bench restores in MiB (0: no restore bench)")
	flag.IntVar(&dumpRows, "dump-rows", 1_500_000, "rows of the generated PostgreSQL database of the dump bench (0: no dump bench)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the coordinator (the Borg SSH server, the gateway, the jobs) to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchbackup:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*mb, *files, *rounds); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "benchbackup:", err)
		os.Exit(1)
	}
}

var restoreMB, dumpRows int

func run(mb, nfiles, rounds int) error {
	tmp, err := os.MkdirTemp("", "benchbackup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "src")
	if err := generate(src, mb<<20, nfiles); err != nil {
		return err
	}
	fmt.Printf("data set: %d files, %d MiB (half random, half zeros per file); load average %s\n", nfiles, mb, loadavg())

	agentBin := filepath.Join(tmp, "borgdesk-agent")
	if out, err := exec.Command("go", "build", "-o", agentBin, "./agent").CombinedOutput(); err != nil {
		return fmt.Errorf("build agent: %v\n%s", err, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	disk, undo, separate := coordinatorDisk(tmp)
	defer undo()
	data := filepath.Join(disk, "data")
	c, err := coordinator.Open(ctx, coordinator.Options{DataDir: data, Socket: filepath.Join(data, "s.sock"), GatewayListen: "127.0.0.1:0",
		SSHListen: "127.0.0.1:0", GatewayHosts: []string{"127.0.0.1"}, AgentDir: tmp, Version: "bench"})
	if err != nil {
		return err
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	svc := c.Service()
	for svc.GatewayURL() == "" {
		time.Sleep(10 * time.Millisecond)
	}
	cfg := filepath.Join(tmp, "agent", "config.yaml")
	tok, err := svc.CreateEnrollmentToken(ctx, "bench", time.Hour)
	if err != nil {
		return err
	}
	if out, err := exec.Command(agentBin, "enroll", "--config", cfg, "--server", tok.ServerURL, "--name", "bench", "--token", tok.Token, "--ca-fingerprint", tok.CAFingerprint).CombinedOutput(); err != nil {
		return fmt.Errorf("enroll: %v\n%s", err, out)
	}
	agent := exec.Command(agentBin, "run", "--config", cfg)
	if err := agent.Start(); err != nil {
		return err
	}
	defer func() { agent.Process.Signal(os.Interrupt); agent.Wait() }()
	sv, err := svc.Server(ctx, "bench")
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if s, _ := svc.Server(ctx, "bench"); s.Online {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("agent did not come online")
		}
	}
	// The job's repository exists before the clock starts, like the others'.
	repoDir := filepath.Join(data, "repos", sv.UUID)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(repoDir, "config")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("repository was not created")
		}
	}
	pass, _ := os.ReadFile(filepath.Join(data, "keys", sv.UUID+".passphrase"))
	sshPort := sshPort(cfg)

	borgEnv := func(rsh string) []string {
		env := append(os.Environ(), "BORG_PASSPHRASE="+string(pass), "BORG_BASE_DIR="+filepath.Join(tmp, "borgbase-"+fmt.Sprint(time.Now().UnixNano())))
		if rsh != "" {
			env = append(env, "BORG_RSH="+rsh)
		}
		return env
	}
	initRepo := func(repo, rsh string) error {
		init := exec.Command("borg", "init", "--encryption=repokey-blake2", repo)
		init.Env = borgEnv(rsh)
		if out, err := init.CombinedOutput(); err != nil {
			return fmt.Errorf("borg init %s: %v\n%s", repo, err, out)
		}
		return nil
	}
	timed := func(rsh string, args ...string) (time.Duration, error) {
		start := time.Now()
		cmd := exec.Command("borg", args...)
		cmd.Env = borgEnv(rsh)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("borg %s: %v\n%s", args[0], err, out)
		}
		return time.Since(start), nil
	}
	job, err := svc.CreateJob(ctx, service.JobInput{Server: "bench", Name: "tree", Spec: agentapi.BackupSpec{Kind: agentapi.KindFiles, Paths: []string{src}, Compression: "zstd,3"}})
	if err != nil {
		return err
	}
	rsh := agentBin + " ssh --config " + cfg
	viaURL := fmt.Sprintf("ssh://borgdesk@127.0.0.1:%d%s", sshPort, repoDir)
	ossh, osshErr := startOpenSSH(tmp, disk)
	if ossh != nil {
		defer ossh.stop()
	}
	var locals, viaSSHs, opens, jobs, lists []time.Duration
	var timelines []map[string]time.Duration
	// Rounds alternate the three ways, each into a fresh repository (made
	// before the clock starts), so every archive is a first, full one.
	for i := 0; i < rounds; i++ {
		local := filepath.Join(disk, fmt.Sprintf("local-%d", i))
		if err := initRepo(local, ""); err != nil {
			return err
		}
		d, err := timed("", "create", "--compression", "zstd,3", local+"::plain", src)
		if err != nil {
			return err
		}
		locals = append(locals, d)
		os.RemoveAll(local)

		if ossh != nil { // plain borg through OpenSSH's sshd, fresh repository
			repo := filepath.Join(disk, fmt.Sprintf("openssh-%d", i))
			if err := initRepo(repo, ""); err != nil {
				return err
			}
			if d, err = timed(ossh.rsh, "create", "--compression", "zstd,3", ossh.url(repo)+"::plain", src); err != nil {
				return err
			}
			opens = append(opens, d)
			os.RemoveAll(repo)
		}

		os.RemoveAll(repoDir)
		if err := initRepo(repoDir, ""); err != nil { // the job's own repository, as repos.Ensure makes it
			return err
		}
		start := time.Now()
		r, err := svc.RunJob(ctx, fmt.Sprint(job.ID), "manual")
		if err != nil {
			return err
		}
		if r, err = svc.WaitRun(ctx, r.ID); err != nil {
			return err
		}
		jobs = append(jobs, time.Since(start))
		if r.Status != "succeeded" {
			return fmt.Errorf("job run %s: %s", r.Status, r.Error)
		}
		timelines = append(timelines, timeline(r.Log))

		// Plain borg through the same Borg SSH server into the same path,
		// fresh again.
		os.RemoveAll(repoDir)
		if err := initRepo(viaURL, rsh); err != nil {
			return err
		}
		if d, err = timed(rsh, "create", "--compression", "zstd,3", viaURL+"::plain", src); err != nil {
			return err
		}
		viaSSHs = append(viaSSHs, d)
		// What the agent's verification costs: one borg list over SSH.
		if d, err = timed(rsh, "list", "--short", viaURL); err != nil {
			return err
		}
		lists = append(lists, d)
	}
	var restore restoreFigures
	if restoreMB > 0 {
		rb := &restoreBench{svc: svc, tmp: tmp, repo: repoDir, viaURL: viaURL, rsh: rsh, borgEnv: borgEnv}
		if restore, err = rb.run(ctx, restoreMB, max(1, restoreMB*nfiles/max(1, mb)), rounds); err != nil {
			return fmt.Errorf("restore bench: %w", err)
		}
	}
	var dumpErr error
	if dumpRows == 0 {
		dumpErr = fmt.Errorf("-dump-rows 0")
	} else if separate {
		os.RemoveAll(repoDir)
		dumpErr = dumpSpace(ctx, svc, tmp, disk, dumpRows)
	} else {
		dumpErr = fmt.Errorf("needs root, to put the coordinator's repositories on a disk of their own (a tmpfs)")
	}
	cancel()
	<-done

	local, viaSSH, jobTime, list := median(locals), median(viaSSHs), median(jobs), median(lists)
	mbf := float64(mb)
	fmt.Printf("medians of %d alternating rounds; load average now %s\n", rounds, loadavg())
	fmt.Printf("plain borg create, local repository:        %7.2f s  (%.0f MiB/s)\n", local.Seconds(), mbf/local.Seconds())
	if ossh != nil {
		open := median(opens)
		fmt.Printf("plain borg create, through OpenSSH's sshd:  %7.2f s  (%.0f MiB/s)\n", open.Seconds(), mbf/open.Seconds())
		fmt.Printf("plain borg create, through Borg SSH server: %7.2f s  (%.0f MiB/s)\n", viaSSH.Seconds(), mbf/viaSSH.Seconds())
		fmt.Printf("transport: Borgdesk's server %.2f× OpenSSH's speed (aim ≥ 1.1×); OpenSSH %.2f× and Borgdesk's server %.2f× the local repository's\n",
			open.Seconds()/viaSSH.Seconds(), local.Seconds()/open.Seconds(), local.Seconds()/viaSSH.Seconds())
	} else {
		fmt.Printf("plain borg create, through Borg SSH server: %7.2f s  (%.0f MiB/s)\n", viaSSH.Seconds(), mbf/viaSSH.Seconds())
		fmt.Println("OpenSSH comparison skipped:", osshErr)
	}
	fmt.Printf("Borgdesk file job (queue → verified):       %7.2f s  (%.0f MiB/s)\n", jobTime.Seconds(), mbf/jobTime.Seconds())
	fmt.Printf("  of which the fixed cost (job − plain):    %7.2f s; the archive check (borg list over SSH) alone: %.2f s\n", (jobTime - viaSSH).Seconds(), list.Seconds())
	fmt.Printf("orchestration overhead (job / plain over the same transport): %.3f× (%+.1f%%)\n", jobTime.Seconds()/viaSSH.Seconds(), (jobTime.Seconds()/viaSSH.Seconds()-1)*100)
	fmt.Printf("transport cost (SSH / local):                                 %.3f×\n", viaSSH.Seconds()/local.Seconds())
	fixed := (jobTime - viaSSH).Seconds()
	if fixed > 0 {
		fmt.Printf("the fixed cost is under 5%% of a backup from about %.0f MiB on (at the SSH throughput above)\n", fixed/0.05*mbf/viaSSH.Seconds())
	}
	printTimeline(timelines)
	if restoreMB > 0 {
		restore.print()
	}
	if dumpErr != nil {
		fmt.Println("dump temporary space: skipped:", dumpErr)
	}
	return nil
}

func generate(dir string, total, n int) error {
	per := total / n
	buf := make([]byte, per)
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%20))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		rand.Read(buf[:per/2])
		clear(buf[per/2:])
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d", i)), buf, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sshPort(cfg string) int {
	raw, _ := os.ReadFile(cfg)
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "port: "); ok {
			var p int
			fmt.Sscanf(v, "%d", &p)
			return p
		}
	}
	return 0
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
