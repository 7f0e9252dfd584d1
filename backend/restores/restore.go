package restores

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"borgdesk/backend/archives"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// Request asks for files of an archive to be restored.
type Request struct {
	Server  string   `json:"server"`
	Archive string   `json:"archive"`
	Paths   []string `json:"paths"`
	// To is a directory on the target server; "" puts files back where they were.
	To           string `json:"to"`
	TargetServer string `json:"target_server"`
	Policy       string `json:"policy"`
	// KeepSetuid keeps setuid/setgid bits on files that belong to root
	// (dropped otherwise).
	KeepSetuid bool `json:"keep_setuid"`
}

// StartRestore queues a restore task on the target server's agent (the
// source server's by default). A restore onto another server streams: the
// coordinator reads the files from its copy of the source repository and
// sends them over the gateway, so the target never sees another server's
// repository or passphrase.
func (r *Restores) StartRestore(ctx context.Context, req Request) (store.Task, error) {
	src, target, err := r.servers(ctx, req.Server, req.TargetServer)
	if err != nil {
		return store.Task{}, err
	}
	if req.Policy == "" {
		req.Policy = agentapi.PolicyKeepBoth
	}
	switch req.Policy {
	case agentapi.PolicySkip, agentapi.PolicyOverwrite, agentapi.PolicyKeepBoth:
	default:
		return store.Task{}, fmt.Errorf("%w: overwrite policy %q: use skip, overwrite or keep-both", fault.ErrInvalid, req.Policy)
	}
	to := strings.TrimSpace(req.To)
	if to == "" {
		to = "/"
	}
	if !filepath.IsAbs(to) {
		return store.Task{}, fmt.Errorf("%w: restore into an absolute directory (such as /srv/restore), not %q", fault.ErrInvalid, req.To)
	}
	var paths []string
	for _, p := range req.Paths {
		if p = strings.Trim(strings.TrimSpace(p), "/"); p != "" {
			if strings.Contains("/"+p+"/", "/../") {
				return store.Task{}, fmt.Errorf("%w: %q climbs out of the archive", fault.ErrInvalid, p)
			}
			paths = append(paths, p)
		}
	}
	if err := r.env.EnsureIndexed(ctx, src, req.Archive); err != nil {
		return store.Task{}, archives.CatalogErr(err)
	}
	files, bytes, err := r.cat.Totals(ctx, src.UUID, req.Archive, paths)
	if err != nil {
		return store.Task{}, archives.CatalogErr(err)
	}
	loc, err := r.env.Locate(ctx, src.UUID)
	if err != nil {
		return store.Task{}, err
	}
	payload := agentapi.RestorePayload{Source: src.UUID, Archive: req.Archive, Paths: paths, To: filepath.Clean(to),
		Policy: req.Policy, KeepSetuid: req.KeepSetuid, TotalFiles: files, TotalBytes: bytes}
	if target.UUID == src.UUID {
		payload.Repo, payload.HostKey, payload.LockWait = loc.AgentURL, loc.HostKey, r.repos.Borg.LockWait
	} else if !loc.Local() {
		return store.Task{}, fmt.Errorf("%w: the repository of %s is on storage target %s; restoring it onto another server is not supported yet — restore onto %s, or browse and download the files", fault.ErrInvalid, src.Name, loc.Target.Name, src.Name)
	} else {
		payload.Stream = true
	}
	t, err := r.queue(ctx, target, agentapi.TaskRestore, payload)
	if err != nil {
		return t, err
	}
	r.publishTask(ctx, t, fmt.Sprintf("restore of %s from %s/%s onto %s:%s queued (%d files, %s)",
		describePaths(paths), src.Name, req.Archive, target.Name, payload.To, files, humanBytes(bytes)))
	return t, nil
}

// servers are a restore's source server and the server it restores onto
// (the source when target is ""), which must have an enrolled agent.
func (r *Restores) servers(ctx context.Context, source, target string) (store.Server, store.Server, error) {
	src, err := r.env.Server(ctx, source)
	if err != nil {
		return src, src, err
	}
	if err := r.needCatalog(); err != nil {
		return src, src, err
	}
	if !r.env.BorgSSHRunning() {
		return src, src, fmt.Errorf("%w: the Borg SSH server is not running", fault.ErrUnavailable)
	}
	dst := src
	if target != "" {
		if dst, err = r.env.Server(ctx, target); err != nil {
			return src, dst, err
		}
	}
	if !r.env.AgentAllowed(dst.UUID) {
		return src, dst, fmt.Errorf("%w: %s has no enrolled agent to restore onto", fault.ErrInvalid, dst.Name)
	}
	return src, dst, nil
}

// queue queues a restore task and wakes the target's long poll.
func (r *Restores) queue(ctx context.Context, target store.Server, typ string, payload any) (store.Task, error) {
	raw, _ := json.Marshal(payload)
	t, err := r.st.CreateTask(ctx, target.ID, typ, raw)
	if err != nil {
		return t, err
	}
	r.env.Wake(target.ID)
	return t, nil
}

