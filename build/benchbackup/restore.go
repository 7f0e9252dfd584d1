package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// restoreBench compares, in alternating rounds on one archive, a restore
// through Borgdesk (queued on the coordinator, handed to the agent, borg
// extract through the Borg SSH server into a staging folder, placed into
// the destination) with plain `borg extract` of the same archive, from
// the local repository and through the same Borg SSH server.
type restoreBench struct {
	svc     *service.Service
	tmp     string
	repo    string // the server's repository, on the coordinator's disk
	viaURL  string // the same through the Borg SSH server
	rsh     string
	borgEnv func(rsh string) []string
}

type restoreFigures struct {
	mb, files, rounds       int
	borgdesk, local, viaSSH time.Duration
}

func (b *restoreBench) run(ctx context.Context, mb, nfiles, rounds int) (restoreFigures, error) {
	f := restoreFigures{mb: mb, files: nfiles, rounds: rounds}
	src := filepath.Join(b.tmp, "restore-src")
	if err := generate(src, mb<<20, nfiles); err != nil {
		return f, err
	}
	defer os.RemoveAll(src)
	os.RemoveAll(b.repo)
	if err := b.borg("", "", "init", "--encryption=repokey-blake2", b.repo); err != nil {
		return f, err
	}
	const archive = "restore-bench"
	if err := b.borg("", "", "create", "--compression", "zstd,3", b.repo+"::"+archive, src); err != nil {
		return f, err
	}
	// The catalog indexes the archive before the clock starts (a restore
	// of an archive the window shows finds it indexed).
	if _, err := b.svc.PlanRestore(ctx, service.RestoreRequest{Server: "bench", Archive: archive, To: "/"}); err != nil {
		return f, fmt.Errorf("plan the restore: %w", err)
	}
	var desks, locals, vias []time.Duration
	for i := 0; i < rounds; i++ {
		dst := filepath.Join(b.tmp, fmt.Sprintf("restored-%d", i))
		start := time.Now()
		t, err := b.svc.StartRestore(ctx, service.RestoreRequest{Server: "bench", Archive: archive, To: dst, Policy: agentapi.PolicyOverwrite})
		if err != nil {
			return f, err
		}
		if t, err = b.svc.WaitTask(ctx, t.ID); err != nil {
			return f, err
		}
		desks = append(desks, time.Since(start))
		if t.Status != store.TaskSucceeded {
			return f, fmt.Errorf("restore task %s: %s", t.Status, t.Error)
		}
		if err := sameTree(src, filepath.Join(dst, src)); err != nil {
			return f, fmt.Errorf("the restore through Borgdesk: %w", err)
		}
		os.RemoveAll(dst)

		for _, way := range []struct {
			into      *[]time.Duration
			repo, rsh string
		}{{&locals, b.repo, ""}, {&vias, b.viaURL, b.rsh}} {
			os.MkdirAll(dst, 0o700)
			start := time.Now()
			if err := b.borg(dst, way.rsh, "extract", way.repo+"::"+archive); err != nil {
				return f, err
			}
			*way.into = append(*way.into, time.Since(start))
			os.RemoveAll(dst)
		}
	}
	f.borgdesk, f.local, f.viaSSH = median(desks), median(locals), median(vias)
	return f, nil
}

func (b *restoreBench) borg(dir, rsh string, args ...string) error {
	cmd := exec.Command("borg", args...)
	cmd.Dir = dir
	cmd.Env = b.borgEnv(rsh)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("borg %s: %v\n%s", args[0], err, out)
	}
	return nil
}

// sameTree checks that every file of want is in got with the same size
// (the bench's own check that the restore restored).
func sameTree(want, got string) error {
	return filepath.Walk(want, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		gi, err := os.Stat(filepath.Join(got, rel))
		if err != nil {
			return err
		}
		if gi.Size() != fi.Size() {
			return fmt.Errorf("%s: %d bytes restored, %d in the source", rel, gi.Size(), fi.Size())
		}
		return nil
	})
}

func (f restoreFigures) print() {
	mbf := float64(f.mb)
	fmt.Printf("restore of a %d MiB archive (%d files), medians of %d alternating rounds:\n", f.mb, f.files, f.rounds)
	fmt.Printf("  borg extract, local repository:             %7.2f s  (%.0f MiB/s)\n", f.local.Seconds(), mbf/f.local.Seconds())
	fmt.Printf("  borg extract, through the Borg SSH server:  %7.2f s  (%.0f MiB/s)\n", f.viaSSH.Seconds(), mbf/f.viaSSH.Seconds())
	fmt.Printf("  Borgdesk restore (queue → files in place):  %7.2f s  (%.0f MiB/s)\n", f.borgdesk.Seconds(), mbf/f.borgdesk.Seconds())
	fmt.Printf("  Borgdesk's speed against borg extract: %.2f× local, %.2f× through the same server (aim ≥ 0.9×)\n",
		f.local.Seconds()/f.borgdesk.Seconds(), f.viaSSH.Seconds()/f.borgdesk.Seconds())
}
