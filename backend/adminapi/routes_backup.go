package adminapi

import (
	"context"
	"net/http"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/mounts"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/flx"
	"borgdesk/backend/store"
)

// Jobs, runs, archives, restores, mounts, drills and .flx snapshots: each
// route, then the client's call of it.

// jobRef names a job in the path.
type jobRef struct {
	Ref string `path:"ref" json:"-"`
}

var listJobs = newRoute(http.MethodGet, "/v1/jobs", func(ctx context.Context, s *service.Service, _ none) ([]store.Job, error) {
	return s.ListJobs(ctx)
})

// ListJobs returns every job.
func (c *Client) ListJobs(ctx context.Context) ([]store.Job, error) {
	return listJobs.Call(ctx, c, none{})
}

var createJob = newRoute(http.MethodPost, "/v1/jobs", func(ctx context.Context, s *service.Service, in service.JobInput) (store.Job, error) {
	return s.CreateJob(ctx, in)
})

// CreateJob defines a backup job.
func (c *Client) CreateJob(ctx context.Context, in service.JobInput) (store.Job, error) {
	return createJob.Call(ctx, c, in)
}

var runJob = newRoute(http.MethodPost, "/v1/jobs/{ref}/run", func(ctx context.Context, s *service.Service, in jobRef) (store.Run, error) {
	return s.RunJob(ctx, in.Ref, "manual")
})

// RunJob queues a run of a job now.
func (c *Client) RunJob(ctx context.Context, ref string) (store.Run, error) {
	return runJob.Call(ctx, c, jobRef{ref})
}

var pruneJob = newRoute(http.MethodPost, "/v1/jobs/{ref}/prune", func(ctx context.Context, s *service.Service, in jobRef) (service.PruneReport, error) {
	return s.Prune(ctx, in.Ref)
})

// PruneJob applies a job's retention now.
func (c *Client) PruneJob(ctx context.Context, ref string) (service.PruneReport, error) {
	return pruneJob.Call(ctx, c, jobRef{ref})
}

type limitRequest struct {
	Limit int `query:"limit" json:"-"`
}

var listRuns = newRoute(http.MethodGet, "/v1/runs", func(ctx context.Context, s *service.Service, in limitRequest) ([]store.Run, error) {
	return s.ListRuns(ctx, in.Limit)
})

// ListRuns returns recent runs.
func (c *Client) ListRuns(ctx context.Context, limit int) ([]store.Run, error) {
	return listRuns.Call(ctx, c, limitRequest{limit})
}

type runRequest struct {
	ID   int64 `path:"id" what:"run id" json:"-"`
	Wait bool  `query:"wait" json:"-"`
}

var getRun = newRoute(http.MethodGet, "/v1/runs/{id}", func(ctx context.Context, s *service.Service, in runRequest) (store.Run, error) {
	if in.Wait {
		return s.WaitRun(ctx, in.ID)
	}
	return s.Run(ctx, in.ID)
})

// Run returns a run; with wait, once it has finished.
func (c *Client) Run(ctx context.Context, id int64, wait bool) (store.Run, error) {
	return getRun.Call(ctx, c, runRequest{ID: id, Wait: wait})
}

type runRef struct {
	ID int64 `path:"id" what:"run id" json:"-"`
}

var cancelRun = newRoute(http.MethodPost, "/v1/runs/{id}/cancel", func(ctx context.Context, s *service.Service, in runRef) (store.Run, error) {
	return s.CancelRun(ctx, in.ID)
})

// CancelRun cancels a queued or running run.
func (c *Client) CancelRun(ctx context.Context, id int64) (store.Run, error) {
	return cancelRun.Call(ctx, c, runRef{id})
}

var listArchives = newRoute(http.MethodGet, "/v1/servers/{ref}/archives", func(ctx context.Context, s *service.Service, in serverRef) ([]service.ArchiveInfo, error) {
	return s.ListArchives(ctx, in.Ref)
})

// ListArchives lists a server's archives.
func (c *Client) ListArchives(ctx context.Context, ref string) ([]service.ArchiveInfo, error) {
	return listArchives.Call(ctx, c, serverRef{ref})
}

type browseRequest struct {
	Ref     string `path:"ref" json:"-"`
	Archive string `path:"archive" json:"-"`
	Path    string `query:"path" json:"-"`
}

var browseArchive = newRoute(http.MethodGet, "/v1/servers/{ref}/archives/{archive}/ls", func(ctx context.Context, s *service.Service, in browseRequest) (catalog.Listing, error) {
	return s.BrowseArchive(ctx, in.Ref, in.Archive, in.Path)
})