func describePaths(p []string) string {
	if len(p) == 0 {
		return "the whole archive"
	}
	if len(p) > 3 {
		return strings.Join(p[:3], ", ") + fmt.Sprintf(" and %d more", len(p)-3)
	}
	return strings.Join(p, ", ")
}

// DBRequest asks for a database dump of an archive to be restored.
type DBRequest struct {
	Server  string `json:"server"`
	Archive string `json:"archive"`
	Dump    string `json:"dump"`
	// Mode is "copy" (a new database, the default) or "replace".
	Mode string `json:"mode"`
	// Database is the new database's name (copy) or the original's (replace).
	Database string `json:"database"`
	// Confirm must repeat Database to replace it.
	Confirm      string `json:"confirm"`
	TargetServer string `json:"target_server"`
}

var dumpPath = regexp.MustCompile(`^(postgres|mysql|mongo)/([A-Za-z0-9_.-]+)\.(dump|sql|archive)$`)

// RestoreDatabase queues the restore of a database dump: into a new
// database by default, or over the original after a confirmation that
// names it.
func (r *Restores) RestoreDatabase(ctx context.Context, req DBRequest) (store.Task, error) {
	src, target, err := r.servers(ctx, req.Server, req.TargetServer)
	if err != nil {
		return store.Task{}, err
	}
	m := dumpPath.FindStringSubmatch(strings.Trim(req.Dump, "/"))
	if m == nil {
		return store.Task{}, fmt.Errorf("%w: %q is not a database dump (postgres/NAME.dump, mysql/NAME.sql or mongo/NAME.archive)", fault.ErrInvalid, req.Dump)
	}
	dump, orig := m[0], m[2]
	if err := r.env.EnsureIndexed(ctx, src, req.Archive); err != nil {
		return store.Task{}, archives.CatalogErr(err)
	}
	e, err := r.cat.Stat(ctx, src.UUID, req.Archive, dump)
	if err != nil {
		return store.Task{}, archives.CatalogErr(err)
	}
	p := agentapi.DBRestorePayload{Source: src.UUID, Archive: req.Archive, Dump: dump, TotalBytes: e.Size, LockWait: r.repos.Borg.LockWait}
	switch req.Mode {
	case "", "copy":
		p.Database = req.Database
		if p.Database == "" {
			p.Database = orig + "_restored_" + r.now().Format("20060102")
		}
		if p.Database == orig && target.UUID == src.UUID {
			return store.Task{}, fmt.Errorf("%w: a copy needs a new name; %s is the original (to overwrite it, choose replace)", fault.ErrInvalid, orig)
		}
	case "replace":
		p.Database, p.Replace = req.Database, true
		if p.Database == "" {
			p.Database = orig
		}
		if req.Confirm != p.Database {
			return store.Task{}, fmt.Errorf("%w: replacing database %s on %s destroys its current contents; confirm by typing its name", fault.ErrInvalid, p.Database, target.Name)
		}
	default:
		return store.Task{}, fmt.Errorf("%w: mode %q: use copy or replace", fault.ErrInvalid, req.Mode)
	}
	if target.UUID == src.UUID { // the job's own connection settings
		name, _, _ := strings.Cut(req.Archive, "@")
		if j, err := r.jobOf(ctx, src.UUID, name); err == nil {
			var spec agentapi.BackupSpec
			if json.Unmarshal([]byte(j.Spec), &spec) == nil {
				p.MySQL, p.Postgres, p.Mongo = spec.MySQL, spec.Postgres, spec.Mongo
			}
		}
	}
	loc, err := r.env.Locate(ctx, src.UUID)
	if err != nil {
		return store.Task{}, err
	}
	if target.UUID == src.UUID {
		p.Repo, p.HostKey = loc.AgentURL, loc.HostKey
	} else if !loc.Local() {
		return store.Task{}, fmt.Errorf("%w: the repository of %s is on storage target %s; restoring its databases onto another server is not supported yet", fault.ErrInvalid, src.Name, loc.Target.Name)
	} else {
		p.Stream, p.LockWait = true, 0
	}
	t, err := r.queue(ctx, target, agentapi.TaskDBRestore, p)
	if err != nil {
		return t, err
	}
	verb := "into a new database"
	if p.Replace {
		verb = "replacing the database"
	}
	r.publishTask(ctx, t, fmt.Sprintf("database restore of %s from %s/%s onto %s %s %s queued", dump, src.Name, req.Archive, target.Name, verb, p.Database))
	return t, nil
}

// jobOf is a server's job by its name.
func (r *Restores) jobOf(ctx context.Context, uuid, jobName string) (store.Job, error) {
	sv, err := r.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return store.Job{}, err
	}
	return r.st.FindJob(ctx, sv.Name+"/"+jobName)
}
