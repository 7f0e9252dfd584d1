// Package restore puts archived files and database dumps back onto the
// agent's server.
//
// Files are extracted by borg into a staging folder inside the destination
// (same file system, so placing them is a rename), or received there from
// the coordinator's stream when they come from another server's archive,
// then placed one by one under the overwrite policy. Nothing reaches the
// destination until every byte is staged: a failed, full or cancelled
// extraction leaves the destination as it was, and a restore stopped while placing reports
// exactly what it had written.
package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/safefs"
	"borgdesk/backend/shared/units"
)

// Env is what a restore needs from the agent.
type Env struct {
	Borg *borg.Borg
	// RSH is BORG_RSH: the agent's SSH client with the pinned host key.
	RSH string
	// TaskID names the staging folder.
	TaskID int64
	// Progress receives throttled reports.
	Progress func(agentapi.TaskProgress)
	// Log receives lines for the task's log.
	Log func(format string, args ...any)
	// Now is the clock (time.Now when nil); it names kept-both copies.
	Now func() time.Time
	// StateDir, when set, records staging folders while they exist, so
	// that CleanStaging removes those a killed agent left behind.
	StateDir string
	// Stream opens the task's stream from the coordinator (a streamed
	// restore: tar for files, the dump's bytes for a database). Reading it
	// fails unless the coordinator said it sent everything.
	Stream func(ctx context.Context) (io.ReadCloser, error)
}

// CleanStaging removes the staging folders of restores the agent did not
// finish (it was killed or the machine stopped), and returns them.
func CleanStaging(stateDir string) []string {
	recs, _ := filepath.Glob(filepath.Join(stateDir, "restore-staging-*"))
	var cleaned []string
	for _, r := range recs {
		if b, err := os.ReadFile(r); err == nil {
			p := strings.TrimSpace(string(b))
			if strings.HasPrefix(filepath.Base(p), StagingPrefix) {
				os.RemoveAll(p)
				cleaned = append(cleaned, p)
			}
		}
		os.Remove(r)
	}
	return cleaned
}

// StagingPrefix starts the name of the folder a restore extracts into.
const StagingPrefix = ".borgdesk-restore-"

const maxWritten = 100

// Files restores paths of an archive under p.To with p.Policy. On failure
// the error says what had been written, and the result carries it too.
func Files(ctx context.Context, env Env, p agentapi.RestorePayload) (agentapi.RestoreResult, error) {
	env.defaults()
	res := agentapi.RestoreResult{To: p.To, Written: []string{}}
	if p.Passphrase == "" && !p.Stream {
		return res, errors.New("the task carries no repository passphrase")
	}
	switch p.Policy {
	case agentapi.PolicySkip, agentapi.PolicyOverwrite, agentapi.PolicyKeepBoth:
	default:
		return res, fmt.Errorf("unknown overwrite policy %q: use skip, overwrite or keep-both", p.Policy)
	}
	to := p.To
	if to == "" {
		to = "/"
	}
	if !filepath.IsAbs(to) {
		return res, fmt.Errorf("the destination %q is not an absolute path", p.To)
	}
	to = filepath.Clean(to)
	res.To = to
	if err := os.MkdirAll(to, 0o755); err != nil {
		return res, fmt.Errorf("cannot create the destination %s: %v; pick a directory the agent can write to", to, unwrapPath(err))
	}
	if free, ok := freeBytes(to); ok && p.TotalBytes > 0 && free < uint64(p.TotalBytes)+(1<<20) {
		return res, fmt.Errorf("%s has %s free and the restore needs %s: free space there or restore to another directory", to, units.Bytes(int64(free)), units.Bytes(p.TotalBytes))
	}
	root, err := safefs.OpenRoot(to)
	if err != nil {
		return res, fmt.Errorf("cannot open the destination %s: %v; pick a directory the agent can write to", to, unwrapPath(err))
	}
	defer root.Close()
	name := fmt.Sprintf("%s%d", StagingPrefix, env.TaskID)
	staging := filepath.Join(to, name)
	root.RemoveAll(name) // a previous attempt of this task
	if err := root.Mkdir(name, 0o700); err != nil {
		return res, fmt.Errorf("cannot write into %s: %v; pick a directory the agent can write to", to, unwrapPath(err))
	}
	defer root.RemoveAll(name)
	stage, err := root.OpenDir(name)
	if err != nil {
		return res, fmt.Errorf("cannot open %s: %v", staging, unwrapPath(err))
	}
	defer stage.Close()
	if env.StateDir != "" {
		rec := filepath.Join(env.StateDir, fmt.Sprintf("restore-staging-%d", env.TaskID))
		if err := os.WriteFile(rec, []byte(staging+"\n"), 0o600); err == nil {
			defer os.Remove(rec)
		}
	}

	tr := newTracker(env, p.TotalFiles, p.TotalBytes)
	p.To = to
	// borg (or the stream) fills the directory opened above, whatever its
	// name has become since: it is reached through its descriptor.
	if err := fill(ctx, env, p, fmt.Sprintf("/proc/self/fd/%d", stage.Fd()), tr); err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("restore cancelled while extracting: nothing was written to %s", to)
		}
		if errors.Is(err, borg.ErrNoSpace) || isNoSpace(err) {
			return res, fmt.Errorf("%s is full: nothing was written there (the extraction was undone); free space or restore to another directory", to)
		}
		return res, fmt.Errorf("%w; nothing was written to %s", err, to)
	}
	pl := &placer{env: env, policy: p.Policy, keepSetuid: p.KeepSetuid, to: to, res: &res, tr: tr, stamp: env.Now().Format("20060102-150405")}
	tr.phase("placing")
	if err := pl.placeAll(ctx, stage, root); err != nil {
		return res, fmt.Errorf("%v; %s", err, summary(&res))
	}
	tr.done()
	env.Log("restore into %s done: %s", to, summary(&res))
	return res, nil
}

