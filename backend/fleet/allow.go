package fleet

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/ca"
	"borgdesk/backend/store"
)

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
func (f *Fleet) AgentForKey(key ssh.PublicKey) (string, bool) { return f.allowed.agentForKey(key) }

// AgentAllowed reports whether an agent UUID is enrolled and not revoked.
func (f *Fleet) AgentAllowed(uuid string) bool { return f.allowed.has(uuid) }

// CertificateAllowed says whether cert may use the gateway: it must name an
// enrolled, unrevoked agent and be that agent's one live certificate (the
// serial recorded at enrollment or at the last renewal). The gateway asks on
// every handshake and every request; it returns the agent's UUID.
func (f *Fleet) CertificateAllowed(cert *x509.Certificate) (string, error) {
	id, ok := ca.AgentUUID(cert)
	if !ok {
		return "", fmt.Errorf("%w: the client certificate names no Borgdesk agent", ErrForbidden)
	}
	switch known, live := f.allowed.certificate(id, ca.SerialHex(cert)); {
	case !known:
		return id, fmt.Errorf("%w: agent %s is revoked or not enrolled: enroll it again with a new token", ErrForbidden, id)
	case !live:
		return id, fmt.Errorf("%w: agent %s presented a certificate that a renewal replaced: use the renewed one", ErrSuperseded, id)
	}
	return id, nil
}

// LoadAgents reads the enrolled, unrevoked agents into the allow list.
// The coordinator calls it once at start-up.
func (f *Fleet) LoadAgents(ctx context.Context) error {
	agents, err := f.st.ActiveAgents(ctx)
	if err != nil {
		return err
	}
	f.allowed.set(agents)
	return nil
}

// Forget refuses an agent from now on (a revoke or a removal) and ends its
// long poll.
func (f *Fleet) Forget(uuid string, serverID int64) {
	f.allowed.remove(uuid)
	f.wake.wake(serverID)
}
