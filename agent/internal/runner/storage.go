package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// storageConfigTask makes this agent a storage node, or updates one.
func (a *Agent) storageConfigTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.StorageConfigPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("storage-config payload: %w", err)
	}
	res, err := a.node.Apply(ctx, p)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// storageRepoTask runs maintenance on a repository this node holds.
func (a *Agent) storageRepoTask(ctx context.Context, t agentapi.Task) (json.RawMessage, error) {
	var p agentapi.StorageRepoPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil, fmt.Errorf("storage-repo payload: %w", err)
	}
	rep := a.reporter(ctx, t)
	rep.logf("%s of the repository of %s", p.Op, p.Server)
	b := &borg.Borg{BaseDir: filepath.Join(a.cfg.Load().Dir(), "borg"), LockWait: 120}
	res, err := a.node.Maintain(ctx, b, p)
	raw, _ := json.Marshal(res)
	return raw, err
}
