package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/diagnostics"
	"borgdesk/backend/mail"
	"borgdesk/backend/mounts"
	"borgdesk/backend/recoverykit"
	"borgdesk/backend/rollout"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// Desk is the service the window calls: Wails binds every exported method
// (frontend/wailsjs/go/app/Desk.js). Each method only adapts to
// backend/service; only the frontend's Pinia stores call these.
type Desk struct {
	svc *service.Service
	// saveDialog asks where to save a file (the native dialog in the
	// desktop build); "" means the operator cancelled.
	saveDialog func(ctx context.Context, title, name string) (string, error)
	// openFolder shows a directory in the system file manager.
	openFolder func(dir string) error
	// fileDialog asks for a file to open, of the patterns given (the
	// native dialog in the desktop build); "" means the operator cancelled.
	fileDialog func(ctx context.Context, title string, filter FileFilter) (string, error)
	// dirs shows and chooses the data dir (nil without a coordinator).
	dirs *dataDirs
	// diag is what the diagnostics report needs from the shell.
	diag diagnostics.Paths

	mu  sync.Mutex
	ctx context.Context
}

func newDesk(svc *service.Service) *Desk {
	return &Desk{svc: svc, ctx: context.Background()}
}

// setContext gives the desk the root context once the window exists.
func (d *Desk) setContext(ctx context.Context) {
	d.mu.Lock()
	d.ctx = ctx
	d.mu.Unlock()
}

func (d *Desk) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ctx
}

// Status reports version, data dir and fleet counts.
func (d *Desk) Status() (service.Status, error) { return d.svc.Status(d.context()) }

// ListServers returns every server.
func (d *Desk) ListServers() ([]store.Server, error) { return d.svc.ListServers(d.context()) }

// ListJobs returns every job with its schedule described, its next run
// and its last scheduled one.
func (d *Desk) ListJobs() ([]service.JobView, error) { return d.svc.ListJobViews(d.context()) }

// ListRuns returns the newest runs.
func (d *Desk) ListRuns(limit int) ([]store.Run, error) { return d.svc.ListRuns(d.context(), limit) }

// ListEvents returns the newest events.
func (d *Desk) ListEvents(limit int) ([]store.Event, error) {
	return d.svc.ListEvents(d.context(), limit)
}

// GetSettings returns every setting.
func (d *Desk) GetSettings() (map[string]string, error) { return d.svc.Settings(d.context()) }

// SetSetting changes one setting.
func (d *Desk) SetSetting(key, value string) error { return d.svc.SetSetting(d.context(), key, value) }

// GetServer returns one server by name, UUID or id.
func (d *Desk) GetServer(ref string) (store.Server, error) { return d.svc.Server(d.context(), ref) }

// RevokeServer revokes a server's agent.
func (d *Desk) RevokeServer(ref string) (store.Server, error) {
	return d.svc.RevokeServer(d.context(), ref)
}

// RemoveServer forgets a server (its backups stay on disk).
func (d *Desk) RemoveServer(ref string) (store.Server, error) {
	return d.svc.RemoveServer(d.context(), ref)
}

// CreateEnrollmentToken makes a one-time token and install command; ttl is
// a Go duration ("1h"), empty for the default.
func (d *Desk) CreateEnrollmentToken(name, ttl string) (service.TokenInfo, error) {
	dur := time.Duration(0)
	if ttl != "" {
		var err error
		if dur, err = time.ParseDuration(ttl); err != nil {
			return service.TokenInfo{}, fmt.Errorf("%q is not a duration (try 15m, 1h or 24h)", ttl)
		}
	}
	return d.svc.CreateEnrollmentToken(d.context(), name, dur)
}

// PingServer runs a test task on the server's agent and waits for its echo.
func (d *Desk) PingServer(ref string) (service.PingResult, error) {
	return d.svc.PingServer(d.context(), ref, 30*time.Second)
}

