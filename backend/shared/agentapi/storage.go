package agentapi

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// Task types of storage nodes and offline schedules.
const (
	// TaskStorageConfig makes the agent a storage node (or updates one): it
	// runs the Borg SSH server on Listen for the repositories under Dir.
	TaskStorageConfig = "storage-config"
	// TaskStorageRepo runs one maintenance operation on a repository the
	// node holds, with borg on the node itself (never through the
	// append-only path).
	TaskStorageRepo = "storage-repo"
)

// Storage-node routes (mTLS).
const (
	// PathSchedule returns the agent's signed schedule bundle.
	PathSchedule = "/api/agent/schedule"
	// PathOfflineRuns takes the runs an agent made while the coordinator
	// was unreachable.
	PathOfflineRuns = "/api/agent/offline-runs"
)

// StorageConfigPayload configures a storage node. Agents lists every agent
// allowed to reach its own repository (UUID → authorized_keys line); Admin
// is the coordinator's own key, which reads the repositories (catalog,
// browsing, drills) without the append-only restriction.
type StorageConfigPayload struct {
	Listen string            `json:"listen"`
	Dir    string            `json:"dir"`
	Admin  string            `json:"admin_key"`
	Agents map[string]string `json:"agents"`
	// Disable stops the node's Borg SSH server (the repositories stay).
	Disable bool `json:"disable,omitempty"`
}

// StorageConfigResult is what the node reports back.
type StorageConfigResult struct {
	HostKey   string `json:"host_key"` // authorized_keys format
	Listen    string `json:"listen"`
	Dir       string `json:"dir"`
	FreeBytes int64  `json:"free_bytes"`
}

// Storage repository operations.
const (
	RepoInit    = "init"
	RepoPrune   = "prune"
	RepoCompact = "compact"
	RepoCheck   = "check"
	RepoList    = "list"
)

// StorageRepoPayload is one maintenance operation on a node's repository.
type StorageRepoPayload struct {
	Op     string `json:"op"`
	Server string `json:"server"` // the repository's owner (agent UUID)
	// Passphrase is added at hand-out, like a backup's; never stored.
	Passphrase string `json:"passphrase,omitempty"`
	Keep       Keep   `json:"keep,omitzero"`
	Prefix     string `json:"prefix,omitempty"`
	VerifyData bool   `json:"verify_data,omitempty"`
	// Known are the archives the coordinator recorded: a prune is held if
	// any is missing (deleted by a client through append-only mode).
	Known []string `json:"known,omitempty"`
}

// Keep is a retention policy, as borg prune's --keep-* options: the wire
// form of borg.Keep. The zero Keep keeps everything.
type Keep struct {
	Within  string `json:"within,omitempty"` // e.g. "2d"
	Daily   int    `json:"daily,omitempty"`
	Weekly  int    `json:"weekly,omitempty"`
	Monthly int    `json:"monthly,omitempty"`
	Yearly  int    `json:"yearly,omitempty"`
}

// StorageRepoResult is an operation's outcome.
type StorageRepoResult struct {
	Archives []string `json:"archives,omitempty"`
	Kept     []string `json:"kept,omitempty"`
	Pruned   []string `json:"pruned,omitempty"`
	// Missing are known archives gone from the repository (prune held).
	Missing []string `json:"missing,omitempty"`
	Bytes   int64    `json:"bytes,omitempty"`
}

// ScheduleBundle is the part of the coordinator's schedule an agent runs
// on its own while the coordinator is unreachable: jobs whose repository
// is not on the coordinator. It travels signed (SignedSchedule) and is
// kept on disk; passphrases travel beside it and stay in memory.
type ScheduleBundle struct {
	Agent    string        `json:"agent"`
	IssuedAt time.Time     `json:"issued_at"`
	Jobs     []OfflineJob  `json:"jobs"`
	Serial   string        `json:"serial"`
	Settings OfflineConfig `json:"settings"`
}

// OfflineConfig tunes offline runs.
type OfflineConfig struct {
	// After is how long the coordinator must have been unreachable before
	// the agent runs schedules itself, in seconds.
	After int `json:"after_seconds"`
}

