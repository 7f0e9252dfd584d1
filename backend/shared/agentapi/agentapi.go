// Package agentapi is the wire contract between the coordinator's gateway
// and borgdesk-agent: routes, headers, request and response types, and the
// protocol version. It is shared by both sides, so it imports only the
// standard library and holds no behaviour beyond encoding rules. It must
// never import a package of either side (a test says so).
package agentapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// ProtocolVersion is the version of this contract. Both sides send it in the
// ProtocolHeader of every request and response; a coordinator refuses an
// agent that speaks a newer version than it does.
//
// History:
//
//	1: first version (register, heartbeat, long-poll tasks, renew, update).
//	2: a restore onto another server streams: RestorePayload and
//	   DBRestorePayload carry Stream (and then no repository, host key or
//	   passphrase), and the agent reads the files from PathTaskStream. A
//	   version 1 agent fails such a task ("carries no repository
//	   passphrase"); no grant user (ssh://grant-…) is handed out any more.
//
// Not a bump: agentapi's messages once embedded flx.Change, flx.DiffEntry,
// flx.Redaction and borg.Keep; they now have wire types of their own
// (FlxChange, FlxDiffEntry, FlxRedaction, Keep) with the same JSON, so an
// agent of either build and the coordinator understand each other.
// testdata/wire-v2 holds version 2's encoding of those messages. Nor are
// BackupPayload.CoordinatorVerifies and BackupResult.BorgStarted/BorgDone:
// an agent that does not know the first lists the repository itself and
// reports Verified, which the coordinator then takes as it is; a
// coordinator that does not know the others ignores them. Nor are
// BackupSpec.Flx (kind flx) and FlxBackupPayload.JobID, omitted when
// empty: no agent is sent a backup task or an offline job of kind flx
// (its runs are flx-backup tasks, which every version 2 agent runs, and
// offline bundles leave flx jobs out), and agents ignore JobID. Bump the
// version whenever a message's JSON changes in a way a peer of the
// previous version would misread, and add a line above saying what it
// does with a peer that speaks the previous one.
const ProtocolVersion = 2

// ProtocolHeader carries ProtocolVersion on every request and response.
const ProtocolHeader = "Borgdesk-Protocol"

// MaxBodyBytes bounds every request body the gateway reads.
const MaxBodyBytes = 1 << 20

// Routes.
const (
	PathHealth       = "/api/health"
	PathRegister     = "/api/agent/register"
	PathHeartbeat    = "/api/agent/heartbeat"
	PathTasks        = "/api/agent/tasks"
	PathRenew        = "/api/agent/certificate/renew"
	PathUpdateCheck  = "/api/agent/update/check"
	PathUpdateFetch  = "/api/agent/update/download"
	PathTaskStart    = "/api/agent/tasks/{id}/start"
	PathTaskProgress = "/api/agent/tasks/{id}/progress"
	PathTaskComplete = "/api/agent/tasks/{id}/complete"
)

// LongPoll is how long the gateway holds GET /api/agent/tasks open when
// there is no work; clients should allow a little more.
const LongPoll = 25 * time.Second

// RenewBefore is how long before expiry an agent renews its certificate;
// the coordinator refuses renewals earlier than that (with a day's slack).
const RenewBefore = 30 * 24 * time.Hour

// Error is the body of every non-2xx response.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes.
const (
	CodeBadRequest       = "bad_request"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeProtocolMismatch = "protocol_mismatch"
	CodeTokenInvalid     = "token_invalid"
	CodeTooLarge         = "too_large"
	CodeInternal         = "internal"
	CodeNoUpdate         = "no_update"
	CodeConflict         = "conflict" // e.g. a task that is no longer running (cancelled)
	// CodeSuperseded refuses a certificate that a renewal replaced: the
	// agent drops its connections made with it and tries again.
	CodeSuperseded = "certificate_superseded"
)

// Health is GET /api/health.
type Health struct {
	Status          string `json:"status"`
	ProtocolVersion int    `json:"protocol_version"`
}

// RegisterRequest enrolls a new agent with a one-time token. The CSR is the
// agent's own: its private key never leaves the host.
type RegisterRequest struct {
	Token           string `json:"token"`
	Name            string `json:"name"`
	CSR             string `json:"csr"`            // PEM "CERTIFICATE REQUEST"
	SSHPublicKey    string `json:"ssh_public_key"` // authorized_keys line
	Hostname        string `json:"hostname"`
	AgentVersion    string `json:"agent_version"`
	ProtocolVersion int    `json:"protocol_version"`
}

// RegisterResponse returns the agent's identity and what it must trust.
type RegisterResponse struct {
	AgentUUID       string  `json:"agent_uuid"`
	Name            string  `json:"name"`
	Certificate     string  `json:"certificate"` // PEM, the agent's
	CACertificate   string  `json:"ca_certificate"`
	UpdatePublicKey string  `json:"update_public_key"` // base64 ed25519, verifies agent updates
	BorgSSH         BorgSSH `json:"borg_ssh"`
	HeartbeatEvery  int     `json:"heartbeat_seconds"`
}

// BorgSSH is where the agent's borg reaches its repository.
type BorgSSH struct {
	Host    string `json:"host,omitempty"`
	Port    int    `json:"port,omitempty"`
	HostKey string `json:"host_key,omitempty"` // authorized_keys-format public key
}

// Capabilities is what the agent's host can back up.
type Capabilities struct {
	Hostname    string          `json:"hostname"`
	OS          string          `json:"os"`
	OSVersion   string          `json:"os_version"`
	Kernel      string          `json:"kernel"`
	Arch        string          `json:"arch"`
	BorgVersion string          `json:"borg_version"`
	Tools       map[string]bool `json:"tools"` // mysqldump, pg_dump, mongodump, docker, lvm
}

