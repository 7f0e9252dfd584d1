package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/replicate"
)

// storageReplicateTask copies a repository this storage node holds to its
// replica with rclone, as the coordinator does for its own repositories.
func (a *Agent) storageReplicateTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.StorageReplicatePayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("storage-replicate payload: %w", err)
	}
	path, err := a.node.RepoPath(p.Server)
	if err != nil {
		return nil, err
	}
	var target replicate.Target
	if err := json.Unmarshal(p.Target, &target); err != nil {
		return nil, fmt.Errorf("replica target: %w", err)
	}
	// The secrets exist on this host only for the run.
	tmp, err := os.MkdirTemp("", "borgdesk-replica-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []struct {
		dst  *string
		name string
		body string
	}{{&target.KeyFile, "key", p.Key}, {&target.KnownHostsFile, "known_hosts", p.KnownHosts}, {&target.SecretFile, "secret", p.Secret}} {
		if f.body == "" {
			continue
		}
		*f.dst = filepath.Join(tmp, f.name)
		if err := os.WriteFile(*f.dst, []byte(f.body), 0o600); err != nil {
			return nil, err
		}
	}
	b := &borg.Borg{BaseDir: filepath.Join(a.cfg.Load().Dir(), "borg"), LockWait: 120}
	r := &replicate.Replicator{Borg: b, Rclone: &replicate.Rclone{}}
	res, err := r.Replicate(ctx, borg.Repo{Location: path, Passphrase: p.Passphrase}, p.Server, target)
	out := agentapi.StorageReplicateResult{}
	out.Result, _ = json.Marshal(res)
	if err != nil {
		out.ErrKind, out.ErrMsg = replicate.Reason(err), err.Error()
	}
	raw, _ := json.Marshal(out)
	return raw, nil // the outcome is in the result, failed or not
}
