// Package backup runs one backup task on the agent's host: hooks, the
// source (files, a database dump, containers' volumes, an LVM snapshot),
// borg create into the coordinator's repository, and a check that the
// archive exists before success is reported. Dumps stream straight into
// borg (--content-from-command): no copy of a database ever lands on disk,
// and a dump that fails makes the archive fail too.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/tail"
)

// Env is what a backup needs from the agent.
type Env struct {
	Borg *borg.Borg
	// RSH is BORG_RSH: the agent's own SSH client with the pinned host key.
	RSH string
	// Progress receives throttled progress reports.
	Progress func(agentapi.BackupProgress)
	// Log receives lines for the run's log.
	Log func(format string, args ...any)
}

// Run performs a backup task.
func Run(ctx context.Context, env Env, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	if env.Log == nil {
		env.Log = func(string, ...any) {}
	}
	if p.Passphrase == "" {
		return agentapi.BackupResult{}, errors.New("the task carries no repository passphrase")
	}
	repo := borg.Repo{Location: p.Repo, Passphrase: p.Passphrase, RSH: env.RSH}
	start := time.Now()
	for _, hook := range p.Spec.Pre {
		if err := runHook(ctx, env, "pre", hook); err != nil {
			return agentapi.BackupResult{}, err
		}
	}
	borgStarted := time.Now().UTC()
	res, err := source(ctx, env, repo, p)
	borgDone := time.Now().UTC()
	res.BorgStarted, res.BorgDone = &borgStarted, &borgDone
	var postErrs []string
	for _, hook := range p.Spec.Post { // always, even after a failure
		if herr := runHook(context.WithoutCancel(ctx), env, "post", hook); herr != nil {
			postErrs = append(postErrs, herr.Error())
		}
	}
	if err != nil {
		return agentapi.BackupResult{}, err
	}
	res.DurationSec = time.Since(start).Seconds()
	if len(postErrs) > 0 {
		res.Warnings = strings.TrimSpace(res.Warnings + " " + strings.Join(postErrs, "; "))
	}
	// Success means the archive is in the repository, not that borg said
	// so. A repository on the coordinator is confirmed there, in its own
	// copy, without a second borg over SSH.
	if p.CoordinatorVerifies {
		env.Log("archive %s created: %d files, %d bytes, %d new after deduplication; the coordinator confirms it in its copy", res.Archive, res.Files, res.Bytes, res.Deduplicated)
		return res, nil
	}
	archives, err := env.Borg.List(ctx, repo)
	if err != nil {
		return agentapi.BackupResult{}, fmt.Errorf("verify archive: %w", err)
	}
	if !slices.ContainsFunc(archives, func(a borg.Archive) bool { return a.Name == res.Archive }) {
		return agentapi.BackupResult{}, fmt.Errorf("verify archive: %s is not in the repository after borg create", res.Archive)
	}
	res.Verified = true
	env.Log("archive %s verified: %d files, %d bytes, %d new after deduplication", res.Archive, res.Files, res.Bytes, res.Deduplicated)
	return res, nil
}

func source(ctx context.Context, env Env, repo borg.Repo, p agentapi.BackupPayload) (agentapi.BackupResult, error) {
	s := p.Spec
	switch s.Kind {
	case agentapi.KindFiles:
		if len(s.Paths) == 0 {
			return agentapi.BackupResult{}, errors.New("a files job needs at least one path")
		}
		for _, path := range s.Paths {
			if _, err := os.Stat(path); err != nil {
				return agentapi.BackupResult{}, fmt.Errorf("path %s: %w", path, err)
			}
		}
		return create(ctx, env, repo, borg.CreateOptions{Archive: p.Archive, Paths: s.Paths, Excludes: s.Excludes, OneFileSystem: s.OneFileSystem,
			Compression: s.Compression, CheckpointInterval: s.CheckpointInterval})
	case agentapi.KindMySQL:
		return dumpMySQL(ctx, env, repo, p)
	case agentapi.KindPostgres:
		return dumpPostgres(ctx, env, repo, p)
	case agentapi.KindMongo:
		return dumpMongo(ctx, env, repo, p)
	case agentapi.KindDocker:
		return dockerVolumes(ctx, env, repo, p)
	case agentapi.KindLVM:
		return lvmSnapshot(ctx, env, repo, p)
	}
	return agentapi.BackupResult{}, fmt.Errorf("unknown job kind %q: update the agent", s.Kind)
}

// checkpointEvery makes borg commit a checkpoint archive every five minutes,
// so a backup cut by the network resumes from it (its chunks are already in
// the repository) instead of starting over.
const checkpointEvery = 300

// create runs borg create with throttled progress.
func create(ctx context.Context, env Env, repo borg.Repo, o borg.CreateOptions) (agentapi.BackupResult, error) {
	start := time.Now()
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = checkpointEvery
	}
	var last time.Time
	a, err := env.Borg.Create(ctx, repo, o, func(p borg.Progress) {
		if env.Progress == nil || (time.Since(last) < time.Second && !p.Finished) {
			return
		}
		last = time.Now()
		env.Progress(agentapi.BackupProgress{Files: p.NFiles, Bytes: p.OriginalSize, Compressed: p.CompressedSize,
			Deduplicated: p.DeduplicatedSize, Path: p.Path, BytesPerSec: float64(p.OriginalSize) / max(time.Since(start).Seconds(), 0.001)})
	})
	res := agentapi.BackupResult{Archive: o.Archive}
	var warn *borg.Warning
	if err != nil && !errors.As(err, &warn) {
		return res, err
	}
	if warn != nil {
		res.Warnings = warn.Stderr
		env.Log("borg warnings: %s", warn.Stderr)
	}
	res.ArchiveID, res.Files, res.Bytes = a.ID, a.Stats.NFiles, a.Stats.OriginalSize
	res.Compressed, res.Deduplicated = a.Stats.CompressedSize, a.Stats.DeduplicatedSize
	return res, nil
}

func runHook(ctx context.Context, env Env, which string, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	env.Log("%s hook %q: %s", which, strings.Join(argv, " "), strings.TrimSpace(string(out)))
	if err != nil {
		return fmt.Errorf("%s hook %q failed: %v: %s", which, strings.Join(argv, " "), err, tail.Of(out, 500))
	}
	return nil
}
