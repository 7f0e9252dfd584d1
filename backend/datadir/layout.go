package datadir

import "path/filepath"

// Names inside the data dir, relative to it. They are the one list: code
// that needs a path under the data dir asks a Layout, and the recovery kit
// (whose paths are relative to the data dir it came from) uses these names.
const (
	CADir           = "ca"            // the fleet's certificate authority
	UpdateKeyFile   = "ca/update.key" // signs agent binaries
	KeysDir         = "keys"          // repository passphrases, secrets, SSH keys
	ReplicaKeysDir  = "keys/replicas" // one key, known_hosts and secret per replica
	CoordinatorKey  = "keys/coordinator_ssh_ed25519"
	ReposDir        = "repos"                // one borg repository per server
	CatalogFile     = "catalog.db"           // the file index
	MountsFile      = "mounts.json"          // FUSE mounts, cleaned at start
	MountDir        = "mnt"                  // default mount points
	KnownHostsFile  = "known_hosts"          // pinned host keys of rollout targets
	HostKeyFile     = "ssh_host_ed25519_key" // the Borg SSH server's host key
	BorgHomeDir     = "borg"                 // borg's cache and config for the coordinator
	BorgServeDir    = "borg-serve"           // borg serve's home for agents' sessions
	InboxDir        = "inbox"                // .flx files dropped to be imported
	FlxDir          = "flx"                  // staged and exported .flx files
	DrillsDir       = "drills"               // scratch space of restore drills
	OutboxFile      = "outbox.mbox"          // mail not sent yet
	SentFile        = "sent.mbox"            // mail sent
	KitStagePrefix  = ".recovery-kit-"       // a recovery kit being written
	KitImportPrefix = ".recovery-import-"    // a recovery kit being imported
	CreatingSuffix  = ".creating"            // marks a repository borg init is making
)

// Layout is a data dir: every path under it comes from here.
type Layout struct{ Root string }

// At is the layout of the data dir at root.
func At(root string) Layout { return Layout{Root: root} }

func (l Layout) path(rel ...string) string {
	return filepath.Join(append([]string{l.Root}, rel...)...)
}

// Database is the state database.
func (l Layout) Database() string { return l.path(DBFile) }

// Lock is the file whose lock says which process owns the data dir.
func (l Layout) Lock() string { return l.path(LockFile) }

// Socket is the admin API's default socket.
func (l Layout) Socket() string { return l.path(SocketFile) }

// CA is the certificate authority's directory.
func (l Layout) CA() string { return l.path(CADir) }

// UpdateKey signs agent binaries for self-update.
func (l Layout) UpdateKey() string { return l.path(UpdateKeyFile) }

// Keys holds passphrases, secrets and the coordinator's SSH key.
func (l Layout) Keys() string { return l.path(KeysDir) }

// Key is a file in Keys.
func (l Layout) Key(name string) string { return l.path(KeysDir, name) }

// ReplicaKeys holds each replica's SSH key, known_hosts and secret.
func (l Layout) ReplicaKeys() string { return l.path(ReplicaKeysDir) }

// CoordinatorKey is the SSH key the coordinator uses for storage targets.
func (l Layout) CoordinatorKey() string { return l.path(CoordinatorKey) }

// Repos holds the repositories the Borg SSH server serves.
func (l Layout) Repos() string { return l.path(ReposDir) }

// Catalog is the file index.
func (l Layout) Catalog() string { return l.path(CatalogFile) }

// Mounts records the FUSE mounts.
func (l Layout) Mounts() string { return l.path(MountsFile) }

// MountPoint is a default mount point.
func (l Layout) MountPoint(parts ...string) string {
	return l.path(append([]string{MountDir}, parts...)...)
}

// KnownHosts are the pinned host keys of rollout targets.
func (l Layout) KnownHosts() string { return l.path(KnownHostsFile) }

// HostKey is the Borg SSH server's host key.
func (l Layout) HostKey() string { return l.path(HostKeyFile) }

// BorgHome is borg's base directory for the coordinator's own borg.
func (l Layout) BorgHome() string { return l.path(BorgHomeDir) }

// BorgServeHome is borg's base directory for agents' borg serve sessions.
func (l Layout) BorgServeHome() string { return l.path(BorgServeDir) }

// Inbox is the folder watched for .flx files.
func (l Layout) Inbox() string { return l.path(InboxDir) }

// Flx holds staged and exported .flx files.
func (l Layout) Flx(parts ...string) string { return l.path(append([]string{FlxDir}, parts...)...) }

// Drill is the scratch folder of one restore drill.
func (l Layout) Drill(id string) string { return l.path(DrillsDir, id) }

// Outbox and Sent are the mail queues (mbox).
func (l Layout) Outbox() string { return l.path(OutboxFile) }

// Sent is the mbox of mail sent.
func (l Layout) Sent() string { return l.path(SentFile) }