// BrowseArchive lists one folder of an archive.
func (c *Client) BrowseArchive(ctx context.Context, ref, archive, dir string) (catalog.Listing, error) {
	return browseArchive.Call(ctx, c, browseRequest{Ref: ref, Archive: archive, Path: dir})
}

type versionsRequest struct {
	Ref  string `path:"ref" json:"-"`
	Path string `query:"path" json:"-"`
}

var fileVersions = newRoute(http.MethodGet, "/v1/servers/{ref}/versions", func(ctx context.Context, s *service.Service, in versionsRequest) ([]catalog.Version, error) {
	return s.FileVersions(ctx, in.Ref, in.Path)
})

// FileVersions lists the versions of one path of a server.
func (c *Client) FileVersions(ctx context.Context, ref, path string) ([]catalog.Version, error) {
	return fileVersions.Call(ctx, c, versionsRequest{Ref: ref, Path: path})
}

type findRequest struct {
	Pattern string `query:"pattern" json:"-"`
	Server  string `query:"server" json:"-"`
	Limit   int    `query:"limit" json:"-"`
}

var findFiles = newRoute(http.MethodGet, "/v1/find", func(ctx context.Context, s *service.Service, in findRequest) ([]catalog.Hit, error) {
	return s.FindFiles(ctx, in.Pattern, in.Server, in.Limit)
})

// FindFiles searches the file catalog.
func (c *Client) FindFiles(ctx context.Context, pattern, server string, limit int) ([]catalog.Hit, error) {
	return findFiles.Call(ctx, c, findRequest{Pattern: pattern, Server: server, Limit: limit})
}

var startRestore = newRoute(http.MethodPost, "/v1/restores", func(ctx context.Context, s *service.Service, in service.RestoreRequest) (store.Task, error) {
	return s.StartRestore(ctx, in)
})

// StartRestore queues a file restore.
func (c *Client) StartRestore(ctx context.Context, req service.RestoreRequest) (store.Task, error) {
	return startRestore.Call(ctx, c, req)
}

var restoreDatabase = newRoute(http.MethodPost, "/v1/db-restores", func(ctx context.Context, s *service.Service, in service.DBRestoreRequest) (store.Task, error) {
	return s.RestoreDatabase(ctx, in)
})

// RestoreDatabase queues a database restore.
func (c *Client) RestoreDatabase(ctx context.Context, req service.DBRestoreRequest) (store.Task, error) {
	return restoreDatabase.Call(ctx, c, req)
}

var listMounts = newRoute(http.MethodGet, "/v1/mounts", func(ctx context.Context, s *service.Service, _ none) ([]mounts.Mount, error) {
	return s.ListMounts(), nil
})

// ListMounts lists the live mounts.
func (c *Client) ListMounts(ctx context.Context) ([]mounts.Mount, error) {
	return listMounts.Call(ctx, c, none{})
}

// mountRequest mounts an archive, a whole repository (no archive) or, when
// Flx is set, a .flx snapshot.
type mountRequest struct {
	Archive string `json:"archive"`
	Dir     string `json:"dir"`
	Flx     string `json:"flx"`
	Server  string `json:"server"`
}

var mount = newRoute(http.MethodPost, "/v1/mounts", func(ctx context.Context, s *service.Service, in mountRequest) (mounts.Mount, error) {
	if in.Flx != "" {
		return s.MountFlx(ctx, in.Flx, in.Dir)
	}
	return s.Mount(ctx, in.Server, in.Archive, in.Dir)
})

// Mount mounts an archive (or a whole repository, or a .flx snapshot when flx is set).
func (c *Client) Mount(ctx context.Context, server, archive, flx, dir string) (mounts.Mount, error) {
	return mount.Call(ctx, c, mountRequest{Server: server, Archive: archive, Flx: flx, Dir: dir})
}

type unmountRequest struct {
	Dir string `query:"dir" json:"-"`
}

var unmount = newRoute(http.MethodDelete, "/v1/mounts", func(ctx context.Context, s *service.Service, in unmountRequest) (none, error) {
	return none{}, s.Unmount(ctx, in.Dir)
})

// Unmount unmounts a Borgdesk mount.
func (c *Client) Unmount(ctx context.Context, dir string) error {
	_, err := unmount.Call(ctx, c, unmountRequest{dir})
	return err
}

type drillRequest struct {
	Ref  string `path:"ref" json:"-"`
	Full bool   `query:"full" json:"-"`
}

var runDrill = newRoute(http.MethodPost, "/v1/jobs/{ref}/drill", func(ctx context.Context, s *service.Service, in drillRequest) (store.Drill, error) {
	return s.RunDrill(ctx, in.Ref, in.Full)
})

