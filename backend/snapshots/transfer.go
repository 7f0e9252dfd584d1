package snapshots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/fsnotify/fsnotify"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// Root checks the folder a snapshot is compared with or restored under
// on the server: "" or "/" is the server's own root, anything else an
// absolute path, cleaned.
func Root(root string) (string, error) {
	root = strings.TrimSpace(root)
	if root == "" || root == "/" {
		return "", nil
	}
	if !path.IsAbs(root) {
		return "", fmt.Errorf("%w: the target root must be an absolute folder on the server (such as /srv/pbx-test), not %q", fault.ErrInvalid, root)
	}
	return path.Clean(root), nil
}

// agentTask checks that the task is this agent's, running, of type typ.
func (x *Snapshots) agentTask(ctx context.Context, agentUUID string, id int64, types ...string) (store.Task, error) {
	sv, err := x.env.AgentServer(ctx, agentUUID)
	if err != nil {
		return store.Task{}, err
	}
	t, err := x.st.Task(ctx, id)
	if err != nil || t.ServerID != sv.ID {
		return store.Task{}, fmt.Errorf("%w: task %d is not this agent's", fault.ErrNotFound, id)
	}
	ok := false
	for _, typ := range types {
		ok = ok || t.Type == typ
	}
	if !ok || t.Status != store.TaskRunning {
		return store.Task{}, fmt.Errorf("%w: task %d (%s, %s) has no snapshot to transfer", fault.ErrConflict, id, t.Type, t.Status)
	}
	return t, nil
}

// ForTask is the snapshot a running restore or diff task fetches.
func (x *Snapshots) ForTask(ctx context.Context, agentUUID string, id int64) (string, error) {
	t, err := x.agentTask(ctx, agentUUID, id, agentapi.TaskFlxRestore, agentapi.TaskFlxDiff)
	if err != nil {
		return "", err
	}
	var p agentapi.FlxSnapshot // restore and diff payloads both carry it
	json.Unmarshal(t.Payload, &p)
	path, _, err := x.staged(p.SHA256)
	return path, err
}

var uploadName = regexp.MustCompile(`^[A-Za-z0-9._-]+\.flxx?(\.gz)?$`)

// StoreUpload keeps the snapshot a running flx-backup task uploads,
// after verifying every hash, in DATA/flx/servers/<uuid>/<name> (in
// DATA/flx/servers/<uuid>/job-<id>/ for a run of a .flx job).
func (x *Snapshots) StoreUpload(ctx context.Context, agentUUID string, id int64, name string, body io.Reader) (string, error) {
	t, err := x.agentTask(ctx, agentUUID, id, agentapi.TaskFlxBackup)
	if err != nil {
		return "", err
	}
	if !uploadName.MatchString(name) {
		return "", fmt.Errorf("%w: snapshot name %q", fault.ErrInvalid, name)
	}
	var p agentapi.FlxBackupPayload
	json.Unmarshal(t.Payload, &p)
	dir := x.dir("servers", t.ServerUUID)
	if p.JobID != 0 {
		dir = x.jobDir(t.ServerUUID, p.JobID) // a .flx job's run: kept with the job's snapshots
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(body, MaxSize+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if n > MaxSize {
		return "", fmt.Errorf("%w: the snapshot is over the %d-byte limit", fault.ErrInvalid, int64(MaxSize))
	}
	in, err := flx.Inspect(tmp.Name())
	if err != nil {
		return "", fmt.Errorf("%w: the uploaded snapshot does not verify: %v", fault.ErrInvalid, err)
	}
	final, err := keepAs(tmp.Name(), dir, name)
	if err != nil || p.JobID != 0 {
		return final, err // a .flx job's run: KeepJob indexes and says so
	}
	msg := fmt.Sprintf("snapshot %s of %s stored: %d files", filepath.Base(final), t.ServerName, in.FilesTotal)
	if _, err := x.IndexServer(ctx, t.ServerUUID); err != nil {
		msg += "; " + err.Error()
	}
	x.events.Publish(ctx, events.FlxStored, t.ServerUUID, msg, map[string]any{"task_id": t.ID, "name": filepath.Base(final), "files": in.FilesTotal})
	return final, nil
}

// keepAs moves a verified upload to dir/name, or, when a snapshot of that
// name is there already (two made within a second: names carry the
// second), to name-2, name-3, …: a snapshot never replaces another.
func keepAs(tmp, dir, name string) (string, error) {
	stem, ext := name, ""
	for _, e := range []string{".flx.gz", ".flxx.gz", ".flx", ".flxx"} {
		if strings.HasSuffix(name, e) {
			stem, ext = strings.TrimSuffix(name, e), e
			break
		}
	}
	for i := 1; i < 100; i++ {
		final := filepath.Join(dir, name)
		if i > 1 {
			final = filepath.Join(dir, fmt.Sprintf("%s-%d%s", stem, i, ext))
		}
		// A hard link fails when final exists, where a rename would replace it.
		err := os.Link(tmp, final)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return final, nil
	}
	return "", fmt.Errorf("%w: 99 snapshots named %s already", fault.ErrConflict, name)
}

// Export copies a snapshot received from a server into ~/Downloads.
func (x *Snapshots) Export(ctx context.Context, path string) (string, error) {
	clean := filepath.Clean(path)
	if rel, err := filepath.Rel(x.dir("servers"), clean); err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%w: %s is not a snapshot received from a server", fault.ErrInvalid, path)
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
func (x *Snapshots) WatchInbox(ctx context.Context) error {
	dir := x.InboxDir()
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
			x.events.Announce(events.FlxInbox, "", map[string]any{"path": ev.Name}) // the window offers to open it
		case <-w.Errors:
		}
	}
}