// ListTasks returns recent agent tasks, of one server when ref is set.
func (d *Desk) ListTasks(ref string, limit int) ([]store.Task, error) {
	return d.svc.ListTasks(d.context(), ref, limit)
}

// CreateJob defines a backup job.
func (d *Desk) CreateJob(in service.JobInput) (store.Job, error) {
	return d.svc.CreateJob(d.context(), in)
}

// RunJob queues a run of a job now.
func (d *Desk) RunJob(ref string) (store.Run, error) {
	return d.svc.RunJob(d.context(), ref, "manual")
}

// CancelRun cancels a queued or running run.
func (d *Desk) CancelRun(id int64) (store.Run, error) { return d.svc.CancelRun(d.context(), id) }

// GetRun returns one run with its log.
func (d *Desk) GetRun(id int64) (store.Run, error) { return d.svc.Run(d.context(), id) }

// ListJobRuns returns a job's recent runs.
func (d *Desk) ListJobRuns(ref string, limit int) ([]store.Run, error) {
	return d.svc.ListJobRuns(d.context(), ref, limit)
}

// PruneJob applies a job's retention now.
func (d *Desk) PruneJob(ref string) (service.PruneReport, error) {
	return d.svc.Prune(d.context(), ref)
}

// ListArchives lists a server's archives.
func (d *Desk) ListArchives(serverRef string) ([]service.ArchiveInfo, error) {
	return d.svc.ListArchives(d.context(), serverRef)
}

// Ping answers the self-test's round trip.
func (d *Desk) Ping(nonce string) string { return pingReply(nonce) }

func pingReply(nonce string) string { return "pong:" + nonce }

// ParseHosts reads a pasted host list or CSV ("host", "host:port",
// "user@host", or "host,port,user" per line) into rollout targets.
func (d *Desk) ParseHosts(text, defaultUser string) ([]rollout.Target, error) {
	return rollout.ParseTargets(text, defaultUser)
}

// ProbeHosts fetches each host's SSH host key for the operator to confirm.
func (d *Desk) ProbeHosts(targets []rollout.Target) ([]rollout.HostKey, error) {
	return d.svc.ProbeHosts(d.context(), targets)
}

// StartRollout installs the agent on the hosts; progress comes as
// rollout:progress events. The password is used for this rollout only.
func (d *Desk) StartRollout(req rollout.Request) (rollout.Rollout, error) {
	return d.svc.StartRollout(d.context(), req)
}

// GetRollout returns a rollout's state.
func (d *Desk) GetRollout(id string) (rollout.Rollout, error) { return d.svc.Rollout(d.context(), id) }

// ListRollouts returns the rollouts of this session, newest first.
func (d *Desk) ListRollouts() ([]rollout.Rollout, error) { return d.svc.ListRollouts(d.context()) }

// UninstallServer removes the agent from a server over SSH and revokes it.
func (d *Desk) UninstallServer(req rollout.UninstallRequest) (rollout.HostState, error) {
	return d.svc.UninstallServer(d.context(), req)
}

// ForgetHostKey removes a host's pinned SSH key after the operator confirmed
// the server was reinstalled; the next rollout asks to confirm the new key.
func (d *Desk) ForgetHostKey(host string, port int) error {
	return d.svc.ForgetHostKey(d.context(), host, port)
}

// OpenFlx opens a .flx/.flxx snapshot from this machine: metadata, the
// verification of every hash, the redaction report and the file list. The
// window then shows the restore view (flx:opened).
func (d *Desk) OpenFlx(path string) (service.FlxFile, error) { return d.svc.OpenFlx(d.context(), path) }

// RestoreFlx restores an opened snapshot on a server (an agent task; its
// progress comes as task:changed events, its result names the rollback
// point).
func (d *Desk) RestoreFlx(req service.FlxRestoreRequest) (store.Task, error) {
	return d.svc.RestoreFlx(d.context(), req)
}