// Metrics is a snapshot of the host's load.
type Metrics struct {
	CollectedAt   time.Time `json:"collected_at"`
	CPUPercent    float64   `json:"cpu_percent"`
	Load1         float64   `json:"load1"`
	MemTotal      uint64    `json:"mem_total"`
	MemUsed       uint64    `json:"mem_used"`
	SwapTotal     uint64    `json:"swap_total"`
	SwapUsed      uint64    `json:"swap_used"`
	UptimeSeconds uint64    `json:"uptime_seconds"`
	Disks         []Disk    `json:"disks"`
	Net           []NetIO   `json:"net"`
}

// Disk is one mounted file system.
type Disk struct {
	Mount  string `json:"mount"`
	FSType string `json:"fstype"`
	Total  uint64 `json:"total"`
	Used   uint64 `json:"used"`
}

// NetIO is one interface's counters since boot.
type NetIO struct {
	Name    string `json:"name"`
	RxBytes uint64 `json:"rx_bytes"`
	TxBytes uint64 `json:"tx_bytes"`
}

// HeartbeatRequest is POST /api/agent/heartbeat.
type HeartbeatRequest struct {
	AgentVersion    string `json:"agent_version"`
	ProtocolVersion int    `json:"protocol_version"`
	RunningTasks    int    `json:"running_tasks"`
	// RunningTaskIDs are the tasks the agent is working on; tasks the
	// coordinator believes running on this agent but missing here were
	// lost (the agent was killed or restarted) and are failed and retried.
	RunningTaskIDs []int64 `json:"running_task_ids"`
	// StartedAt is when this agent process started: a task started before
	// it and not in RunningTaskIDs was lost with the previous process.
	StartedAt    time.Time    `json:"started_at"`
	Capabilities Capabilities `json:"capabilities"`
	Metrics      Metrics      `json:"metrics"`
}

// HeartbeatResponse tells the agent the coordinator's view.
type HeartbeatResponse struct {
	ServerTime      time.Time `json:"server_time"`
	ProtocolVersion int       `json:"protocol_version"`
	HeartbeatEvery  int       `json:"heartbeat_seconds"`
	// Cancel lists running tasks the operator cancelled: stop them.
	Cancel []int64 `json:"cancel,omitempty"`
	// ScheduleSerial names the agent's current schedule bundle ("" none):
	// when it differs from the one the agent holds, it fetches PathSchedule.
	ScheduleSerial string `json:"schedule_serial,omitempty"`
}

// Task types.
const (
	TaskTest = "test" // echo: proves the loop end to end
)

// Task is one unit of work for an agent.
type Task struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// TestPayload is the payload of a TaskTest task.
type TestPayload struct {
	Message string `json:"message"`
	// SleepMillis makes the task take a while (for progress and cancel tests).
	SleepMillis int `json:"sleep_ms,omitempty"`
}

// TestResult is the result of a TaskTest task.
type TestResult struct {
	Echo     string `json:"echo"`
	Hostname string `json:"hostname"`
}

// TasksResponse is GET /api/agent/tasks?max=N.
type TasksResponse struct {
	Tasks []Task `json:"tasks"`
}

// TaskProgress is POST /api/agent/tasks/{id}/progress.
type TaskProgress struct {
	Percent float64 `json:"percent"`
	Message string  `json:"message"`
	Bytes   int64   `json:"bytes"`
	Files   int64   `json:"files"`
	// Restores also report their totals, the current path, the rate and
	// an estimate of the time left.
	TotalFiles  int64   `json:"total_files,omitempty"`
	TotalBytes  int64   `json:"total_bytes,omitempty"`
	Path        string  `json:"path,omitempty"`
	Phase       string  `json:"phase,omitempty"`
	BytesPerSec float64 `json:"bytes_per_sec,omitempty"`
	ETASec      float64 `json:"eta_sec,omitempty"`
}

// Task outcomes.
const (
	TaskSucceeded = "succeeded"
	TaskFailed    = "failed"
)

// TaskComplete is POST /api/agent/tasks/{id}/complete.
type TaskComplete struct {
	Status string          `json:"status"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// RenewRequest is POST /api/agent/certificate/renew, with a CSR for a new key.
type RenewRequest struct {
	CSR string `json:"csr"`
}

// RenewResponse carries the new certificate.
type RenewResponse struct {
	Certificate   string `json:"certificate"`
	CACertificate string `json:"ca_certificate"`
}

// UpdateCheckRequest is POST /api/agent/update/check.
type UpdateCheckRequest struct {
	Version string `json:"version"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// UpdateCheckResponse says whether a different agent build is available.
type UpdateCheckResponse struct {
	Available bool   `json:"available"`
	Version   string `json:"version,omitempty"`
	SHA256    string `json:"sha256,omitempty"` // hex
	Size      int64  `json:"size,omitempty"`
	Signature string `json:"signature,omitempty"` // base64 ed25519 over UpdateMessage
}

// UpdateMessage is what the coordinator signs for an agent binary: the
// metadata is bound to the hash, so a signature for one platform or version
// cannot be replayed for another.
func UpdateMessage(version, goos, arch, sha256hex string) []byte {
	return []byte("borgdesk-agent-update/v1\x00" + version + "\x00" + goos + "\x00" + arch + "\x00" + sha256hex)
}

// Fingerprint is the pin of a certificate (its DER bytes), written like
// OpenSSH's key fingerprints: "SHA256:" and unpadded base64 of the SHA-256.
// The install command carries the CA's, and the agent checks it on first
// contact.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}
