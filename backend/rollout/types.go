// Package rollout installs borgdesk-agent on servers over SSH (password used
// once, or a private key), with the host key confirmed by the operator and
// pinned, and enrolls it with a single-use token.
package rollout

import "time"

// Steps of one host's rollout, in order.
const (
	StepConnect   = "connecting"
	StepHostKey   = "host key"
	StepDetect    = "checking the system"
	StepBorg      = "installing borg"
	StepUpload    = "uploading the agent"
	StepEnroll    = "enrolling"
	StepStart     = "starting the agent"
	StepHeartbeat = "first heartbeat"
	StepDone      = "done"
)

// Host states.
const (
	StatusPending = "pending"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Target is one host to roll out to.
type Target struct {
	Host string `json:"host"`
	Port int    `json:"port"` // 22 when zero
	User string `json:"user"`
	// Name is the server's name in Borgdesk (the host when empty).
	Name string `json:"name"`
}

// HostKey is what the operator confirms before any credential is sent.
type HostKey struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Type        string `json:"type"`        // ssh-ed25519, ecdsa-sha2-nistp256, …
	Fingerprint string `json:"fingerprint"` // SHA256:…
	// Known: the key is already pinned for this host.
	Known bool `json:"known"`
	// Changed: a different key is pinned: stop, as OpenSSH does.
	Changed bool `json:"changed"`
	// Pinned is the fingerprint on record when Changed.
	Pinned string `json:"pinned,omitempty"`
	Error  string `json:"error,omitempty"` // the host could not be reached
}

// Request is a rollout to one or many hosts with one credential.
type Request struct {
	Targets []Target `json:"targets"`
	// Password logs in (and answers sudo); used once, never stored.
	Password string `json:"password,omitempty"`
	// Key is a PEM private key (KeyPassphrase if it is encrypted).
	Key           string `json:"key,omitempty"`
	KeyPassphrase string `json:"key_passphrase,omitempty"`
	// SudoPassword answers sudo when logging in with a key.
	SudoPassword string `json:"sudo_password,omitempty"`
	// AcceptHostKeys maps "host:port" to the SHA256 fingerprint the
	// operator confirmed; a host whose key is neither pinned nor accepted
	// here stops before any credential is sent.
	AcceptHostKeys map[string]string `json:"accept_host_keys,omitempty"`
	// Concurrency bounds the hosts done at once (5 when zero, at most 20).
	Concurrency int `json:"concurrency,omitempty"`
}

// HostState is one host's progress and result.
type HostState struct {
	Host        string     `json:"host"`
	Port        int        `json:"port"`
	User        string     `json:"user"`
	Name        string     `json:"name"`
	Step        string     `json:"step"`
	Status      string     `json:"status"`
	Message     string     `json:"message"` // the last thing done, or the failure in one sentence
	Fingerprint string     `json:"fingerprint,omitempty"`
	ServerUUID  string     `json:"server_uuid,omitempty"`
	Init        string     `json:"init,omitempty"` // systemd or supervised
	StartedAt   *time.Time `json:"started_at" ts_type:"string"`
	FinishedAt  *time.Time `json:"finished_at" ts_type:"string"`
}

// Rollout is a batch of hosts.
type Rollout struct {
	ID        string      `json:"id"`
	Hosts     []HostState `json:"hosts"`
	Done      bool        `json:"done"`
	StartedAt time.Time   `json:"started_at" ts_type:"string"`
}

// UninstallRequest removes the agent from a server over SSH.
type UninstallRequest struct {
	Server        string `json:"server"` // name or UUID in Borgdesk
	Host          string `json:"host"`   // the server's address (its name when empty)
	Port          int    `json:"port"`
	User          string `json:"user"`
	Password      string `json:"password,omitempty"`
	Key           string `json:"key,omitempty"`
	KeyPassphrase string `json:"key_passphrase,omitempty"`
	SudoPassword  string `json:"sudo_password,omitempty"`
	AcceptHostKey string `json:"accept_host_key,omitempty"`
}