// DiffFlx compares an opened snapshot with a server's files under root
// ("" for the server's own root).
func (d *Desk) DiffFlx(id, server, root string) ([]flx.DiffEntry, error) {
	return d.svc.DiffFlx(d.context(), id, server, root, time.Minute)
}

// CreateFlx asks a server for a snapshot of a profile (etc or flexpbx);
// typ is flx or flxx.
func (d *Desk) CreateFlx(server, profile, typ string) (store.Task, error) {
	return d.svc.CreateFlx(d.context(), server, agentapi.FlxBackupPayload{Profile: profile, Type: typ})
}

// ListFlx lists the snapshots received from a server, newest first.
func (d *Desk) ListFlx(server string) ([]string, error) { return d.svc.ListFlx(d.context(), server) }

// ExportFlx copies a received snapshot into ~/Downloads and returns where.
func (d *Desk) ExportFlx(path string) (string, error) { return d.svc.ExportFlx(d.context(), path) }

// FlxInbox is the folder watched for snapshots to open.
func (d *Desk) FlxInbox() string { return d.svc.InboxDir() }

// BrowseArchive lists one folder of an archive ("" is its root).
func (d *Desk) BrowseArchive(server, archive, dir string) (catalog.Listing, error) {
	return d.svc.BrowseArchive(d.context(), server, archive, dir)
}

// PreviewFile returns the first 64 KiB of a file of an archive.
func (d *Desk) PreviewFile(server, archive, path string) (service.Preview, error) {
	return d.svc.PreviewFile(d.context(), server, archive, path)
}

