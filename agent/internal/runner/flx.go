package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/shared/flx/flxcli"
)

// fetchFlx downloads the task's snapshot into a private temporary file,
// checks it is the one the coordinator named, and returns it with the root
// to work under.
func (a *Agent) fetchFlx(ctx context.Context, t agentapi.Task, ref agentapi.FlxSnapshot) (file, root string, err error) {
	root = ref.Root
	if root == "" {
		root = "/"
	}
	file, err = a.download(ctx, t, ref.Size, ref.SHA256)
	return file, root, err
}

func (a *Agent) download(ctx context.Context, t agentapi.Task, size int64, sum string) (string, error) {
	cfg := a.cfg.Load()
	dir := filepath.Join(cfg.Dir(), "flx")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	resp, err := a.client.Stream(ctx, "/api/agent/tasks/"+strconv.FormatInt(t.ID, 10)+"/flx", 30*time.Minute)
	if err != nil {
		return "", fmt.Errorf("download the snapshot: %w", err)
	}
	defer resp.Body.Close()
	f, err := os.CreateTemp(dir, "task-*.flx")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && (n != size || hex.EncodeToString(h.Sum(nil)) != sum) {
		err = fmt.Errorf("the downloaded snapshot is not the one sent (%d bytes, want %d; or its SHA-256 differs)", n, size)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (a *Agent) flxRestoreTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.FlxRestorePayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("flx restore payload: %w", err)
	}
	file, root, err := a.fetchFlx(ctx, t, p.FlxSnapshot)
	if err != nil {
		return nil, err
	}
	defer os.Remove(file)
	id := strconv.FormatInt(t.ID, 10)
	last := time.Time{}
	res, err := flx.Restore(file, flx.RestoreOptions{Root: root, Mode: p.Mode, User: p.User, DryRun: p.DryRun, KeepSetuid: p.KeepSetuid, Progress: func(done, total int, path string) {
		if time.Since(last) < time.Second && done < total {
			return
		}
		last = time.Now()
		a.client.Do(ctx, "POST", "/api/agent/tasks/"+id+"/progress", agentapi.TaskProgress{Message: path, Files: int64(done), Percent: float64(done) * 100 / float64(max(total, 1))}, nil, 10*time.Second)
	}})
	if err != nil {
		return nil, err
	}
	out := agentapi.FlxRestoreResult{Counts: res.Counts(), Changes: wireChanges(res.Changes), Rollback: res.Rollback, DryRun: res.DryRun, Placeholders: res.Placeholders}
	if len(out.Changes) > 1000 {
		out.Changes = out.Changes[:1000]
	}
	return json.Marshal(out)
}

func (a *Agent) flxDiffTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.FlxDiffPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("flx diff payload: %w", err)
	}
	file, root, err := a.fetchFlx(ctx, t, p.FlxSnapshot)
	if err != nil {
		return nil, err
	}
	defer os.Remove(file)
	d, err := flx.Diff(file, root)
	if err != nil {
		return nil, err
	}
	return json.Marshal(agentapi.FlxDiffResult{Entries: wireDiff(d)})
}

func (a *Agent) flxBackupTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.FlxBackupPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("flx backup payload: %w", err)
	}
	paths := p.Paths
	if p.Profile != "" {
		prof, ok := flxcli.Profiles[p.Profile]
		if !ok {
			return nil, fmt.Errorf("unknown profile %q (etc, flexpbx)", p.Profile)
		}
		for _, rel := range prof {
			if _, err := os.Stat(filepath.Join("/", rel)); err == nil {
				paths = append(paths, rel)
			}
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("none of the %s profile's paths exist on this server", p.Profile)
		}
	}
	files, skipped, err := flx.Collect("/", paths)
	if err != nil {
		return nil, err
	}
	typ := flx.TypeSystem
	if p.Type == "flxx" {
		typ = flx.TypeExtended
	}
	cfg := a.cfg.Load()
	dir := filepath.Join(cfg.Dir(), "flx")
	host, _ := os.Hostname()
	name, m, err := flx.Create(dir, host, true, files, flx.Options{Type: typ, KeepSecrets: p.KeepSecrets, Producer: "borgdesk-agent " + a.opts.Version, SourceRoot: "/", Skipped: skipped})
	if err != nil {
		return nil, err
	}
	defer os.Remove(name)
	os.Remove(filepath.Join(dir, flx.LatestName(typ, true)))
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, _ := f.Stat()
	var up struct {
		Stored string `json:"stored"`
	}
	if err := a.client.Upload(ctx, "/api/agent/tasks/"+strconv.FormatInt(t.ID, 10)+"/flx?name="+filepath.Base(name), f, fi.Size(), &up, 30*time.Minute); err != nil {
		return nil, fmt.Errorf("upload the snapshot: %w", err)
	}
	return json.Marshal(agentapi.FlxBackupResult{Name: filepath.Base(name), Size: fi.Size(), FileCount: m.FileCount, Redactions: wireRedactions(m.Redactions), Stored: up.Stored})
}
