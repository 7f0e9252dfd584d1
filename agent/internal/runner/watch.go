package runner

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"borgdesk/agent/internal/config"
)

// watch reloads the configuration and certificate when their files change
// (an operator's edit, a config management run, a renewal by another
// process), without a restart.
func (a *Agent) watch(ctx context.Context) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		a.log.Warn("cannot watch configuration files; changes need a restart", "err", err)
		return
	}
	defer w.Close()
	dir := a.cfg.Load().Dir()
	if err := w.Add(dir); err != nil {
		a.log.Warn("cannot watch configuration directory; changes need a restart", "dir", dir, "err", err)
		return
	}
	close(a.watching)
	var debounce <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if a.relevant(ev.Name) && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				debounce = time.After(250 * time.Millisecond)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			a.log.Warn("file watch error", "err", err)
		case <-debounce:
			debounce = nil
			a.Reload()
		}
	}
}

func (a *Agent) relevant(name string) bool {
	cfg := a.cfg.Load()
	base := filepath.Base(name)
	return name == cfg.Path() || base == filepath.Base(cfg.Path()) ||
		filepath.Clean(name) == cfg.File(cfg.TLS.Cert) || filepath.Clean(name) == cfg.File(cfg.TLS.Key)
}

// Reload re-reads the configuration and certificate; on any error the
// running ones stay in use.
func (a *Agent) Reload() {
	cur := a.cfg.Load()
	next, err := config.Load(cur.Path())
	if err != nil {
		a.log.Error("configuration change ignored", "err", err)
		return
	}
	if next.Server.URL != cur.Server.URL || next.Agent.UUID != cur.Agent.UUID {
		a.log.Warn("server.url or agent.uuid changed: restart the agent to apply")
	}
	leaf := a.cert.Leaf()
	newLeaf, err := a.cert.Load(next.File(next.TLS.Cert), next.File(next.TLS.Key))
	if err != nil {
		a.log.Error("certificate change ignored", "err", err)
		return
	}
	a.cfg.Store(next)
	if leaf == nil || !leaf.Equal(newLeaf) {
		a.client.Reset()
		a.log.Info("certificate reloaded", "expires", newLeaf.NotAfter.UTC().Format(time.RFC3339))
	}
	a.log.Info("configuration reloaded", "heartbeat", next.Agent.HeartbeatInterval.D(), "max_concurrent_tasks", next.Agent.MaxConcurrentTasks)
}
