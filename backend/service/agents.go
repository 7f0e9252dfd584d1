package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/ssh"

	"borgdesk/backend/agentapi"
	"borgdesk/backend/ca"
	"borgdesk/backend/events"
	"borgdesk/backend/store"
)

var (
	// ErrProtocol means the agent speaks a newer protocol than the coordinator.
	ErrProtocol = errors.New("protocol version mismatch")
	// ErrToken means an enrollment token was refused (used, expired, unknown, or for another name).
	ErrToken = errors.New("enrollment token refused")
	// ErrForbidden means the agent is not (or no longer) allowed.
	ErrForbidden = errors.New("agent is not allowed")
	// ErrInstallLinkUsed means a one-line install link's script was already fetched.
	ErrInstallLinkUsed = errors.New("this install link was already used")
	// ErrUnavailable means something the request needs is not set up on this coordinator.
	ErrUnavailable = errors.New("not available on this coordinator")
)

var serverName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

func validName(name string) error { return validNameOf("server", name) }

// validNameOf checks a server or job name.
func validNameOf(what, name string) error {
	if !serverName.MatchString(name) {
		return fmt.Errorf("%w: %s name %q: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit", ErrInvalid, what, name)
	}
	return nil
}

// allowList is the set of agents the gateway and the Borg SSH server
// accept, with their SSH keys, kept in memory so a handshake never waits for
// the database and a revoke takes effect at once.
type allowList struct {
	mu   sync.RWMutex
	ids  map[string]allowed // uuid → its SSH key and live certificate
	keys map[string]string  // SSH key (wire format) → uuid
}

// allowed is what an agent may present: its SSH key (wire format) and the
// serial of its one live certificate.
type allowed struct{ key, serial string }

func (a *allowList) set(agents []store.ActiveAgent) {
	a.mu.Lock()
	a.ids, a.keys = map[string]allowed{}, map[string]string{}
	a.mu.Unlock()
	for _, ag := range agents {
		a.add(ag.UUID, ag.SSHPublicKey, ag.CertSerial)
	}
}

func (a *allowList) add(id, authorizedKey, serial string) {
	key := ""
	if pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorizedKey)); err == nil {
		key = string(pk.Marshal())
	}
	a.mu.Lock()
	a.ids[id] = allowed{key: key, serial: serial}
	if key != "" {
		a.keys[key] = id
	}
	a.mu.Unlock()
}

// renewed makes serial the agent's only live certificate.
func (a *allowList) renewed(id, serial string) {
	a.mu.Lock()
	if al, ok := a.ids[id]; ok {
		al.serial = serial
		a.ids[id] = al
	}
	a.mu.Unlock()
}

func (a *allowList) remove(id string) {
	a.mu.Lock()
	delete(a.keys, a.ids[id].key)
	delete(a.ids, id)
	a.mu.Unlock()
}

func (a *allowList) has(id string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	_, ok := a.ids[id]
	return ok
}

// certificate reports whether serial is the live certificate of agent id.
func (a *allowList) certificate(id, serial string) (known, live bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	al, ok := a.ids[id]
	return ok, ok && al.serial == serial
}

func (a *allowList) agentForKey(key ssh.PublicKey) (string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	id, ok := a.keys[string(key.Marshal())]
	return id, ok
}

// AgentForKey maps an SSH key to its agent, if that agent is allowed now
// (the Borg SSH server's authorizer).
func (s *Service) AgentForKey(key ssh.PublicKey) (string, bool) { return s.allowed.agentForKey(key) }

// AgentAllowed reports whether an agent UUID is enrolled and not revoked.
func (s *Service) AgentAllowed(uuid string) bool { return s.allowed.has(uuid) }

// ErrSuperseded means a client certificate was replaced by a renewal: only
// the newest certificate of an agent is live.
var ErrSuperseded = errors.New("certificate superseded")

// CertificateAllowed says whether cert may use the gateway: it must name an
// enrolled, unrevoked agent and be that agent's one live certificate (the
// serial recorded at enrollment or at the last renewal). The gateway asks on
// every handshake and every request; it returns the agent's UUID.
func (s *Service) CertificateAllowed(cert *x509.Certificate) (string, error) {
	id, ok := ca.AgentUUID(cert)
	if !ok {
		return "", fmt.Errorf("%w: the client certificate names no Borgdesk agent", ErrForbidden)
	}
	switch known, live := s.allowed.certificate(id, ca.SerialHex(cert)); {
	case !known:
		return id, fmt.Errorf("%w: agent %s is revoked or not enrolled: enroll it again with a new token", ErrForbidden, id)
	case !live:
		return id, fmt.Errorf("%w: agent %s presented a certificate that a renewal replaced: use the renewed one", ErrSuperseded, id)
	}
	return id, nil
}

