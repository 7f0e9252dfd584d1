package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// FlxFile is a snapshot the coordinator holds for sending to agents: a
// verified copy under DATA/flx/outgoing, named by its SHA-256.
type FlxFile struct {
	ID         string          `json:"id"` // hex SHA-256 of the file
	Name       string          `json:"name"`
	Source     string          `json:"source"` // where it was opened from
	Size       int64           `json:"size"`
	Inspection *flx.Inspection `json:"inspection"`
}

// FlxRestoreRequest restores a staged snapshot on a server.
type FlxRestoreRequest struct {
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

func (s *Service) flxDir(parts ...string) string {
	return s.layout.Flx(parts...)
}

// InboxDir is the folder watched for dropped-in snapshots.
func (s *Service) InboxDir() string { return s.layout.Inbox() }

// MaxFlxSize bounds a snapshot sent to or received from an agent.
const MaxFlxSize = 8 << 30

var flxID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// OpenFlx reads a snapshot from this machine: it is inspected and verified
// (every hash), and a copy is kept to send to agents. A damaged snapshot
// is still described, with its error, and cannot be restored.
func (s *Service) OpenFlx(ctx context.Context, path string) (FlxFile, error) {
	if !flx.IsSnapshotName(path) {
		return FlxFile{}, fmt.Errorf("%w: %s is not a .flx or .flxx file", ErrInvalid, filepath.Base(path))
	}
	src, err := os.Open(path)
	if err != nil {
		return FlxFile{}, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return FlxFile{}, err
	}
	if fi.Size() > MaxFlxSize {
		return FlxFile{}, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", ErrInvalid, path, fi.Size(), int64(MaxFlxSize))
	}
	dir := s.flxDir("outgoing")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return FlxFile{}, err
	}
	tmp, err := os.CreateTemp(dir, ".open-*")
	if err != nil {
		return FlxFile{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return FlxFile{}, fmt.Errorf("copy %s: %w", path, err)
	}
	id := hex.EncodeToString(h.Sum(nil))
	f := FlxFile{ID: id, Name: filepath.Base(path), Source: path, Size: n}
	in, ierr := flx.Inspect(tmp.Name())
	f.Inspection = in
	if in == nil {
		return f, fmt.Errorf("%w: %s: %v", ErrInvalid, path, ierr)
	}
	if ierr == nil {
		if err := os.Rename(tmp.Name(), filepath.Join(dir, id+".flx")); err != nil {
			return f, err
		}
	}
	s.publish(ctx, events.FlxOpened, id, fmt.Sprintf("opened %s: %d files, %s", f.Name, in.FilesTotal, verdict(in)), map[string]any{"id": id, "path": path})
	return f, nil
}

func verdict(in *flx.Inspection) string {
	if in.Verified {
		return "every hash matches"
	}
	return "damaged: " + in.Error
}

func (s *Service) stagedFlx(id string) (string, os.FileInfo, error) {
	if !flxID.MatchString(id) {
		return "", nil, fmt.Errorf("%w: snapshot id %q", ErrInvalid, id)
	}
	p := s.flxDir("outgoing", id+".flx")
	fi, err := os.Stat(p)
	if err != nil {
		return "", nil, fmt.Errorf("%w: snapshot %s is not open (or failed verification): open it again", ErrNotFound, id[:12])
	}
	return p, fi, nil
}

// RestoreFlx queues the restore of an opened snapshot on a server's agent.
func (s *Service) RestoreFlx(ctx context.Context, req FlxRestoreRequest) (store.Task, error) {
	_, fi, err := s.stagedFlx(req.ID)
	if err != nil {
		return store.Task{}, err
	}
	switch req.Mode {
	case "", flx.ModeMerge, flx.ModeFresh:
		if req.User != "" {
			return store.Task{}, fmt.Errorf("%w: a target user is for migrate only", ErrInvalid)
		}
	case flx.ModeMigrate:
		if req.User == "" {
			return store.Task{}, fmt.Errorf("%w: migrate needs the target user", ErrInvalid)
		}
	default:
		return store.Task{}, fmt.Errorf("%w: mode %q: fresh, merge or migrate", ErrInvalid, req.Mode)
	}
	if req.Mode == "" {
		req.Mode = flx.ModeMerge
	}
	root, err := flxRoot(req.Root)
	if err != nil {
		return store.Task{}, err
	}
	return s.QueueTask(ctx, req.Server, agentapi.TaskFlxRestore, agentapi.FlxRestorePayload{FlxSnapshot: agentapi.FlxSnapshot{Name: req.ID, Size: fi.Size(), SHA256: req.ID, Root: root},
		Mode: req.Mode, User: req.User, DryRun: req.DryRun, KeepSetuid: req.KeepSetuid})
}

// DiffFlx compares an opened snapshot with a server's files under root
// ("" for its own root) through its agent, and waits for the answer.
func (s *Service) DiffFlx(ctx context.Context, id, server, root string, timeout time.Duration) ([]flx.DiffEntry, error) {
	_, fi, err := s.stagedFlx(id)
	if err != nil {
		return nil, err
	}
	if root, err = flxRoot(root); err != nil {
		return nil, err
	}
	t, err := s.QueueTask(ctx, server, agentapi.TaskFlxDiff, agentapi.FlxDiffPayload{FlxSnapshot: agentapi.FlxSnapshot{Name: id, Size: fi.Size(), SHA256: id, Root: root}})
	if err != nil {
		return nil, err
	}
	done, err := s.waitTask(ctx, t.ID, timeout)
	if err != nil {
		return nil, err
	}
	var r agentapi.FlxDiffResult
	json.Unmarshal(done.Result, &r)
	return diffEntries(r.Entries), nil
}

// CreateFlx asks a server's agent for a snapshot; it arrives in
// DATA/flx/<server>/ when the task succeeds.
func (s *Service) CreateFlx(ctx context.Context, server string, p agentapi.FlxBackupPayload) (store.Task, error) {
	switch p.Type {
	case "", "flx", "flxx":
	default:
		return store.Task{}, fmt.Errorf("%w: type %q: flx or flxx", ErrInvalid, p.Type)
	}
	if p.Profile == "" && len(p.Paths) == 0 {
		p.Profile = "etc"
	}
	return s.QueueTask(ctx, server, agentapi.TaskFlxBackup, p)
}

// ListFlx lists the snapshots received from a server, newest first.
func (s *Service) ListFlx(ctx context.Context, server string) ([]string, error) {
	sv, err := s.Server(ctx, server)
	if err != nil {
		return nil, err
	}
	entries, _ := os.ReadDir(s.flxDir("servers", sv.UUID))
	out := []string{}
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(s.flxDir("servers", sv.UUID), e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

// Task returns a task.
func (s *Service) Task(ctx context.Context, id int64) (store.Task, error) { return s.st.Task(ctx, id) }

// WaitTask waits (up to an hour, or until ctx ends) for a task to finish;
// a failed task is returned as it is (it says how it failed).
func (s *Service) WaitTask(ctx context.Context, id int64) (store.Task, error) {
	return s.waitTaskDone(ctx, id, time.Hour)
}

// waitTask waits for a task and fails unless it succeeded.
func (s *Service) waitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	done, err := s.waitTaskDone(ctx, id, timeout)
	if err == nil && done.Status != store.TaskSucceeded {
		err = fmt.Errorf("task %d %s: %s", id, done.Status, done.Error)
	}
	return done, err
}

// waitTaskDone waits until a task has finished, whatever its outcome; it
// fails only when timeout or ctx ends first.
func (s *Service) waitTaskDone(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var done store.Task
	err := s.waitUntil(wctx, func() (bool, error) {
		var err error
		done, err = s.st.Task(wctx, id)
		return err == nil && done.Status != store.TaskQueued && done.Status != store.TaskDispatched && done.Status != store.TaskRunning, err
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return done, fmt.Errorf("the agent of %s did not answer within %s (task %d is %s): is it running and online?", done.ServerName, timeout, id, done.Status)
	}
	return done, err
}

// agentFlxTask checks that the task is this agent's, running, of type typ.
func (s *Service) agentFlxTask(ctx context.Context, agentUUID string, id int64, types ...string) (store.Task, error) {
	sv, err := s.AgentServer(ctx, agentUUID)
	if err != nil {
		return store.Task{}, err
	}
	t, err := s.st.Task(ctx, id)
	if err != nil || t.ServerID != sv.ID {
		return store.Task{}, fmt.Errorf("%w: task %d is not this agent's", ErrNotFound, id)
	}
	ok := false
	for _, typ := range types {
		ok = ok || t.Type == typ
	}
	if !ok || t.Status != store.TaskRunning {
		return store.Task{}, fmt.Errorf("%w: task %d (%s, %s) has no snapshot to transfer", ErrConflict, id, t.Type, t.Status)
	}
	return t, nil
}

// FlxForTask is the snapshot a running restore or diff task fetches.
func (s *Service) FlxForTask(ctx context.Context, agentUUID string, id int64) (string, error) {
	t, err := s.agentFlxTask(ctx, agentUUID, id, agentapi.TaskFlxRestore, agentapi.TaskFlxDiff)
	if err != nil {
		return "", err
	}
	var p agentapi.FlxSnapshot // restore and diff payloads both carry it
	json.Unmarshal(t.Payload, &p)
	path, _, err := s.stagedFlx(p.SHA256)
	return path, err
}

var flxName = regexp.MustCompile(`^[A-Za-z0-9._-]+\.flxx?(\.gz)?$`)

// StoreFlxUpload keeps the snapshot a running flx-backup task uploads,
// after verifying every hash, in DATA/flx/servers/<uuid>/<name>.
func (s *Service) StoreFlxUpload(ctx context.Context, agentUUID string, id int64, name string, body io.Reader) (string, error) {
	t, err := s.agentFlxTask(ctx, agentUUID, id, agentapi.TaskFlxBackup)
	if err != nil {
		return "", err
	}
	if !flxName.MatchString(name) {
		return "", fmt.Errorf("%w: snapshot name %q", ErrInvalid, name)
	}
	dir := s.flxDir("servers", t.ServerUUID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(body, MaxFlxSize+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if n > MaxFlxSize {
		return "", fmt.Errorf("%w: the snapshot is over the %d-byte limit", ErrInvalid, int64(MaxFlxSize))
	}
	if _, err := flx.Inspect(tmp.Name()); err != nil {
		return "", fmt.Errorf("%w: the uploaded snapshot does not verify: %v", ErrInvalid, err)
	}
	final := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", err
	}
	return final, nil
}

// ExportFlx copies a snapshot received from a server into ~/Downloads.
func (s *Service) ExportFlx(ctx context.Context, path string) (string, error) {
	clean := filepath.Clean(path)
	if rel, err := filepath.Rel(s.flxDir("servers"), clean); err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%w: %s is not a snapshot received from a server", ErrInvalid, path)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(home, "Downloads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	src, err := os.Open(clean)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst := filepath.Join(dir, filepath.Base(clean))
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return dst, nil // already there (the names carry a timestamp)
	}
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		os.Remove(dst)
		return "", err
	}
	return dst, out.Close()
}

// WatchInbox announces snapshots that land in DATA/inbox (flx:inbox) until
// ctx ends.
func (s *Service) WatchInbox(ctx context.Context) error {
	dir := s.InboxDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			name := filepath.Base(ev.Name)
			if ev.Op&(fsnotify.Create|fsnotify.Rename|fsnotify.Write) == 0 || strings.HasPrefix(name, ".") || !flx.IsSnapshotName(name) {
				continue
			}
			if ev.Op&fsnotify.Write != 0 {
				continue // announced at Create; writes of the same file follow
			}
			s.announce(events.FlxInbox, "", map[string]any{"path": ev.Name}) // the window offers to open it
		case <-w.Errors:
		}
	}
}
