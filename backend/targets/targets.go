package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/fleet"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/borgssh"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/shared/shellquote"
	"borgdesk/backend/store"
)

// A server's repository lives on its target: the coordinator's data dir
// (no row), a storage node, or a hosted Borg service. Location says how the
// agent reaches it and how the coordinator reads it.
type Location struct {
	Target *store.Target // nil: the coordinator's own
	// agentURL and hostKey are for the agent's borg ("" hostKey: the
	// coordinator's Borg SSH server, pinned at enrollment).
	AgentURL, HostKey string
	// read is the coordinator's own access: the local path, or the target
	// over SSH with the coordinator's key (the storage node's admin
	// identity, or the maintenance key installed at the hosted service).
	Read borg.Repo
}

// Local reports whether the coordinator holds the repository itself.
func (l Location) Local() bool { return l.Target == nil }

// coordinatorKeyFile is the coordinator's own SSH key for reaching targets.
func (tg *Targets) coordinatorKeyFile() string {
	return tg.layout.CoordinatorKey()
}

// CoordinatorKey is the coordinator's SSH public key (authorized_keys line),
// created on first use.
func (tg *Targets) CoordinatorKey() (string, error) {
	signer, err := borgssh.LoadOrCreateHostKey(tg.coordinatorKeyFile())
	if err != nil {
		return "", fmt.Errorf("coordinator SSH key: %w", err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " borgdesk-coordinator", nil
}

// coordinatorRSH is BORG_RSH for the coordinator's own borg reaching a
// target: this program's `rsh` helper with the coordinator's key, pinning
// the target's host key.
func (tg *Targets) coordinatorRSH(hostKey string) string {
	self := tg.self
	if self == "" {
		self, _ = os.Executable()
	}
	return shellquote.Quote(self) + " rsh --key " + shellquote.Quote(tg.coordinatorKeyFile()) + " --host-key " + shellquote.Quote(hostKey)
}

// Locate is where a server's repository lives.
func (tg *Targets) Locate(ctx context.Context, uuid string) (Location, error) {
	if tg.repos == nil {
		return Location{}, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	sv, err := tg.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return Location{}, err
	}
	t, onTarget, err := tg.st.RepoTarget(ctx, sv.ID)
	if err != nil {
		return Location{}, err
	}
	if !onTarget {
		return tg.LocateOn(uuid, nil)
	}
	return tg.LocateOn(uuid, &t)
}

// LocateOn is where a server's repository is (or would be) on target t
// (nil: the coordinator's data dir).
func (tg *Targets) LocateOn(uuid string, t *store.Target) (Location, error) {
	if t == nil {
		repo, err := tg.repos.Repo(uuid)
		if err != nil {
			return Location{}, err
		}
		return Location{AgentURL: tg.env.RepoURL(uuid), Read: repo}, nil
	}
	pass, err := tg.repos.Passphrase(uuid)
	if err != nil {
		return Location{}, err
	}
	if t.HostKey == "" {
		return Location{}, fmt.Errorf("%w: storage target %s has not reported its SSH host key yet (is its agent online?)", fault.ErrUnavailable, t.Name)
	}
	dir := path.Join(t.Path, uuid)
	loc := Location{Target: t, HostKey: t.HostKey}
	switch t.Kind {
	case store.TargetNode:
		loc.AgentURL = fmt.Sprintf("ssh://borgdesk@%s%s", net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), dir)
		loc.Read = borg.Repo{Location: fmt.Sprintf("ssh://coordinator@%s%s", net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), dir), Passphrase: pass, RSH: tg.coordinatorRSH(t.HostKey)}
	case store.TargetHosted:
		loc.AgentURL = fmt.Sprintf("ssh://%s@%s%s", t.User, net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), hostedPath(t.Path, uuid))
		loc.Read = borg.Repo{Location: loc.AgentURL, Passphrase: pass, RSH: tg.coordinatorRSH(t.HostKey)}
	default:
		return Location{}, fmt.Errorf("storage target %s has an unknown kind %q", t.Name, t.Kind)
	}
	return loc, nil
}

// hostedPath is a repository's path at a hosted service: relative paths
// (BorgBase, Hetzner: "./repos") stay relative to the login's home.
func hostedPath(base, uuid string) string {
	p := path.Join(base, uuid)
	if !strings.HasPrefix(p, "/") {
		p = "/./" + p
	}
	return p
}