// TokenInfo is a freshly created enrollment token; the token itself is shown
// once and only its hash is stored.
type TokenInfo struct {
	Token          string    `json:"token"`
	Name           string    `json:"name"`
	ExpiresAt      time.Time `json:"expires_at" ts_type:"string"`
	InstallCommand string    `json:"install_command"`
	// EnrollCommand enrolls a server that already has borgdesk-agent.
	EnrollCommand string `json:"enroll_command"`
	CAFingerprint string `json:"ca_fingerprint"`
	ServerURL     string `json:"server_url"`
}

// CreateEnrollmentToken creates a single-use token that enrolls one agent
// under name within ttl (1 minute to 7 days; 1 hour when zero).
func (s *Service) CreateEnrollmentToken(ctx context.Context, name string, ttl time.Duration) (TokenInfo, error) {
	if err := s.needCA(); err != nil {
		return TokenInfo{}, err
	}
	if err := validName(name); err != nil {
		return TokenInfo{}, err
	}
	if ttl == 0 {
		ttl = time.Hour
	}
	if ttl < time.Minute || ttl > 7*24*time.Hour {
		return TokenInfo{}, fmt.Errorf("%w: token lifetime %s: choose between 1m and 168h", ErrInvalid, ttl)
	}
	token, err := newToken()
	if err != nil {
		return TokenInfo{}, err
	}
	tok, err := s.st.CreateToken(ctx, name, hashToken(token), s.now().Add(ttl))
	if err != nil {
		return TokenInfo{}, err
	}
	fp := s.ca.Fingerprint()
	gw := s.GatewayURL()
	if gw == "" {
		return TokenInfo{}, fmt.Errorf("%w: the agent gateway is not listening yet", ErrUnavailable)
	}
	// The Servers list shows the name as pending until the agent enrolls.
	s.publish(ctx, events.ServerChanged, "", fmt.Sprintf("enrollment token %d issued for %s", tok.ID, name), map[string]any{"token_id": tok.ID, "name": name, "status": TokenPending})
	return TokenInfo{
		Token:          token,
		Name:           name,
		ExpiresAt:      tok.ExpiresAt,
		CAFingerprint:  fp,
		ServerURL:      gw,
		InstallCommand: s.installCommand(gw, token),
		EnrollCommand:  enrollCommand(gw, name, fp),
	}, nil
}

// enrollCommand enrolls a server that already has the agent. The token is
// not in it: the agent asks for it on stdin, so it stays out of argv and
// shell history.
func enrollCommand(gw, name, fp string) string {
	return fmt.Sprintf("sudo borgdesk-agent enroll --server %s --name %s --ca-fingerprint %s --token-file -", gw, name, fp)
}

// newToken is 256 random bits, URL-safe.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

