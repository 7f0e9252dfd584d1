// Package config is borgdesk-agent's configuration file (YAML, mode 0600)
// and the key and certificate files kept beside it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"borgdesk/backend/shared/atomicfile"
)

// DefaultPath is where a system-wide agent keeps its configuration.
const DefaultPath = "/etc/borgdesk-agent/config.yaml"

// File names beside the configuration.
const (
	CAFile     = "ca.crt"
	CertFile   = "agent.crt"
	KeyFile    = "agent.key"
	SSHKeyFile = "ssh_ed25519"
)

// Config is the agent's configuration, in the seed system's shape.
type Config struct {
	Server  Server  `yaml:"server"`
	Agent   Agent   `yaml:"agent"`
	TLS     TLS     `yaml:"tls"`
	SSH     SSH     `yaml:"ssh"`
	Update  Update  `yaml:"update"`
	BorgSSH BorgSSH `yaml:"borg_ssh,omitempty"`

	path string
}

// Server is the coordinator.
type Server struct {
	URL           string `yaml:"url"`
	CAFingerprint string `yaml:"ca_fingerprint"`
}

// Agent is this agent's identity and pacing.
type Agent struct {
	UUID               string   `yaml:"uuid"`
	Name               string   `yaml:"name"`
	MaxConcurrentTasks int      `yaml:"max_concurrent_tasks"`
	PollingInterval    Duration `yaml:"polling_interval"`
	HeartbeatInterval  Duration `yaml:"heartbeat_interval"`
}

// TLS names the certificate files, relative to the config's directory.
type TLS struct {
	CACert string `yaml:"ca_cert"`
	Cert   string `yaml:"cert"`
	Key    string `yaml:"key"`
}

// SSH names the agent's SSH key (for reaching its Borg repository).
type SSH struct {
	Key string `yaml:"key"`
}

// Update configures self-update.
type Update struct {
	PublicKey     string   `yaml:"public_key"` // base64 ed25519 from enrollment
	Auto          bool     `yaml:"auto"`
	CheckInterval Duration `yaml:"check_interval"`
}

// BorgSSH is the repository endpoint.
type BorgSSH struct {
	Host    string `yaml:"host,omitempty"`
	Port    int    `yaml:"port,omitempty"`
	HostKey string `yaml:"host_key,omitempty"`
}

// Duration is a time.Duration written as "60s" in YAML.
type Duration time.Duration

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML reads "60s" (or a number of seconds).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		var secs int
		if err2 := n.Decode(&secs); err2 != nil {
			return fmt.Errorf("line %d: %q is not a duration (like 60s)", n.Line, s)
		}
		v = time.Duration(secs) * time.Second
	}
	*d = Duration(v)
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// New returns a configuration with defaults, to be saved at path.
func New(path string) *Config {
	return &Config{
		path:   path,
		Agent:  Agent{MaxConcurrentTasks: 2, PollingInterval: Duration(5 * time.Second), HeartbeatInterval: Duration(60 * time.Second)},
		TLS:    TLS{CACert: CAFile, Cert: CertFile, Key: KeyFile},
		SSH:    SSH{Key: SSHKeyFile},
		Update: Update{Auto: true, CheckInterval: Duration(6 * time.Hour)},
	}
}

// ErrNotEnrolled means there is no configuration yet.
var ErrNotEnrolled = errors.New("this agent is not enrolled")

// Load reads and checks the configuration at path.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist; run `borgdesk-agent enroll` first", ErrNotEnrolled, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	c := New(path)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("%s: %w (fix the file, or enroll again with --force)", path, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func (c *Config) validate() error {
	switch {
	case c.Server.URL == "":
		return errors.New("server.url is empty")
	case c.Agent.UUID == "":
		return errors.New("agent.uuid is empty")
	case c.Agent.MaxConcurrentTasks < 1 || c.Agent.MaxConcurrentTasks > 64:
		return fmt.Errorf("agent.max_concurrent_tasks is %d; use 1 to 64", c.Agent.MaxConcurrentTasks)
	case c.Agent.HeartbeatInterval.D() < time.Second:
		return fmt.Errorf("agent.heartbeat_interval %s is too short", c.Agent.HeartbeatInterval.D())
	}
	return nil
}

// Save writes the configuration (0600).
func (c *Config) Save() error {
	raw, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(c.path, append([]byte("# borgdesk-agent configuration, written by `borgdesk-agent enroll`\n"), raw...), 0o600)
}

// Path is the configuration file.
func (c *Config) Path() string { return c.path }

// Dir is the configuration's directory, where keys and certificates live.
func (c *Config) Dir() string { return filepath.Dir(c.path) }

// File resolves a file name from the configuration against Dir.
func (c *Config) File(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.Dir(), name)
}
