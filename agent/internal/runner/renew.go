package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"borgdesk/agent/internal/identity"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
)

// RenewIfDue renews the agent's certificate when it expires within
// RenewBefore: a new key made here, a CSR, the signed certificate written
// beside the configuration, and the configuration switched to it in one
// atomic write.
func (a *Agent) RenewIfDue(ctx context.Context) error {
	leaf := a.cert.Leaf()
	if leaf == nil || a.opts.Now().Before(leaf.NotAfter.Add(-RenewBefore)) {
		return nil
	}
	cfg := a.cfg.Load()
	key, err := identity.NewTLSKey(cfg.Agent.Name)
	if err != nil {
		return err
	}
	var resp agentapi.RenewResponse
	if err := a.client.Do(ctx, "POST", agentapi.PathRenew, agentapi.RenewRequest{CSR: string(key.CSRPEM)}, &resp, 30*time.Second); err != nil {
		return fmt.Errorf("renew certificate: %w", err)
	}
	newLeaf, err := a.cert.Set([]byte(resp.Certificate), key.KeyPEM)
	if err != nil {
		return fmt.Errorf("renewed certificate: %w", err)
	}
	stamp := a.opts.Now().UTC().Format("20060102T150405Z")
	next := *cfg
	next.TLS.Cert, next.TLS.Key = "agent-"+stamp+".crt", "agent-"+stamp+".key"
	if err := atomicfile.Write(next.File(next.TLS.Key), key.KeyPEM, 0o600); err != nil {
		return err
	}
	if err := atomicfile.Write(next.File(next.TLS.Cert), []byte(resp.Certificate), 0o600); err != nil {
		return err
	}
	if err := next.Save(); err != nil {
		return fmt.Errorf("switch configuration to the renewed certificate: %w", err)
	}
	a.cfg.Store(&next)
	for _, old := range []string{cfg.File(cfg.TLS.Cert), cfg.File(cfg.TLS.Key)} {
		if filepath.Dir(old) == next.Dir() && old != next.File(next.TLS.Cert) && old != next.File(next.TLS.Key) {
			os.Remove(old)
		}
	}
	a.client.Reset()
	a.log.Info("certificate renewed", "expires", newLeaf.NotAfter.UTC().Format(time.RFC3339))
	return nil
}