func hashToken(token string) string {
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
func (s *Service) Register(ctx context.Context, req agentapi.RegisterRequest) (agentapi.RegisterResponse, error) {
	if err := s.needCA(); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if err := CheckProtocol(req.ProtocolVersion); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if err := validName(req.Name); err != nil {
		return agentapi.RegisterResponse{}, err
	}
	if req.Token == "" {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: no token given", ErrToken)
	}
	if _, err := ca.ParseCSR([]byte(req.CSR)); err != nil {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	sshKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(req.SSHPublicKey))
	if err != nil || sshKey.Type() != ssh.KeyAlgoED25519 {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: ssh_public_key must be one ed25519 public key in authorized_keys format", ErrInvalid)
	}
	id := uuid.NewString()
	certPEM, cert, err := s.ca.SignAgent([]byte(req.CSR), id)
	if err != nil {
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	sv, err := s.st.Enroll(ctx, store.Enrollment{
		TokenHash: hashToken(req.Token), Name: req.Name, UUID: id, Hostname: req.Hostname,
		CertSerial: ca.SerialHex(cert), CertNotAfter: cert.NotAfter,
		SSHPublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshKey))),
		AgentVersion: req.AgentVersion, Protocol: req.ProtocolVersion,
	})
	switch {
	case errors.Is(err, store.ErrTokenUsed), errors.Is(err, store.ErrTokenExpired),
		errors.Is(err, store.ErrTokenName), errors.Is(err, store.ErrTokenUnknown):
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v; create a new one with `borgdesk token create --name %s`", ErrToken, err, req.Name)
	case errors.Is(err, store.ErrSSHKeyInUse):
		return agentapi.RegisterResponse{}, fmt.Errorf("%w: %v: every agent makes its own key at enrollment, so this one was copied from another server; enroll with a fresh agent identity (remove /etc/borgdesk-agent on this host first), the token is still valid", ErrConflict, err)
	case err != nil:
		return agentapi.RegisterResponse{}, err
	}
	s.allowed.add(id, req.SSHPublicKey, ca.SerialHex(cert))
	s.orch.Go("push keys to storage nodes", s.pushNodeKeys) // storage nodes accept the new agent
	if s.repos != nil && s.initRepos {
		select { // borg init takes a moment: a worker does it; the first backup waits for it if needed
		case s.initQ <- id:
		default:
		}
	}
	s.publish(ctx, events.ServerChanged, id, fmt.Sprintf("server %s enrolled (agent %s on %s)", sv.Name, req.AgentVersion, req.Hostname), map[string]any{"id": sv.ID})
	resp := agentapi.RegisterResponse{
		AgentUUID:      id,
		Name:           sv.Name,
		Certificate:    string(certPEM),
		CACertificate:  string(s.ca.CertPEM()),
		HeartbeatEvery: int(s.heartbeat / time.Second),
	}
	if s.dist != nil {
		resp.UpdatePublicKey = s.dist.PublicKey()
	}
	if b := s.borgSSH(); b.Port != 0 {
		resp.BorgSSH = agentapi.BorgSSH{Host: b.Host, Port: b.Port, HostKey: b.HostKey}
	}
	return resp, nil
}

// Heartbeat records an agent's report. A server coming online is an event
// in the log; the heartbeat itself is only announced live.
func (s *Service) Heartbeat(ctx context.Context, agentUUID string, req agentapi.HeartbeatRequest) (agentapi.HeartbeatResponse, error) {
	if err := CheckProtocol(req.ProtocolVersion); err != nil {
		return agentapi.HeartbeatResponse{}, err
	}
	caps, _ := json.Marshal(req.Capabilities)
	metrics, _ := json.Marshal(req.Metrics)
	sv, prev, err := s.st.RecordHeartbeat(ctx, agentUUID, store.Heartbeat{
		AgentVersion: req.AgentVersion, Protocol: req.ProtocolVersion, Hostname: req.Capabilities.Hostname,
		Capabilities: caps, Metrics: metrics,
	})
	if err != nil {
		return agentapi.HeartbeatResponse{}, err
	}
	if prev != store.ServerOnline {
		s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s is online", sv.Name), map[string]any{"id": sv.ID, "status": sv.Status})
		s.orch.Go("wake runs waiting for a storage node", func(ctx context.Context) { s.wakeNodeRepos(ctx, sv.ID) }) // runs waiting for this storage node
	}
	s.sampleMetrics(ctx, sv.ID, req.Metrics)
	// Tasks the agent no longer runs were lost with a killed or restarted agent.
	// A task started before this agent process, or more than two minutes
	// ago, that the agent does not list is not running (its outcome report
	// was lost, or the agent died with it).
	cutoff := s.now().Add(-2 * time.Minute)
	if req.StartedAt.After(cutoff) {
		cutoff = req.StartedAt
	}
	if lost, err := s.st.LostTasks(ctx, sv.ID, req.RunningTaskIDs, cutoff); err == nil {
		for _, t := range lost {
			s.publishTask(ctx, t, fmt.Sprintf("%s task %d on %s was interrupted: %s", t.Type, t.ID, sv.Name, t.Error))
			if t.Type == agentapi.TaskBackup {
				s.finishBackup(ctx, t)
			}
			s.taskEnded(t)
		}
	}
	s.announce(events.AgentHeartbeat, sv.UUID, map[string]any{"server_id": sv.ID, "last_seen": sv.LastSeen, "metrics": req.Metrics})
	cancel, _ := s.st.CancelledAmong(ctx, sv.ID, req.RunningTaskIDs)
	s.seen.mark(sv.UUID)
	return agentapi.HeartbeatResponse{ServerTime: s.now().UTC(), ProtocolVersion: agentapi.ProtocolVersion, HeartbeatEvery: int(s.heartbeat / time.Second), Cancel: cancel,
		ScheduleSerial: s.scheduleSerial(ctx, sv)}, nil
}

