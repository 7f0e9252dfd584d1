package agentapi

// .flx tasks: the coordinator sends a snapshot to restore (or diff), or asks
// the agent to make one and upload it.
const (
	TaskFlxRestore = "flx-restore"
	TaskFlxDiff    = "flx-diff"
	TaskFlxBackup  = "flx-backup"
	// PathFlxBlob: GET the task's snapshot, PUT the one the task made.
	PathFlxBlob = "/api/agent/tasks/{id}/flx"
)

// FlxSnapshot names the snapshot a task fetches from PathFlxBlob, and the
// root it works under on the server.
type FlxSnapshot struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Root   string `json:"root,omitempty"` // "/" when empty
}

// FlxRestorePayload restores the task's snapshot.
type FlxRestorePayload struct {
	FlxSnapshot
	Mode   string `json:"mode"`
	User   string `json:"user,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
	// KeepSetuid keeps setuid/setgid bits on root's files (dropped
	// otherwise).
	KeepSetuid bool `json:"keep_setuid,omitempty"`
}

// FlxRestoreResult is what the restore did.
type FlxRestoreResult struct {
	Counts   map[string]int `json:"counts"`
	Changes  []FlxChange    `json:"changes"` // the first 1000
	Rollback string         `json:"rollback,omitempty"`
	DryRun   bool           `json:"dry_run"`
	// Placeholders: files written with sanitized (placeholder) values.
	Placeholders []string `json:"placeholders,omitempty"`
}

// FlxDiffPayload compares the task's snapshot with the server's files.
type FlxDiffPayload struct {
	FlxSnapshot
}

// FlxDiffResult lists the differences.
type FlxDiffResult struct {
	Entries []FlxDiffEntry `json:"entries"`
}

// FlxBackupPayload makes a snapshot on the server.
type FlxBackupPayload struct {
	Profile     string   `json:"profile,omitempty"` // etc, flexpbx
	Paths       []string `json:"paths,omitempty"`
	Type        string   `json:"type,omitempty"` // flx or flxx
	KeepSecrets bool     `json:"keep_secrets,omitempty"`
	// JobID is the coordinator's: the flx job whose run asked for the
	// snapshot (0 for a one-off); the upload is kept with that job's
	// snapshots. Agents ignore it.
	JobID int64 `json:"job_id,omitempty"`
}

// FlxBackupResult describes the uploaded snapshot.
type FlxBackupResult struct {
	Name       string         `json:"name"`
	Size       int64          `json:"size"`
	FileCount  int            `json:"file_count"`
	Redactions []FlxRedaction `json:"redaction_report"`
	// Stored is where the coordinator keeps it (filled by the coordinator).
	Stored string `json:"stored,omitempty"`
}

// FlxChange is one file a .flx restore changed (or, dry, would change):
// the wire form of flx.Change.
type FlxChange struct {
	Path   string `json:"path"`
	Action string `json:"action"` // create, overwrite, unchanged, keep (user data), remove
	Size   int64  `json:"size"`
}

// FlxDiffEntry is one difference between a snapshot and the server's
// files: the wire form of flx.DiffEntry.
type FlxDiffEntry struct {
	Path   string `json:"path"`
	Status string `json:"status"` // changed, only in snapshot, only in target
}

// FlxRedaction is one line of a snapshot's redaction report: the wire
// form of flx.Redaction.
type FlxRedaction struct {
	File  string `json:"file"`
	Rule  string `json:"rule"`
	Count int    `json:"count"`
}