// RunDrill starts a restore drill of a job.
func (c *Client) RunDrill(ctx context.Context, job string, full bool) (store.Drill, error) {
	return runDrill.Call(ctx, c, drillRequest{Ref: job, Full: full})
}

type drillRef struct {
	ID int64 `path:"id" what:"drill id" json:"-"`
}

var waitDrill = newRoute(http.MethodGet, "/v1/drills/{id}", func(ctx context.Context, s *service.Service, in drillRef) (store.Drill, error) {
	return s.WaitDrill(ctx, in.ID)
})

// WaitDrill returns a drill once it has finished.
func (c *Client) WaitDrill(ctx context.Context, id int64) (store.Drill, error) {
	return waitDrill.Call(ctx, c, drillRef{id})
}

type listDrillsRequest struct {
	Server string `query:"server" json:"-"`
	Limit  int    `query:"limit" json:"-"`
}

var listDrills = newRoute(http.MethodGet, "/v1/drills", func(ctx context.Context, s *service.Service, in listDrillsRequest) ([]store.Drill, error) {
	return s.ListDrills(ctx, in.Server, in.Limit)
})

// ListDrills lists drills, of one server when server is set.
func (c *Client) ListDrills(ctx context.Context, server string, limit int) ([]store.Drill, error) {
	return listDrills.Call(ctx, c, listDrillsRequest{Server: server, Limit: limit})
}

// refValue is a path reference with a {"value": …} body.
type refValue struct {
	Ref   string `path:"ref" json:"-"`
	Value string `json:"value"`
}

var setDrillSchedule = newRoute(http.MethodPut, "/v1/jobs/{ref}/drill-schedule", func(ctx context.Context, s *service.Service, in refValue) (store.Job, error) {
	return s.SetJobDrillSchedule(ctx, in.Ref, in.Value)
})

// SetJobDrillSchedule sets a job's drill schedule.
func (c *Client) SetJobDrillSchedule(ctx context.Context, job, schedule string) (store.Job, error) {
	return setDrillSchedule.Call(ctx, c, refValue{Ref: job, Value: schedule})
}

type flxOpenRequest struct {
	Path string `json:"path"`
}

var openFlx = newRoute(http.MethodPost, "/v1/flx/open", func(ctx context.Context, s *service.Service, in flxOpenRequest) (service.FlxFile, error) {
	return s.OpenFlx(ctx, in.Path)
})

// OpenFlx opens (verifies and stages) a snapshot file on this machine.
func (c *Client) OpenFlx(ctx context.Context, path string) (service.FlxFile, error) {
	return openFlx.Call(ctx, c, flxOpenRequest{path})
}

var restoreFlx = newRoute(http.MethodPost, "/v1/flx/restore", func(ctx context.Context, s *service.Service, in service.FlxRestoreRequest) (store.Task, error) {
	return s.RestoreFlx(ctx, in)
})

// RestoreFlx queues a restore of an opened snapshot on a server.
func (c *Client) RestoreFlx(ctx context.Context, req service.FlxRestoreRequest) (store.Task, error) {
	return restoreFlx.Call(ctx, c, req)
}

type flxDiffRequest struct {
	ID     string `json:"id"`
	Root   string `json:"root"`
	Server string `json:"server"`
}

var diffFlx = newRoute(http.MethodPost, "/v1/flx/diff", func(ctx context.Context, s *service.Service, in flxDiffRequest) ([]flx.DiffEntry, error) {
	return s.DiffFlx(ctx, in.ID, in.Server, in.Root, 2*time.Minute)
})

// DiffFlx compares an opened snapshot with a server's files under root
// ("" for the server's own root).
func (c *Client) DiffFlx(ctx context.Context, id, server, root string) ([]flx.DiffEntry, error) {
	return diffFlx.Call(ctx, c, flxDiffRequest{ID: id, Server: server, Root: root})
}

type flxCreateRequest struct {
	Server string `json:"server"`
	agentapi.FlxBackupPayload
}

var createFlx = newRoute(http.MethodPost, "/v1/flx/create", func(ctx context.Context, s *service.Service, in flxCreateRequest) (store.Task, error) {
	return s.CreateFlx(ctx, in.Server, in.FlxBackupPayload)
})

// CreateFlx asks a server for a snapshot.
func (c *Client) CreateFlx(ctx context.Context, server string, p agentapi.FlxBackupPayload) (store.Task, error) {
	return createFlx.Call(ctx, c, flxCreateRequest{Server: server, FlxBackupPayload: p})
}