// OfflineJob is one job in a schedule bundle.
type OfflineJob struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Schedule string     `json:"schedule"`
	Spec     BackupSpec `json:"spec"`
	Repo     string     `json:"repo"`
	HostKey  string     `json:"host_key"`
	LockWait int        `json:"lock_wait,omitempty"`
	// Keep is the job's retention: the agent cannot prune through the
	// append-only path, so it is applied by the coordinator (or the storage
	// node's task) once the runs are delivered; it travels signed so the
	// agent's copy of the job is whole.
	Keep Keep `json:"keep,omitzero"`
	// LastScheduledAt is the last slot the coordinator ran.
	LastScheduledAt *time.Time `json:"last_scheduled_at,omitempty"`
}

// SignedSchedule is a bundle with the coordinator CA's signature over
// exactly the Bundle bytes (ECDSA/Ed25519 per the CA key, ASN.1).
type SignedSchedule struct {
	Bundle    json.RawMessage `json:"bundle"`
	Signature []byte          `json:"signature"`
}

// ScheduleResponse is GET PathSchedule's answer: the signed bundle and the
// passphrases of its jobs' repositories (job ID → passphrase), which the
// agent keeps only in memory.
type ScheduleResponse struct {
	Signed      SignedSchedule   `json:"signed"`
	Passphrases map[int64]string `json:"passphrases"`
}

// OfflineRun is a run an agent made on its own.
type OfflineRun struct {
	// ID is the agent's own random ID for the run: delivering twice is harmless.
	ID          string        `json:"id"`
	JobID       int64         `json:"job_id"`
	ScheduledAt time.Time     `json:"scheduled_at"`
	StartedAt   time.Time     `json:"started_at"`
	FinishedAt  time.Time     `json:"finished_at"`
	Status      string        `json:"status"` // succeeded, warning, failed
	Error       string        `json:"error,omitempty"`
	Result      *BackupResult `json:"result,omitempty"`
}

// OfflineRunsRequest delivers queued runs, oldest first.
type OfflineRunsRequest struct {
	Runs []OfflineRun `json:"runs"`
}

// OfflineRunsResponse says which runs were recorded (IDs, now safe to drop).
type OfflineRunsResponse struct {
	Accepted []string `json:"accepted"`
}

// VerifySchedule checks a signed bundle against the CA certificate the
// agent pinned at enrollment and decodes it. The context string matches
// ca.ScheduleContext.
func VerifySchedule(caCertPEM []byte, s SignedSchedule, agent string) (ScheduleBundle, error) {
	var b ScheduleBundle
	block, _ := pem.Decode(caCertPEM)
	if block == nil {
		return b, errors.New("schedule: no CA certificate to check the signature with")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return b, fmt.Errorf("schedule: CA certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return b, errors.New("schedule: the CA key is not ECDSA")
	}
	sum := sha256.Sum256(append([]byte("borgdesk schedule bundle v1\n"), s.Bundle...))
	if !ecdsa.VerifyASN1(pub, sum[:], s.Signature) {
		return b, errors.New("schedule: the signature does not match the coordinator's CA; ignoring this schedule")
	}
	if err := json.Unmarshal(s.Bundle, &b); err != nil {
		return b, fmt.Errorf("schedule: %w", err)
	}
	if b.Agent != agent {
		return b, fmt.Errorf("schedule: made for agent %s, not this one (%s)", b.Agent, agent)
	}
	return b, nil
}

// TaskStorageReplicate replicates a repository a storage node holds, with
// rclone on the node (the files are there).
const TaskStorageReplicate = "storage-replicate"

// StorageReplicatePayload is one replication on a node. Target is the
// replicate.Target's JSON form; the secrets (the SFTP key, the pinned host
// keys, an S3 secret) and the passphrase are added at hand-out, never
// stored with the task, and live on the node only in a 0700 temporary
// directory for the run.
type StorageReplicatePayload struct {
	Server     string          `json:"server"`
	Target     json.RawMessage `json:"target"`
	Passphrase string          `json:"passphrase,omitempty"`
	Key        string          `json:"key,omitempty"`
	KnownHosts string          `json:"known_hosts,omitempty"`
	Secret     string          `json:"secret,omitempty"`
}

// StorageReplicateResult is a node's replication outcome: the result, or
// the failure's kind (replicate.Reason) and sentence.
type StorageReplicateResult struct {
	Result  json.RawMessage `json:"result,omitempty"`
	ErrKind string          `json:"err_kind,omitempty"`
	ErrMsg  string          `json:"err_msg,omitempty"`
}
