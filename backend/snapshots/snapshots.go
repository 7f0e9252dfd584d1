// Package snapshots is the coordinator's room for .flx/.flxx snapshots:
// the operator opens (verifies and stages) a snapshot from this machine,
// restores it on a server or compares it with the server's files through
// that server's agent, asks an agent for a new one, lists and exports the
// snapshots agents sent, keeps a .flx job's snapshots by the job's
// retention, and hears of snapshots dropped into the inbox.
// The agents' side of the transfers (the staged snapshot a running task
// fetches, the one a backup task uploads) is here too, behind the gateway.
//
// It keeps its files under DATA/flx and watches DATA/inbox. What it needs
// of the rest of the coordinator (naming servers, queueing a task to an
// agent and waiting for it, the server an agent certificate is) comes in
// through Env. It never talks to an agent itself (only through the tasks
// Env queues), never writes a snapshot it has not verified (every hash)
// where an agent or the operator will read it, and never touches a
// repository or a run; the file catalog it only tells of the snapshots it
// keeps (Catalog).
package snapshots

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// Env is what the snapshots room asks of the rest of the coordinator.
type Env interface {
	// Server is the server whose id, UUID or name is ref.
	Server(ctx context.Context, ref string) (store.Server, error)
	// AgentServer is the server an enrolled agent (by its certificate's
	// UUID) is; an error when it is unknown or revoked.
	AgentServer(ctx context.Context, agentUUID string) (store.Server, error)
	// QueueTask queues a task for a server's agent and wakes its long poll.
	QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error)
	// WaitTask waits up to timeout for a task to finish and fails unless
	// it succeeded.
	WaitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error)
}

// Config is what Snapshots needs.
type Config struct {
	Store  *store.Store
	Events events.Log
	// Layout places the staged and received snapshots and the inbox.
	Layout datadir.Layout
	Env    Env
	// Catalog, when set, indexes the snapshots kept (see IndexServer).
	Catalog Catalog
}

// Snapshots opens, sends, receives and keeps .flx snapshots.
type Snapshots struct {
	st     *store.Store
	events events.Log
	layout datadir.Layout
	env    Env
	cat    Catalog
	// indexing serializes IndexServer.
	indexing sync.Mutex
}

// New returns Snapshots over cfg.
func New(cfg Config) *Snapshots {
	return &Snapshots{st: cfg.Store, events: cfg.Events, layout: cfg.Layout, env: cfg.Env, cat: cfg.Catalog}
}

// File is a snapshot the coordinator holds for sending to agents: a
// verified copy under DATA/flx/outgoing, named by its SHA-256.
type File struct {
	ID         string          `json:"id"` // hex SHA-256 of the file
	Name       string          `json:"name"`
	Source     string          `json:"source"` // where it was opened from
	Size       int64           `json:"size"`
	Inspection *flx.Inspection `json:"inspection"`
}

// RestoreRequest restores a staged snapshot on a server.
type RestoreRequest struct {
	ID     string `json:"id"`
	Server string `json:"server"`
	Mode   string `json:"mode"`
	User   string `json:"user"`
	DryRun bool   `json:"dry_run"`
	// KeepSetuid keeps setuid/setgid bits on root's files (dropped otherwise).
	KeepSetuid bool `json:"keep_setuid"`
	// Root is the folder on the server the snapshot is restored under
	// ("" or "/": the server's own root).
	Root string `json:"root"`
}

func (x *Snapshots) dir(parts ...string) string {
	return x.layout.Flx(parts...)
}

// InboxDir is the folder watched for dropped-in snapshots.
func (x *Snapshots) InboxDir() string { return x.layout.Inbox() }

// MaxSize bounds a snapshot sent to or received from an agent.
const MaxSize = 8 << 30

var snapshotID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Open reads a snapshot from this machine: it is inspected and verified
// (every hash), and a copy is kept to send to agents. A damaged snapshot
// is still described, with its error, and cannot be restored.
func (x *Snapshots) Open(ctx context.Context, path string) (File, error) {
	if !flx.IsSnapshotName(path) {
		return File{}, fmt.Errorf("%w: %s is not a .flx or .flxx file", fault.ErrInvalid, filepath.Base(path))
	}
	src, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return File{}, err
	}
	if fi.Size() > MaxSize {
		return File{}, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", fault.ErrInvalid, path, fi.Size(), int64(MaxSize))
	}
	dir := x.dir("outgoing")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return File{}, err
	}
	tmp, err := os.CreateTemp(dir, ".open-*")
	if err != nil {
		return File{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("copy %s: %w", path, err)
	}
	id := hex.EncodeToString(h.Sum(nil))
	f := File{ID: id, Name: filepath.Base(path), Source: path, Size: n}
	in, ierr := flx.Inspect(tmp.Name())
	f.Inspection = in
	if in == nil {
		return f, fmt.Errorf("%w: %s: %v", fault.ErrInvalid, path, ierr)
	}
	if ierr == nil {
		if err := os.Rename(tmp.Name(), filepath.Join(dir, id+".flx")); err != nil {
			return f, err
		}
	}
	x.events.Publish(ctx, events.FlxOpened, id, fmt.Sprintf("opened %s: %d files, %s", f.Name, in.FilesTotal, verdict(in)), map[string]any{"id": id, "path": path})
	return f, nil
}