// fill fills the staging folder: borg extracts from the repository, or
// the coordinator's stream is received (a restore from another server).
func fill(ctx context.Context, env Env, p agentapi.RestorePayload, staging string, tr *tracker) error {
	if p.Stream {
		env.Log("receiving %s of %s from the coordinator into %s", describe(p.Paths), p.Archive, p.To)
		return receive(ctx, env, p, staging, tr)
	}
	repo := borg.Repo{Location: p.Repo, Passphrase: p.Passphrase, RSH: env.RSH}
	b := *env.Borg
	if p.LockWait > 0 {
		b.LockWait = p.LockWait
	}
	env.Log("extracting %s from %s into %s", describe(p.Paths), p.Archive, p.To)
	return b.ExtractWithProgress(ctx, repo, p.Archive, staging, p.Paths, tr.extracting)
}

func (e *Env) defaults() {
	if e.Log == nil {
		e.Log = func(string, ...any) {}
	}
	if e.Progress == nil {
		e.Progress = func(agentapi.TaskProgress) {}
	}
	if e.Now == nil {
		e.Now = time.Now
	}
}

func describe(paths []string) string {
	if len(paths) == 0 {
		return "the whole archive"
	}
	return strings.Join(paths, ", ")
}

func freeBytes(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(strings.ToLower(err.Error()), "no space left")
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// tracker turns borg's byte progress and the placing into throttled
// reports with a rate and an estimate of the time left.
type tracker struct {
	env                    Env
	totalFiles, totalBytes int64
	start                  time.Time
	mu                     sync.Mutex
	last                   time.Time
	files                  int64
	lastPath               string
	cur                    agentapi.TaskProgress
}

func newTracker(env Env, files, bytes int64) *tracker {
	t := &tracker{env: env, totalFiles: files, totalBytes: bytes, start: time.Now()}
	t.cur = agentapi.TaskProgress{Phase: "extracting", TotalFiles: files, TotalBytes: bytes}
	return t
}

func (t *tracker) extracting(p borg.ExtractProgress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p.Path != "" && p.Path != t.lastPath {
		t.files++
		t.lastPath = p.Path
	}
	if p.Total > 0 {
		t.totalBytes = p.Total
	}
	t.cur.Bytes, t.cur.TotalBytes, t.cur.Path = p.Current, t.totalBytes, p.Path
	t.cur.Files = min(t.files, max(t.totalFiles, t.files))
	t.emit(false)
}

func (t *tracker) phase(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur.Phase = name
	t.cur.Bytes = t.cur.TotalBytes
	t.emit(true)
}

func (t *tracker) placed(rel string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur.Path = rel
	t.emit(false)
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur.Phase, t.cur.Files, t.cur.Percent, t.cur.ETASec = "done", max(t.totalFiles, t.files), 100, 0
	t.emit(true)
}

// emit reports at most twice a second (always when forced).
func (t *tracker) emit(force bool) {
	now := time.Now()
	if !force && now.Sub(t.last) < 500*time.Millisecond {
		return
	}
	t.last = now
	el := now.Sub(t.start).Seconds()
	if el > 0 {
		t.cur.BytesPerSec = float64(t.cur.Bytes) / el
	}
	if t.cur.TotalBytes > 0 {
		t.cur.Percent = 100 * float64(t.cur.Bytes) / float64(t.cur.TotalBytes)
		if t.cur.BytesPerSec > 0 && t.cur.Phase == "extracting" {
			t.cur.ETASec = float64(t.cur.TotalBytes-t.cur.Bytes) / t.cur.BytesPerSec
		}
	}
	t.cur.Message = fmt.Sprintf("%s %s", t.cur.Phase, t.cur.Path)
	t.env.Progress(t.cur)
}

// summary says in one line what a restore wrote.
func summary(r *agentapi.RestoreResult) string {
	return fmt.Sprintf("%d file(s), %s written to %s (%d overwritten, %d renamed beside the existing one, %d skipped)",
		r.Files, units.Bytes(r.Bytes), r.To, r.Overwritten, r.Renamed, r.Skipped)
}