// MarkOffline turns servers silent for longer than the offline threshold
// offline and announces each.
func (s *Service) MarkOffline(ctx context.Context) error {
	gone, err := s.st.MarkOffline(ctx, s.now().Add(-s.offlineAfter))
	if err != nil {
		return err
	}
	for _, sv := range gone {
		s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s is offline (no heartbeat for %s)", sv.Name, s.offlineAfter), map[string]any{"id": sv.ID, "status": sv.Status})
		s.warnRestoresOffline(ctx, sv)
	}
	return nil
}

// warnRestoresOffline tells the operator about restores whose agent went
// silent: they may go on (a network cut) or be failed as interrupted when
// the agent comes back, and until then what they wrote is unknown.
func (s *Service) warnRestoresOffline(ctx context.Context, sv store.Server) {
	tasks, err := s.st.ListTasks(ctx, sv.ID, 50)
	if err != nil {
		return
	}
	for _, t := range tasks {
		if (t.Type == agentapi.TaskRestore || t.Type == agentapi.TaskDBRestore) && (t.Status == store.TaskRunning || t.Status == store.TaskDispatched) {
			s.notify(ctx, sv.UUID, fmt.Sprintf("%s went offline during %s task %d: it is reported as interrupted when the agent comes back; until then check what reached the destination on %s", sv.Name, t.Type, t.ID, sv.Name))
		}
	}
}

// RevokeServer revokes a server's agent: from this moment the gateway
// refuses its certificate, and its pending tasks are cancelled.
func (s *Service) RevokeServer(ctx context.Context, ref string) (store.Server, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return store.Server{}, err
	}
	s.allowed.remove(sv.UUID) // before the write: refuse at once, even if the write is slow
	defer s.orch.Go("push keys to storage nodes", s.pushNodeKeys)
	for _, hook := range s.revokeHooks {
		hook(sv.UUID)
	}
	sv, err = s.st.RevokeServer(ctx, sv.ID)
	if err != nil {
		return store.Server{}, err
	}
	s.wake.wake(sv.ID)
	s.publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("server %s revoked", sv.Name), map[string]any{"id": sv.ID, "status": sv.Status})
	return sv, nil
}

// RenewCertificate signs a new certificate for an agent from its CSR.
func (s *Service) RenewCertificate(ctx context.Context, current *x509.Certificate, csrPEM string) (agentapi.RenewResponse, error) {
	if err := s.needCA(); err != nil {
		return agentapi.RenewResponse{}, err
	}
	agentUUID, err := s.CertificateAllowed(current)
	if err != nil {
		return agentapi.RenewResponse{}, err
	}
	// A stolen key must not mint certificates forever: only the live
	// certificate renews, and only in the last RenewBefore of its life (a
	// day's slack for clocks that disagree).
	if opens := current.NotAfter.Add(-agentapi.RenewBefore - 24*time.Hour); s.now().Before(opens) {
		return agentapi.RenewResponse{}, fmt.Errorf("%w: renewal opens on %s, %d days before the certificate expires (%s); nothing to do until then",
			ErrConflict, opens.UTC().Format("2006-01-02"), int(agentapi.RenewBefore/(24*time.Hour)), current.NotAfter.UTC().Format("2006-01-02"))
	}
	certPEM, cert, err := s.ca.SignAgent([]byte(csrPEM), agentUUID)
	if err != nil {
		return agentapi.RenewResponse{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.st.UpdateAgentCertificate(ctx, agentUUID, ca.SerialHex(cert), cert.NotAfter); err != nil {
		return agentapi.RenewResponse{}, err
	}
	s.allowed.renewed(agentUUID, ca.SerialHex(cert)) // the old certificate is refused from now on
	sv, err := s.st.ServerByUUID(ctx, agentUUID)
	if err == nil {
		s.publish(ctx, events.ServerChanged, agentUUID, fmt.Sprintf("server %s renewed its certificate (valid until %s)", sv.Name, cert.NotAfter.UTC().Format("2006-01-02")), map[string]any{"id": sv.ID})
	}
	return agentapi.RenewResponse{Certificate: string(certPEM), CACertificate: string(s.ca.CertPEM())}, nil
}

func (s *Service) needCA() error {
	if s.ca == nil {
		return fmt.Errorf("%w: no certificate authority configured", ErrUnavailable)
	}
	return nil
}

// RunRepoInit creates the repositories of newly enrolled agents, one at a
// time, until ctx ends.
func (s *Service) RunRepoInit(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-s.initQ:
			if _, err := s.repos.Ensure(ctx, id); err != nil && ctx.Err() == nil {
				s.notify(ctx, id, fmt.Sprintf("could not create the repository of agent %s (it will be retried before its first backup): %v", id, err))
			}
		}
	}
}
