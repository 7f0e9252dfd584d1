package agentapi

// Restore task types.
const (
	TaskRestore   = "restore"
	TaskDBRestore = "db-restore"
)

// Overwrite policies of a restore: what happens when a restored file
// already exists at its destination.
const (
	PolicySkip      = "skip"      // the file on the server stays
	PolicyOverwrite = "overwrite" // the archive's copy replaces it
	PolicyKeepBoth  = "keep-both" // the archive's copy lands beside it, renamed
)

// PathTaskStream serves a running streamed restore its data: a tar of the
// restored paths (TaskRestore) or the dump's bytes (TaskDBRestore), read
// by the coordinator from its copy of the source repository. Only the
// agent the task belongs to may fetch it, and only while it runs.
const PathTaskStream = "/api/agent/tasks/{id}/stream"

// StreamTrailer is the HTTP trailer that ends a PathTaskStream response:
// StreamComplete when every byte was sent, else what went wrong. A stream
// without it was cut short and must not be used.
const (
	StreamTrailer  = "Borgdesk-Stream"
	StreamComplete = "complete"
)

// RestorePayload restores paths of an archive onto the agent's server.
//
// A restore onto the server the archive came from carries Repo, HostKey
// and (added when handed out) the passphrase: the agent extracts with
// borg. A restore onto another server carries Stream instead and none of
// them: the agent never learns another server's repository or passphrase.
type RestorePayload struct {
	// Source is the UUID of the server whose repository holds the archive.
	Source  string `json:"source"`
	Repo    string `json:"repo,omitempty"`
	HostKey string `json:"host_key,omitempty"` // as in BackupPayload
	// Stream says the files come from PathTaskStream, not from borg.
	Stream  bool     `json:"stream,omitempty"`
	Archive string   `json:"archive"`
	Paths   []string `json:"paths,omitempty"` // the whole archive when empty
	// To is the directory restored paths are placed under ("/" puts them
	// back where they were).
	To     string `json:"to"`
	Policy string `json:"policy"`
	// KeepSetuid keeps setuid/setgid bits on restored files that belong
	// to root; they are dropped otherwise (and always on others' files).
	KeepSetuid bool  `json:"keep_setuid,omitempty"`
	TotalFiles int64 `json:"total_files"`
	TotalBytes int64 `json:"total_bytes"`
	LockWait   int   `json:"lock_wait,omitempty"`
	// Passphrase is added when the task is handed out, never stored.
	Passphrase string `json:"passphrase,omitempty"`
}

// RestoreResult says what a restore wrote.
type RestoreResult struct {
	To          string   `json:"to"`
	Files       int64    `json:"files"`
	Bytes       int64    `json:"bytes"`
	Overwritten int64    `json:"overwritten"`
	Skipped     int64    `json:"skipped"`
	Renamed     int64    `json:"renamed"`
	Written     []string `json:"written"` // the first 100 paths written
	Log         string   `json:"log,omitempty"`
}

// DBRestorePayload restores one database dump of an archive. Like
// RestorePayload, it carries Stream and no repository onto another server.
type DBRestorePayload struct {
	Source  string `json:"source"`
	Repo    string `json:"repo,omitempty"`
	HostKey string `json:"host_key,omitempty"` // as in BackupPayload
	Stream  bool   `json:"stream,omitempty"`
	Archive string `json:"archive"`
	Dump    string `json:"dump"` // its path in the archive, e.g. postgres/app.dump
	// Database is the database restored into: a new one (Replace false)
	// or the original, replaced once the restore succeeded.
	Database string `json:"database"`
	Replace  bool   `json:"replace,omitempty"`
	// Connection settings of the job that made the dump, when the dump is
	// restored on the server it came from.
	MySQL      *MySQLSpec    `json:"mysql,omitempty"`
	Postgres   *PostgresSpec `json:"postgres,omitempty"`
	Mongo      *MongoSpec    `json:"mongo,omitempty"`
	TotalBytes int64         `json:"total_bytes"`
	LockWait   int           `json:"lock_wait,omitempty"`
	Passphrase string        `json:"passphrase,omitempty"`
}

// TableRows is one table's row count after a database restore.
type TableRows struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// DBRestoreResult summarizes a database restore.
type DBRestoreResult struct {
	Engine   string      `json:"engine"`
	Database string      `json:"database"`
	Tables   []TableRows `json:"tables"`
	Rows     int64       `json:"rows"`
	Bytes    int64       `json:"bytes"`
	Log      string      `json:"log,omitempty"`
}