func verdict(in *flx.Inspection) string {
	if in.Verified && in.Meta != nil && in.Meta.NoFileHashes {
		return "readable; a " + in.Meta.Container + " archive carries no per-file hashes to check"
	}
	if in.Verified {
		return "every hash matches"
	}
	return "damaged: " + in.Error
}

// staged is the verified copy of an opened snapshot.
func (x *Snapshots) staged(id string) (string, os.FileInfo, error) {
	if !snapshotID.MatchString(id) {
		return "", nil, fmt.Errorf("%w: snapshot id %q", fault.ErrInvalid, id)
	}
	p := x.dir("outgoing", id+".flx")
	fi, err := os.Stat(p)
	if err != nil {
		return "", nil, fmt.Errorf("%w: snapshot %s is not open (or failed verification): open it again", fault.ErrNotFound, id[:12])
	}
	return p, fi, nil
}

// Restore queues the restore of an opened snapshot on a server's agent.
func (x *Snapshots) Restore(ctx context.Context, req RestoreRequest) (store.Task, error) {
	_, fi, err := x.staged(req.ID)
	if err != nil {
		return store.Task{}, err
	}
	switch req.Mode {
	case "", flx.ModeMerge, flx.ModeFresh:
		// A user names the account whose home gets a FlexPBX snapshot's
		// home-relative files; the agent checks it exists.
	case flx.ModeMigrate:
		if req.User == "" {
			return store.Task{}, fmt.Errorf("%w: migrate needs the target user", fault.ErrInvalid)
		}
	default:
		return store.Task{}, fmt.Errorf("%w: mode %q: fresh, merge or migrate", fault.ErrInvalid, req.Mode)
	}
	if req.Mode == "" {
		req.Mode = flx.ModeMerge
	}
	root, err := Root(req.Root)
	if err != nil {
		return store.Task{}, err
	}
	return x.env.QueueTask(ctx, req.Server, agentapi.TaskFlxRestore, agentapi.FlxRestorePayload{FlxSnapshot: agentapi.FlxSnapshot{Name: req.ID, Size: fi.Size(), SHA256: req.ID, Root: root},
		Mode: req.Mode, User: req.User, DryRun: req.DryRun, KeepSetuid: req.KeepSetuid})
}

// Diff compares an opened snapshot with a server's files under root
// ("" for its own root) through its agent, and waits for the answer.
func (x *Snapshots) Diff(ctx context.Context, id, server, root string, timeout time.Duration) ([]flx.DiffEntry, error) {
	_, fi, err := x.staged(id)
	if err != nil {
		return nil, err
	}
	if root, err = Root(root); err != nil {
		return nil, err
	}
	t, err := x.env.QueueTask(ctx, server, agentapi.TaskFlxDiff, agentapi.FlxDiffPayload{FlxSnapshot: agentapi.FlxSnapshot{Name: id, Size: fi.Size(), SHA256: id, Root: root}})
	if err != nil {
		return nil, err
	}
	done, err := x.env.WaitTask(ctx, t.ID, timeout)
	if err != nil {
		return nil, err
	}
	var r agentapi.FlxDiffResult
	json.Unmarshal(done.Result, &r)
	return diffEntries(r.Entries), nil
}

// diffEntries is an agent's diff answer; never nil (the window lists it).
// A struct conversion: a field added to either side stops the build here
// until the wire says what to do with it.
func diffEntries(in []agentapi.FlxDiffEntry) []flx.DiffEntry {
	out := make([]flx.DiffEntry, len(in))
	for i, e := range in {
		out[i] = flx.DiffEntry(e)
	}
	return out
}

// Create asks a server's agent for a snapshot; it arrives in
// DATA/flx/servers/<uuid>/ when the task succeeds.
func (x *Snapshots) Create(ctx context.Context, server string, p agentapi.FlxBackupPayload) (store.Task, error) {
	switch p.Type {
	case "", "flx", "flxx":
	default:
		return store.Task{}, fmt.Errorf("%w: type %q: flx or flxx", fault.ErrInvalid, p.Type)
	}
	if p.Profile == "" && len(p.Paths) == 0 {
		p.Profile = "etc"
	}
	p.JobID = 0 // a one-off snapshot is no job's: never kept with, nor pruned by, a job's retention
	return x.env.QueueTask(ctx, server, agentapi.TaskFlxBackup, p)
}

// serverDirs are the folders a server's snapshots are kept in: base for
// the one-off ones, base/job-<id> for each .flx job's.
func (x *Snapshots) serverDirs(base string) []string {
	dirs := []string{base}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if e.IsDir() && jobDirName.MatchString(e.Name()) {
			dirs = append(dirs, filepath.Join(base, e.Name()))
		}
	}
	return dirs
}

// List lists the snapshots received from a server, one-off and of its
// .flx jobs, newest first.
func (x *Snapshots) List(ctx context.Context, server string) ([]string, error) {
	sv, err := x.env.Server(ctx, server)
	if err != nil {
		return nil, err
	}
	var all []kept
	for _, d := range x.serverDirs(x.dir("servers", sv.UUID)) {
		all = append(all, snapshotsIn(d)...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].mod.Equal(all[j].mod) {
			return all[i].mod.After(all[j].mod)
		}
		return filepath.Base(all[i].path) > filepath.Base(all[j].path)
	})
	out := make([]string, len(all))
	for i, k := range all {
		out[i] = k.path
	}
	return out, nil
}