// ReadRepo is the coordinator's access to a server's repository.
func (tg *Targets) ReadRepo(ctx context.Context, uuid string) (borg.Repo, error) {
	loc, err := tg.Locate(ctx, uuid)
	return loc.Read, err
}

// StorageNodeInput makes a server a storage node.
type StorageNodeInput struct {
	Server string `json:"server"`
	Name   string `json:"name"`
	// Listen is the node's Borg SSH server address (":2222" when empty).
	Listen string `json:"listen"`
	// Address is the host other agents use to reach it (the server's SSH
	// host or the agent's host name when empty).
	Address string `json:"address"`
	// Dir holds the repositories on the node (/var/lib/borgdesk-storage).
	Dir string `json:"dir"`
}

// AddStorageNode makes a server a storage node: its agent starts the Borg
// SSH server with the keys of every enrolled agent, and reports its host key.
func (tg *Targets) AddStorageNode(ctx context.Context, in StorageNodeInput) (store.Target, error) {
	sv, err := tg.env.Server(ctx, in.Server)
	if err != nil {
		return store.Target{}, err
	}
	if sv.Status == store.ServerRevoked {
		return store.Target{}, fmt.Errorf("%w: server %s is revoked", fault.ErrInvalid, sv.Name)
	}
	if in.Name == "" {
		in.Name = sv.Name
	}
	if err := fleet.CheckName("storage target", in.Name); err != nil {
		return store.Target{}, err
	}
	if in.Listen == "" {
		in.Listen = ":2222"
	}
	_, portStr, err := net.SplitHostPort(in.Listen)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil || port < 1 || port > 65535 {
		return store.Target{}, fmt.Errorf("%w: listen address %q: give host:port or :port", fault.ErrInvalid, in.Listen)
	}
	if in.Dir == "" {
		in.Dir = "/var/lib/borgdesk-storage"
	}
	if !path.IsAbs(in.Dir) || path.Clean(in.Dir) == "/" {
		return store.Target{}, fmt.Errorf("%w: storage directory %q must be an absolute path other than /", fault.ErrInvalid, in.Dir)
	}
	if in.Address == "" {
		in.Address = sv.Host
		if in.Address == "" {
			in.Address = sv.Hostname
		}
	}
	if in.Address == "" {
		return store.Target{}, fmt.Errorf("%w: say at which address other servers reach %s (--address)", fault.ErrInvalid, sv.Name)
	}
	t, err := tg.st.CreateTarget(ctx, store.Target{Name: in.Name, Kind: store.TargetNode, ServerID: sv.ID, Host: in.Address, Port: port, Path: path.Clean(in.Dir), Listen: in.Listen})
	if err != nil {
		return store.Target{}, err
	}
	tg.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("%s is becoming a storage node (%s)", sv.Name, in.Listen), map[string]any{"id": sv.ID})
	return tg.configureNode(ctx, t, 2*time.Minute)
}

// configureNode sends a node its configuration and waits for its answer.
func (tg *Targets) configureNode(ctx context.Context, t store.Target, wait time.Duration) (store.Target, error) {
	agents, err := tg.st.ActiveAgents(ctx)
	if err != nil {
		return t, err
	}
	admin, err := tg.CoordinatorKey()
	if err != nil {
		return t, err
	}
	p := agentapi.StorageConfigPayload{Listen: t.Listen, Dir: t.Path, Admin: admin, Agents: map[string]string{}}
	for _, a := range agents {
		p.Agents[a.UUID] = a.SSHPublicKey
	}
	task, err := tg.env.QueueTask(ctx, t.ServerUUID, agentapi.TaskStorageConfig, p)
	if err != nil {
		return t, err
	}
	if wait <= 0 {
		return t, nil
	}
	done, err := tg.env.WaitTask(ctx, task.ID, wait)
	if err != nil {
		tg.st.UpdateTargetState(ctx, t.ID, "", "failing", err.Error(), 0)
		return t, err
	}
	var res agentapi.StorageConfigResult
	json.Unmarshal(done.Result, &res)
	if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(res.HostKey)); err != nil {
		return t, fmt.Errorf("storage node %s reported no usable host key: %v", t.Name, err)
	}
	if t.HostKey != "" && t.HostKey != res.HostKey {
		msg := fmt.Sprintf("storage node %s now presents another SSH host key (%s, pinned %s); if its agent was reinstalled, remove and add the target again", t.Name, fingerprint(res.HostKey), fingerprint(t.HostKey))
		tg.st.UpdateTargetState(ctx, t.ID, "", "failing", msg, 0)
		return t, errors.New(msg)
	}
	if err := tg.st.UpdateTargetState(ctx, t.ID, res.HostKey, "ready", "", res.FreeBytes); err != nil {
		return t, err
	}
	return tg.st.Target(ctx, t.ID)
}

