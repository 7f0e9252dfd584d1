package fleet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/ssh"

	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// NewToken is 256 random bits, URL-safe.
func NewToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// HashToken is what the store keeps of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CheckProtocol refuses agents newer than this coordinator; older ones are
// served (the coordinator is upgraded first, agents follow by self-update).
func CheckProtocol(v int) error {
	switch {
	case v <= 0:
		return fmt.Errorf("%w: the agent did not say which protocol it speaks (header %s)", ErrProtocol, agentapi.ProtocolHeader)
	case v > agentapi.ProtocolVersion:
		return fmt.Errorf("%w: the agent speaks protocol %d but this coordinator only knows up to %d: upgrade Borgdesk on the workstation", ErrProtocol, v, agentapi.ProtocolVersion)
	}
	return nil
}

// Register enrolls an agent: it spends the token, signs the agent's own CSR
// and records the agent, all or nothing.
func (f *Fleet) Register(ctx context.Context, req agentapi.RegisterRequest) (agentapi.RegisterResponse, error) {
	if err := f.needCA(); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if err := CheckProtocol(req.ProtocolVersion); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if err := CheckName("server", req.Name); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if req.Token == "" {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: no token given", ErrToken)
	}
	if _, err := ca.ParseCSR([]byte(req.CSR)); err != nil {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	sshKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(req.SSHPublicKey))
	if err != nil || sshKey.Type() != ssh.KeyAlgoED25519 {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: ssh_public_key must be one ed25519 public key in authorized_keys format", fault.ErrInvalid)
	}
	id := uuid.NewString()
	certPEM, cert, err := f.ca.SignAgent([]byte(req.CSR), id)
	if err != nil {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	sv, err := f.st.Enroll(ctx, store.Enrollment{
		TokenHash: HashToken(req.Token), Name: req.Name, UUID: id, Hostname: req.Hostname,
		CertSerial: ca.SerialHex(cert), CertNotAfter: cert.NotAfter,
		SSHPublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshKey))),
		AgentVersion: req.AgentVersion, Protocol: req.ProtocolVersion,
	})
	switch {
	case errors.Is(err, store.ErrTokenUsed), errors.Is(err, store.ErrTokenExpired),
		errors.Is(err, store.ErrTokenName), errors.Is(err, store.ErrTokenUnknown):
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v; create a new one with `borgdesk token create --name %s`", ErrToken, err, req.Name)
	case errors.Is(err, store.ErrSSHKeyInUse):
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v: every agent makes its own key at enrollment, so this one was copied from another server; enroll with a fresh agent identity (remove /etc/borgdesk-agent on this host first), the token is still valid", fault.ErrConflict, err)
	case err != nil:
		return agentapi.RegisterResponse{}, err
	}
	f.allowed.add(id, req.SSHPublicKey, ca.SerialHex(cert))
	if f.hooks.Enrolled != nil {
		f.hooks.Enrolled(ctx, id)
	}
	f.events.Publish(ctx, events.ServerChanged, id, fmt.Sprintf("server %s enrolled (agent %s on %s)", sv.Name, req.AgentVersion, req.Hostname), map[string]any{"id": sv.ID})
	resp := agentapi.RegisterResponse{
		AgentUUID:      id,
		Name:           sv.Name,
		Certificate:    string(certPEM),
		CACertificate:  string(f.ca.CertPEM()),
		HeartbeatEvery: int(f.heartbeat / time.Second),
	}
	if f.dist != nil {
		resp.UpdatePublicKey = f.dist.PublicKey()
	}
	if b := f.BorgSSH(); b.Port != 0 {
		resp.BorgSSH = agentapi.BorgSSH{Host: b.Host, Port: b.Port, HostKey: b.HostKey}
	}
	return resp, nil
}

// RenewCertificate signs a new certificate for an agent from its CSR.
func (f *Fleet) RenewCertificate(ctx context.Context, current *x509.Certificate, csrPEM string) (agentapi.RenewResponse, error) {
	if err := f.needCA(); err != nil {
		return agentapi.RenewResponse{}, err
	}
	agentUUID, err := f.CertificateAllowed(current)
	if err != nil {
		return agentapi.RenewResponse{}, err
	}
	// A stolen key must not mint certificates forever: only the live
	// certificate renews, and only in the last RenewBefore of its life (a
	// day's slack for clocks that disagree).
	if opens := current.NotAfter.Add(-agentapi.RenewBefore - 24*time.Hour); f.now().Before(opens) {
		return agentapi.RenewResponse{}, fmt.Errorf("%w: renewal opens on %s, %d days before the certificate expires (%s); nothing to do until then",
			fault.ErrConflict, opens.UTC().Format("2006-01-02"), int(agentapi.RenewBefore/(24*time.Hour)), current.NotAfter.UTC().Format("2006-01-02"))
	}
	certPEM, cert, err := f.ca.SignAgent([]byte(csrPEM), agentUUID)
	if err != nil {
		return agentapi.RenewResponse{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	if err := f.st.UpdateAgentCertificate(ctx, agentUUID, ca.SerialHex(cert), cert.NotAfter); err != nil {
		return agentapi.RenewResponse{}, err
	}
	f.allowed.renewed(agentUUID, ca.SerialHex(cert)) // the old certificate is refused from now on
	sv, err := f.st.ServerByUUID(ctx, agentUUID)
	if err == nil {
		f.events.Publish(ctx, events.ServerChanged, agentUUID, fmt.Sprintf("server %s renewed its certificate (valid until %s)", sv.Name, cert.NotAfter.UTC().Format("2006-01-02")), map[string]any{"id": sv.ID})
	}
	return agentapi.RenewResponse{Certificate: string(certPEM), CACertificate: string(f.ca.CertPEM())}, nil
}

// CheckName checks a server or job name (what says which); see fault.CheckName.
func CheckName(what, name string) error { return fault.CheckName(what, name) }
