// Package enroll makes a new agent's identity and registers it with the
// coordinator using a one-time token, pinning the coordinator's CA by the
// fingerprint the install command carries. Nothing is written to disk
// unless the coordinator accepted the enrollment.
package enroll

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"borgdesk/agent/internal/client"
	"borgdesk/agent/internal/config"
	"borgdesk/agent/internal/identity"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
)

// Params are enroll's inputs.
type Params struct {
	ConfigPath    string
	ServerURL     string
	Token         string
	CAFingerprint string
	Name          string
	Version       string
	Force         bool
}

// ErrEnrolled means a configuration already exists.
var ErrEnrolled = errors.New("this agent is already enrolled")

// Run enrolls the agent and writes its configuration, keys and certificates.
func Run(ctx context.Context, p Params) (*config.Config, error) {
	if p.ServerURL == "" || p.Token == "" || p.CAFingerprint == "" {
		return nil, errors.New("enroll needs --server, --token and --ca-fingerprint (from `borgdesk token create` on the workstation)")
	}
	if existing, err := config.Load(p.ConfigPath); err == nil && !p.Force {
		return nil, fmt.Errorf("%w as %s (%s) in %s; use --force to replace that identity", ErrEnrolled, existing.Agent.Name, existing.Agent.UUID, p.ConfigPath)
	}
	host, _ := os.Hostname()
	if p.Name == "" {
		p.Name = host
	}
	u, err := url.Parse(p.ServerURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return nil, fmt.Errorf("--server %q: use https://HOST:PORT", p.ServerURL)
	}
	tlsKey, err := identity.NewTLSKey(p.Name)
	if err != nil {
		return nil, err
	}
	sshKey, err := identity.NewSSHKey("borgdesk-agent@" + p.Name)
	if err != nil {
		return nil, err
	}
	pin := client.NewPinned(p.CAFingerprint)
	c, err := client.New(p.ServerURL, pin.Config(u.Hostname()))
	if err != nil {
		return nil, err
	}
	req := agentapi.RegisterRequest{
		Token: p.Token, Name: p.Name, CSR: string(tlsKey.CSRPEM), SSHPublicKey: sshKey.PublicLine,
		Hostname: host, AgentVersion: p.Version, ProtocolVersion: agentapi.ProtocolVersion,
	}
	var resp agentapi.RegisterResponse
	if err := c.Do(ctx, "POST", agentapi.PathRegister, req, &resp, 60*time.Second); err != nil {
		if errors.Is(err, client.ErrPinMismatch) {
			return nil, err
		}
		return nil, fmt.Errorf("enroll with %s: %w", p.ServerURL, err)
	}
	// The CA we are told to trust from now on must be the one we pinned.
	if got := pin.CA(); got == nil || fingerprintPEM(resp.CACertificate) != p.CAFingerprint {
		return nil, fmt.Errorf("%w: the CA certificate in the reply is not the pinned one", client.ErrPinMismatch)
	}

	cfg := config.New(p.ConfigPath)
	cfg.Server = config.Server{URL: p.ServerURL, CAFingerprint: p.CAFingerprint}
	cfg.Agent.UUID, cfg.Agent.Name = resp.AgentUUID, resp.Name
	if resp.HeartbeatEvery > 0 {
		cfg.Agent.HeartbeatInterval = config.Duration(time.Duration(resp.HeartbeatEvery) * time.Second)
	}
	cfg.Update.PublicKey = resp.UpdatePublicKey
	cfg.BorgSSH = config.BorgSSH{Host: resp.BorgSSH.Host, Port: resp.BorgSSH.Port, HostKey: resp.BorgSSH.HostKey}
	if err := os.MkdirAll(cfg.Dir(), 0o700); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{cfg.TLS.Key, tlsKey.KeyPEM},
		{cfg.TLS.Cert, []byte(resp.Certificate)},
		{cfg.TLS.CACert, []byte(resp.CACertificate)},
		{cfg.SSH.Key, sshKey.PrivatePEM},
		{cfg.SSH.Key + ".pub", []byte(sshKey.PublicLine + "\n")},
	}
	for _, f := range files {
		if err := atomicfile.Write(cfg.File(f.name), f.data, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := cfg.Save(); err != nil {
		return nil, fmt.Errorf("write configuration: %w", err)
	}
	return cfg, nil
}