func fingerprint(line string) string {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return "?"
	}
	return ssh.FingerprintSHA256(k)
}

// PushNodeKeys sends every storage node the current list of enrolled
// agents (after an enrollment, a revoke or a removal), without waiting.
func (tg *Targets) PushNodeKeys(ctx context.Context) {
	targets, err := tg.st.ListTargets(ctx)
	if err != nil {
		return
	}
	for _, t := range targets {
		if t.Kind != store.TargetNode {
			continue
		}
		if _, err := tg.configureNode(ctx, t, 0); err != nil {
			tg.log.Warn("storage node: keys not pushed", "target", t.Name, "err", err)
		}
	}
}

// ListTargets lists the storage targets.
func (tg *Targets) ListTargets(ctx context.Context) ([]store.Target, error) {
	return tg.st.ListTargets(ctx)
}

// RepoTargets names the target of every repository that does not live on
// the coordinator, by server id; a server missing from it keeps its
// repository in the coordinator's data dir.
func (tg *Targets) RepoTargets(ctx context.Context) (map[int64]string, error) {
	return tg.st.RepoTargets(ctx)
}

// SetRepoTarget puts a server's repository on a target ("" or "local": the
// coordinator's data dir). Only a server without archives can change
// target here: moving archives is `borgdesk storage move`.
func (tg *Targets) SetRepoTarget(ctx context.Context, server, target string) (store.Server, error) {
	sv, err := tg.env.Server(ctx, server)
	if err != nil {
		return sv, err
	}
	var id int64
	if target != "" && target != store.TargetLocal {
		t, err := tg.st.FindTarget(ctx, target)
		if err != nil {
			return sv, err
		}
		if t.ServerID == sv.ID {
			return sv, fmt.Errorf("%w: %s cannot keep its own backups on itself; pick another target", fault.ErrInvalid, sv.Name)
		}
		id = t.ID
	}
	cur, on, err := tg.st.RepoTarget(ctx, sv.ID)
	if err != nil {
		return sv, err
	}
	if (on && cur.ID == id) || (!on && id == 0) {
		return sv, nil
	}
	known, err := tg.st.KnownArchives(ctx, sv.ID)
	if err != nil {
		return sv, err
	}
	if len(known) > 0 {
		return sv, fmt.Errorf("%w: %s already has %d archive(s) where its repository is now; they would stay behind — move the repository instead", fault.ErrConflict, sv.Name, len(known))
	}
	if err := tg.st.SetRepoTarget(ctx, sv.ID, id); err != nil {
		return sv, err
	}
	tg.events.Publish(ctx, events.ServerChanged, sv.UUID, fmt.Sprintf("the repository of %s now lives on %s", sv.Name, orLocal(target)), map[string]any{"id": sv.ID})
	return sv, nil
}

func orLocal(t string) string {
	if t == "" {
		return "the coordinator"
	}
	return t
}

// EnsureRepo creates a server's repository where it lives, if needed.
func (tg *Targets) EnsureRepo(ctx context.Context, uuid string) error {
	sv, err := tg.st.ServerByUUID(ctx, uuid)
	if err != nil {
		return err
	}
	t, on, err := tg.st.RepoTarget(ctx, sv.ID)
	if err != nil {
		return err
	}
	if !on {
		return tg.ensureRepoOn(ctx, uuid, nil)
	}
	return tg.ensureRepoOn(ctx, uuid, &t)
}

// ensureRepoOn creates a server's repository on target t (nil: the
// coordinator's data dir) if it is not there yet.
func (tg *Targets) ensureRepoOn(ctx context.Context, uuid string, t *store.Target) error {
	if t == nil {
		_, err := tg.repos.Ensure(ctx, uuid)
		return err
	}
	if _, err := tg.repos.Passphrase(uuid); err != nil {
		return err
	}
	if t.Kind == store.TargetNode {
		_, err := tg.NodeRepoOp(ctx, *t, agentapi.StorageRepoPayload{Op: agentapi.RepoInit, Server: uuid}, 10*time.Minute)
		return err
	}
	loc, err := tg.LocateOn(uuid, t)
	if err != nil {
		return err
	}
	if _, err := tg.repos.Borg.List(ctx, loc.Read); err == nil {
		return nil
	} else if !errors.Is(err, borg.ErrNoRepository) {
		return err
	}
	return tg.repos.Borg.Init(ctx, loc.Read)
}

