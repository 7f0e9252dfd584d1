package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
)

// locks serialise maintenance of one repository on this node.
var locks sync.Map

// Maintain runs one maintenance operation on a repository this node holds,
// with borg on the node (the append-only rule applies to connections
// through the Borg SSH server, not to the node's own borg).
func (n *Node) Maintain(ctx context.Context, b *borg.Borg, p agentapi.StorageRepoPayload) (agentapi.StorageRepoResult, error) {
	var res agentapi.StorageRepoResult
	path, err := n.RepoPath(p.Server)
	if err != nil {
		return res, err
	}
	if p.Passphrase == "" {
		return res, errors.New("no passphrase came with the task")
	}
	mu, _ := locks.LoadOrStore(path, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	repo := borg.Repo{Location: path, Passphrase: p.Passphrase}
	exists := fileExists(filepath.Join(path, "config"))
	if p.Op != agentapi.RepoInit && !exists {
		return res, fmt.Errorf("%w: %s on this storage node", borg.ErrNoRepository, path)
	}
	switch p.Op {
	case agentapi.RepoInit:
		if exists {
			// Prove the passphrase opens it rather than trusting the path.
			_, err := b.List(ctx, repo)
			return res, err
		}
		return res, b.Init(ctx, repo)
	case agentapi.RepoList:
		list, err := b.List(ctx, repo)
		for _, a := range list {
			res.Archives = append(res.Archives, a.Name)
		}
		return res, err
	case agentapi.RepoCheck:
		return res, b.Check(ctx, repo, p.VerifyData)
	case agentapi.RepoCompact:
		return res, b.Compact(ctx, repo)
	case agentapi.RepoPrune:
		keep := borg.Keep(p.Keep)
		if keep.Empty() {
			return res, errors.New("prune without a retention policy keeps everything; refusing")
		}
		list, err := b.List(ctx, repo)
		if err != nil {
			return res, err
		}
		for _, k := range p.Known {
			if !slices.ContainsFunc(list, func(a borg.Archive) bool { return a.Name == k }) {
				res.Missing = append(res.Missing, k)
			}
		}
		if len(res.Missing) > 0 {
			// Held: a client deleted archives through append-only mode; a
			// prune now would make that permanent.
			return res, fmt.Errorf("prune held: %d archive(s) the coordinator recorded are gone (%s)", len(res.Missing), strings.Join(res.Missing, ", "))
		}
		pr, err := b.Prune(ctx, repo, keep, p.Prefix, false)
		if err != nil {
			return res, err
		}
		res.Kept, res.Pruned = pr.Kept, pr.Pruned
		if len(pr.Pruned) > 0 {
			if err := b.Compact(ctx, repo); err != nil {
				return res, err
			}
		}
		return res, nil
	}
	return res, fmt.Errorf("unknown repository operation %q", p.Op)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
