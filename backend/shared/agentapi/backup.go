package agentapi

import "time"

// Backup task types.
const (
	TaskBackup = "backup"
)

// Job kinds.
const (
	KindFiles    = "files"
	KindMySQL    = "mysql"
	KindPostgres = "postgres"
	KindMongo    = "mongo"
	KindDocker   = "docker"
	KindLVM      = "lvm"
	// KindFlx makes a .flx snapshot (Flx says which) instead of a borg
	// archive: its runs are flx-backup tasks, never backup tasks, and its
	// snapshots are kept by the coordinator, not in a repository.
	KindFlx = "flx"
)

// BackupSpec is what a job backs up; it is stored with the job and sent
// with each backup task. It never carries a database password: dump
// credentials stay on the server (a MySQL defaults file, a pgpass file, or
// the database's local socket authentication).
type BackupSpec struct {
	Kind          string   `json:"kind"`
	Paths         []string `json:"paths,omitempty"`
	Excludes      []string `json:"excludes,omitempty"`
	OneFileSystem bool     `json:"one_file_system,omitempty"`
	Compression   string   `json:"compression,omitempty"`
	// CheckpointInterval is how often borg commits a checkpoint archive, in
	// seconds (300 when zero): a backup cut by the network resumes from it.
	CheckpointInterval int `json:"checkpoint_interval,omitempty"`

	MySQL    *MySQLSpec    `json:"mysql,omitempty"`
	Postgres *PostgresSpec `json:"postgres,omitempty"`
	Mongo    *MongoSpec    `json:"mongo,omitempty"`
	Docker   *DockerSpec   `json:"docker,omitempty"`
	LVM      *LVMSpec      `json:"lvm,omitempty"`
	Flx      *FlxSpec      `json:"flx,omitempty"`

	// Pre and Post are commands (argument vectors, no shell) run around the backup.
	Pre  [][]string `json:"pre,omitempty"`
	Post [][]string `json:"post,omitempty"`
}

// FlxSpec is the snapshot a job of kind flx makes on each run.
type FlxSpec struct {
	Profile string `json:"profile"`        // etc, flexpbx
	Type    string `json:"type,omitempty"` // flx (default) or flxx
	// KeepSecrets leaves secrets in the snapshot (sanitized otherwise).
	KeepSecrets bool `json:"keep_secrets,omitempty"`
}

// MySQLSpec dumps MySQL/MariaDB with mysqldump --single-transaction.
type MySQLSpec struct {
	Databases []string `json:"databases,omitempty"` // all when empty
	// DefaultsFile on the server holds the credentials (mode 0600); the
	// local socket as root is used when empty.
	DefaultsFile string `json:"defaults_file,omitempty"`
	Host         string `json:"host,omitempty"`
	Port         int    `json:"port,omitempty"`
}

// PostgresSpec dumps PostgreSQL: pg_dump -Fc per database, or pg_dumpall.
type PostgresSpec struct {
	Databases []string `json:"databases,omitempty"` // pg_dumpall when empty
	Host      string   `json:"host,omitempty"`
	Port      int      `json:"port,omitempty"`
	User      string   `json:"user,omitempty"`
	// PassFile on the server (pgpass format, mode 0600).
	PassFile string `json:"pass_file,omitempty"`
	// OSUser runs the dump as this system user (peer authentication over the
	// local socket); "postgres" when no host is given.
	OSUser string `json:"os_user,omitempty"`
}

// MongoSpec dumps MongoDB with mongodump --archive.
type MongoSpec struct {
	// URIFile on the server holds the connection string (mode 0600).
	URIFile  string `json:"uri_file,omitempty"`
	Database string `json:"database,omitempty"`
}

// DockerSpec backs up containers' volumes and bind mounts.
type DockerSpec struct {
	Containers []string `json:"containers"`
	// StopDuring stops each container around its backup and starts it again.
	StopDuring bool `json:"stop_during,omitempty"`
}

// LVMSpec snapshots a logical volume and backs up the snapshot.
type LVMSpec struct {
	VolumeGroup  string   `json:"volume_group"`
	Volume       string   `json:"volume"`
	SnapshotSize string   `json:"snapshot_size,omitempty"` // e.g. "2G"
	Paths        []string `json:"paths,omitempty"`         // inside the volume; all when empty
}

// BackupPayload is a backup task's payload.
type BackupPayload struct {
	JobID   int64  `json:"job_id"`
	RunID   int64  `json:"run_id"`
	Archive string `json:"archive"`
	Repo    string `json:"repo"` // ssh://borgdesk@host:port/path
	// HostKey pins the repository host's SSH key when it is not the
	// coordinator's (a storage node or a hosted Borg service).
	HostKey string     `json:"host_key,omitempty"`
	Spec    BackupSpec `json:"spec"`
	// LockWait is how many seconds borg waits for the repository's lock
	// (held by a prune, check or mount on the coordinator); 60 when zero.
	LockWait int `json:"lock_wait,omitempty"`
	// Passphrase is added when the task is handed to the agent, for this
	// task only; it is never stored with the task and never written on the
	// agent.
	Passphrase string `json:"passphrase,omitempty"`
	// CoordinatorVerifies: the repository is on the coordinator, which
	// confirms the archive in its own copy after the run; the agent does
	// not list the repository again over SSH (ProtocolVersion 2 agents
	// that do not know the field verify as before).
	CoordinatorVerifies bool `json:"coordinator_verifies,omitempty"`
}

// BackupProgress is the progress of a running backup.
type BackupProgress struct {
	Files        int64   `json:"files"`
	Bytes        int64   `json:"bytes"`
	Compressed   int64   `json:"compressed"`
	Deduplicated int64   `json:"deduplicated"`
	Path         string  `json:"path"`
	BytesPerSec  float64 `json:"bytes_per_sec"`
}

// BackupResult is a finished backup.
type BackupResult struct {
	Archive      string  `json:"archive"`
	ArchiveID    string  `json:"archive_id"`
	Files        int64   `json:"files"`
	Bytes        int64   `json:"bytes"`
	Compressed   int64   `json:"compressed"`
	Deduplicated int64   `json:"deduplicated"`
	DurationSec  float64 `json:"duration_sec"`
	Verified     bool    `json:"verified"` // the archive was listed after creation
	Warnings     string  `json:"warnings,omitempty"`
	Log          string  `json:"log,omitempty"`
	// BorgStarted and BorgDone frame borg create on the agent's clock,
	// for the run's timeline.
	BorgStarted *time.Time `json:"borg_started,omitempty"`
	BorgDone    *time.Time `json:"borg_done,omitempty"`
}