// NodeRepoOp runs a maintenance operation on the storage node holding a
// repository, as a task of its agent (its passphrase added at hand-out).
func (tg *Targets) NodeRepoOp(ctx context.Context, t store.Target, p agentapi.StorageRepoPayload, wait time.Duration) (agentapi.StorageRepoResult, error) {
	var res agentapi.StorageRepoResult
	task, err := tg.env.QueueTask(ctx, t.ServerUUID, agentapi.TaskStorageRepo, p)
	if err != nil {
		return res, err
	}
	done, err := tg.env.WaitTaskDone(ctx, task.ID, wait)
	if err != nil {
		return res, fmt.Errorf("storage node %s: %w", t.Name, err)
	}
	json.Unmarshal(done.Result, &res)
	if done.Status != store.TaskSucceeded {
		return res, fmt.Errorf("%s on storage node %s: %s", p.Op, t.Name, done.Error)
	}
	return res, nil
}

// StorageRepoOwner is the repository a storage-repo task works on.
func StorageRepoOwner(t agentapi.Task) (string, bool) {
	if t.Type != agentapi.TaskStorageRepo && t.Type != agentapi.TaskStorageReplicate {
		return "", false
	}
	var p agentapi.StorageRepoPayload
	json.Unmarshal(t.Payload, &p)
	return p.Server, p.Server != ""
}

// RepoBusy says whether a run must wait: its repository is moving, or lives
// on a storage node that is offline (the operator is told once per run).
func (tg *Targets) RepoBusy(ctx context.Context, r store.Run, j store.Job) bool {
	if m, ok := tg.moving.get(j.ServerUUID); ok && m.State == "running" {
		return true
	}
	t, on, err := tg.st.RepoTarget(ctx, j.ServerID)
	if err != nil || !on || t.Kind != store.TargetNode {
		return false
	}
	node, err := tg.st.Server(ctx, t.ServerID)
	if err != nil || node.Online {
		return false
	}
	if _, told := tg.waitTold.LoadOrStore(r.ID, true); !told {
		tg.env.Notify(ctx, j.ServerUUID, fmt.Sprintf("run %d of %s/%s waits: storage node %s (%s) is offline; it starts as soon as the node is back", r.ID, j.ServerName, j.Name, t.Name, node.Name))
	}
	return true
}

// WakeNodeRepos dispatches the runs waiting for a storage node that came back.
func (tg *Targets) WakeNodeRepos(ctx context.Context, nodeServerID int64) {
	targets, err := tg.st.ListTargets(ctx)
	if err != nil {
		return
	}
	for _, t := range targets {
		if t.Kind != store.TargetNode || t.ServerID != nodeServerID {
			continue
		}
		ids, _ := tg.st.TargetRepos(ctx, t.ID)
		for _, id := range ids {
			tg.env.Dispatch(ctx, id)
		}
	}
}

// NodeReplicate replicates a repository a storage node holds, with rclone
// on the node, as a task of its agent.
func (tg *Targets) NodeReplicate(ctx context.Context, t store.Target, uuid string, target replicate.Target) (replicate.Result, error) {
	var res replicate.Result
	raw, _ := json.Marshal(target)
	task, err := tg.env.QueueTask(ctx, t.ServerUUID, agentapi.TaskStorageReplicate, agentapi.StorageReplicatePayload{Server: uuid, Target: raw})
	if err != nil {
		return res, err
	}
	done, err := tg.env.WaitTaskDone(ctx, task.ID, 6*time.Hour)
	if err != nil {
		return res, &replicate.Error{Kind: replicate.ErrUnreachable, Msg: fmt.Sprintf("storage node %s: %v", t.Name, err)}
	}
	if done.Status != store.TaskSucceeded {
		return res, fmt.Errorf("replication on storage node %s: %s", t.Name, done.Error)
	}
	var out agentapi.StorageReplicateResult
	json.Unmarshal(done.Result, &out)
	json.Unmarshal(out.Result, &res)
	if out.ErrMsg != "" {
		kind := replicate.KindOf(out.ErrKind)
		if kind == nil {
			kind = errors.New(out.ErrKind)
		}
		return res, &replicate.Error{Kind: kind, Msg: fmt.Sprintf("on storage node %s: %s", t.Name, out.ErrMsg)}
	}
	return res, nil
}