// DownloadFile saves a file of an archive on this workstation where the
// operator chooses; it returns the path written ("" when cancelled).
func (d *Desk) DownloadFile(server, archive, path string) (string, error) {
	if d.saveDialog == nil {
		return "", errors.New("downloads need the desktop window")
	}
	dest, err := d.saveDialog(d.context(), "Save a file from the archive", filepath.Base(path))
	if err != nil || dest == "" {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".borgdesk-download-*")
	if err != nil {
		return "", fmt.Errorf("cannot write into %s: %w", filepath.Dir(dest), err)
	}
	defer os.Remove(tmp.Name())
	e, err := d.svc.ArchiveFile(d.context(), server, archive, path, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if e.Mode != "" {
		os.Chmod(tmp.Name(), os.FileMode(catalog.ParseMode(e.Mode))&0o777)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", err
	}
	return dest, nil
}

// FindFiles searches every archive of the fleet (or of one server).
func (d *Desk) FindFiles(pattern, server string, limit int) ([]catalog.Hit, error) {
	return d.svc.FindFiles(d.context(), pattern, server, limit)
}

// FileVersions lists every version of one path of a server.
func (d *Desk) FileVersions(server, path string) ([]catalog.Version, error) {
	return d.svc.FileVersions(d.context(), server, path)
}

// StartRestore restores files of an archive onto a server (progress as
// task:changed events).
func (d *Desk) StartRestore(req service.RestoreRequest) (store.Task, error) {
	return d.svc.StartRestore(d.context(), req)
}

// GetTask returns one task.
func (d *Desk) GetTask(id int64) (store.Task, error) { return d.svc.Task(d.context(), id) }

// CancelTask cancels an unfinished task.
func (d *Desk) CancelTask(id int64) (store.Task, error) { return d.svc.CancelTask(d.context(), id) }

// RestoreDatabase restores a database dump of an archive.
func (d *Desk) RestoreDatabase(req service.DBRestoreRequest) (store.Task, error) {
	return d.svc.RestoreDatabase(d.context(), req)
}

// Mount mounts an archive read-only and shows it in the file manager.
func (d *Desk) Mount(server, archive, dir string) (mounts.Mount, error) {
	m, err := d.svc.Mount(d.context(), server, archive, dir)
	if err == nil && d.openFolder != nil {
		d.openFolder(m.Dir) // the mount stands even without a file manager
	}
	return m, err
}

// MountFlx mounts a .flx/.flxx snapshot read-only and shows it.
func (d *Desk) MountFlx(path, dir string) (mounts.Mount, error) {
	m, err := d.svc.MountFlx(d.context(), path, dir)
	if err == nil && d.openFolder != nil {
		d.openFolder(m.Dir)
	}
	return m, err
}

// Unmount unmounts a Borgdesk mount.
func (d *Desk) Unmount(dir string) error { return d.svc.Unmount(d.context(), dir) }

// ListMounts lists the live mounts.
func (d *Desk) ListMounts() []mounts.Mount { return d.svc.ListMounts() }

// RunDrill starts a restore drill of a job (full: every file).
func (d *Desk) RunDrill(job string, full bool) (store.Drill, error) {
	return d.svc.RunDrill(d.context(), job, full)
}

// ListDrills lists the newest drills ("" all servers).
func (d *Desk) ListDrills(server string, limit int) ([]store.Drill, error) {
	return d.svc.ListDrills(d.context(), server, limit)
}

// SetJobDrillSchedule sets when a job's restore drill runs ("" never).
func (d *Desk) SetJobDrillSchedule(job, schedule string) (store.Job, error) {
	return d.svc.SetJobDrillSchedule(d.context(), job, schedule)
}

// GetHealth rates every server green, amber or red (backup age against its
// RPO, agent, certificate, restore drills) and the fleet by its worst.
func (d *Desk) GetHealth() (service.FleetHealth, error) { return d.svc.Health(d.context()) }

// DigestNow shows (send false) or queues the digest e-mail of the last
// day, or week when weekly is set.
func (d *Desk) DigestNow(weekly, send bool) (service.Digest, error) {
	return d.svc.DigestNow(d.context(), weekly, send)
}

// SendTestEmail sends a test e-mail to notify.email.to now and says how it went.
func (d *Desk) SendTestEmail() (string, error) { return d.svc.SendTestEmail(d.context()) }

// GetMailStatus reports the e-mail outbox: waiting, delivered, last error.
func (d *Desk) GetMailStatus() mail.Status { return d.svc.MailStatus() }

// GetStorage reports the coordinator's disk, each repository's growth and
// when the disk fills at that pace.
func (d *Desk) GetStorage() (service.Storage, error) { return d.svc.GetStorage(d.context()) }

// GetMetrics returns a server's CPU, memory, disk and network samples of
// the last hours.
func (d *Desk) GetMetrics(server string, hours int) ([]store.MetricPoint, error) {
	return d.svc.GetMetrics(d.context(), server, hours)
}

// ExportRecoveryKit checks the passphrase, asks where to save the kit (the
// native save dialog) and has the coordinator write it there. A cancelled
// dialog gives a result with an empty path.
func (d *Desk) ExportRecoveryKit(passphrase string) (service.KitExport, error) {
	if err := recoverykit.CheckPassphrase(passphrase); err != nil {
		return service.KitExport{}, err
	}
	if d.saveDialog == nil {
		return service.KitExport{}, errors.New("saving a recovery kit needs the desktop window; use `borgdesk recovery-kit export FILE`")
	}
	name := "borgdesk-recovery-kit-" + time.Now().Format("2006-01-02") + ".age"
	dest, err := d.saveDialog(d.context(), "Save the recovery kit (away from this workstation)", name)
	if err != nil || dest == "" {
		return service.KitExport{}, err
	}
	return d.svc.ExportRecoveryKit(d.context(), service.KitExportRequest{Path: dest, Passphrase: passphrase})
}

// GetRecoveryKitStatus reports when the last recovery kit was made and
// what changed in the fleet since.
func (d *Desk) GetRecoveryKitStatus() (service.KitStatus, error) {
	return d.svc.RecoveryKitStatus(d.context())
}
