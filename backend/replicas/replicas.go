// Package replicas keeps an off-site copy of each server's repository: the
// operator sets a replica (an SFTP host whose key was confirmed, an S3
// bucket or a local directory), and the repository is copied to it by hand,
// on a schedule or after a backup, one replication per repository at a
// time, under the repositories' maintenance lock.
//
// It never talks to an agent itself (a storage node's copy goes through
// Env), never writes a backup run, never prunes or changes a repository,
// and never hands a replica's secrets out: they stay in their files under
// the data dir (keys/replicas) and only their paths travel.
package replicas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/jobs"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// Env is what replication asks of the rest of the coordinator.
type Env interface {
	// Server finds the server whose id, UUID or name is ref.
	Server(ctx context.Context, ref string) (store.Server, error)
	// NodeReplicate copies a repository a storage node holds, with rclone
	// on the node, as a task of the node's agent.
	NodeReplicate(ctx context.Context, node store.Target, uuid string, target replicate.Target) (replicate.Result, error)
	// Alert tells the operator's alert channels that a replication failed.
	Alert(ctx context.Context, a Alert)
	// SchedulesPaused is the operator's pause of every schedule.
	SchedulesPaused(ctx context.Context) bool
	// WaitUntil calls done after every announced change until it reports
	// true, fails, or ctx ends.
	WaitUntil(ctx context.Context, done func() (bool, error)) error
}

// Alert is a failed replication, for the alert channels.
type Alert struct {
	Key, Server, Title, Body, Route string
}

// Config is what Replicas need.
type Config struct {
	Store        *store.Store
	Events       events.Log
	Now          func() time.Time
	Layout       datadir.Layout
	Orchestrator *jobs.Orchestrator
	// Repos holds the repositories; replication is unavailable without it.
	Repos *repos.Repos
	// Replicator copies repositories to their replicas (rclone from PATH
	// over Repos' borg when nil).
	Replicator *replicate.Replicator
	// Logger receives background failures (nothing when nil).
	Logger *slog.Logger
	Env    Env
}

// Replicas are the servers' replicas: their settings, state and runs.
type Replicas struct {
	st     *store.Store
	events events.Log
	now    func() time.Time
	layout datadir.Layout
	orch   *jobs.Orchestrator
	repos  *repos.Repos
	rep    *replicate.Replicator
	log    *slog.Logger
	env    Env
	runs   runs
}

// New returns the replicas over cfg's store.
func New(cfg Config) *Replicas {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Replicator == nil && cfg.Repos != nil {
		cfg.Replicator = &replicate.Replicator{Borg: cfg.Repos.Borg, Rclone: &replicate.Rclone{}, Now: cfg.Now}
	}
	return &Replicas{st: cfg.Store, events: cfg.Events, now: cfg.Now, layout: cfg.Layout, orch: cfg.Orchestrator,
		repos: cfg.Repos, rep: cfg.Replicator, log: cfg.Logger, env: cfg.Env}
}

// Input configures the replication of one server's repository: one of
// SFTP, S3 or Dir.
type Input struct {
	Server string `json:"server"`
	// SFTP is user@host[:port][/path]; AcceptHostKey the fingerprint the
	// operator compared on the target (needed until a key is pinned).
	SFTP          string   `json:"sftp,omitempty"`
	AcceptHostKey string   `json:"accept_host_key,omitempty"`
	S3            *S3Input `json:"s3,omitempty"`
	// Dir is a local directory (a mounted disk or NAS share).
	Dir         string `json:"dir,omitempty"`
	AfterBackup bool   `json:"after_backup"`
	Schedule    string `json:"schedule"`
}

// S3Input is an S3-compatible target. An empty SecretKey keeps the stored one.
type S3Input struct {
	Endpoint    string `json:"endpoint"`
	Bucket      string `json:"bucket"`
	Prefix      string `json:"prefix"`
	Region      string `json:"region"`
	AccessKeyID string `json:"access_key_id"`
	SecretKey   string `json:"secret_key,omitempty"`
}

// Replica states.
const (
	StateNever   = "never"
	StateInSync  = "in_sync"
	StateBehind  = "behind"
	StateFailing = "failing"
)

// Status is a server's replication as the operator sees it. It carries no
// secret: the S3 secret and the private key stay in their files.
type Status struct {
	store.Replica
	Target   replicate.Target `json:"target"`
	Display  string           `json:"display"`
	Location string           `json:"location"`
	// State is never, in_sync, behind or failing; Summary says it in words
	// ("in sync", "behind by 2 archives", "failing: target full").
	State   string `json:"state"`
	Summary string `json:"summary"`
	Behind  int    `json:"behind"`
	Running bool   `json:"running"`
	// PublicKey is the line to add to the SFTP user's authorized_keys.
	PublicKey          string `json:"public_key,omitempty"`
	HostKeyFingerprint string `json:"host_key_fingerprint,omitempty"`
	SecretSet          bool   `json:"secret_set"`
}

// HostKey is a probed SFTP host key.
type HostKey struct {
	replicate.HostKey
	Address string `json:"address"`
	// Pinned is the fingerprint pinned for this target ("" when none).
	Pinned string `json:"pinned"`
}

// Files are a server's replication secrets under DATA/keys/replicas.
type Files struct{ Key, KnownHosts, Secret string }

// Files returns where the server's replication secrets are kept.
func (rs *Replicas) Files(uuid string) Files {
	dir := rs.layout.ReplicaKeys()
	return Files{Key: filepath.Join(dir, uuid+"_ed25519"), KnownHosts: filepath.Join(dir, uuid+"_known_hosts"), Secret: filepath.Join(dir, uuid+".s3secret")}
}

// ProbeHost shows the host key an SFTP target offers, to compare on the
// target before confirming it; Pinned says it is already the pinned one.
func (rs *Replicas) ProbeHost(ctx context.Context, server, target string) (HostKey, error) {
	t, err := replicate.ParseSFTP(target)
	if err != nil {
		return HostKey{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	hk, err := replicate.ProbeHostKey(ctx, t.Host, t.Port)
	if err != nil {
		return HostKey{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	out := HostKey{HostKey: hk, Address: t.Address()}
	if sv, err := rs.env.Server(ctx, server); err == nil {
		if rep, err := rs.st.Replica(ctx, sv.ID); err == nil && sameAddress(rep, t) {
			out.Pinned = replicate.PinnedFingerprint(rs.Files(sv.UUID).KnownHosts)
		}
	}
	return out, nil
}

func sameAddress(rep store.Replica, t replicate.Target) bool {
	var old replicate.Target
	return json.Unmarshal([]byte(rep.Target), &old) == nil && old.Kind == replicate.KindSFTP && old.Address() == t.Address()
}

// Set creates or changes a server's replica. An SFTP target's host key
// must be confirmed (AcceptHostKey) before it is pinned; a pinned key that
// changed is refused unless the new one is confirmed.
func (rs *Replicas) Set(ctx context.Context, in Input) (Status, error) {
	sv, err := rs.env.Server(ctx, in.Server)
	if err != nil {
		return Status{}, err
	}
	if rs.repos == nil {
		return Status{}, fmt.Errorf("%w: this coordinator holds no repositories", fault.ErrUnavailable)
	}
	if t, onTarget, err := rs.st.RepoTarget(ctx, sv.ID); err != nil {
		return Status{}, err
	} else if onTarget && t.Kind != store.TargetNode {
		// rclone copies files: a hosted service's are out of reach.
		return Status{}, fmt.Errorf("%w: the repository of %s lives on hosted service %s, whose files rclone cannot read; replicate repositories held here or on a storage node (the service may offer its own replication)", fault.ErrInvalid, sv.Name, t.Name)
	}
	if in.Schedule != "" {
		if _, err := jobs.ParseSchedule(in.Schedule); err != nil {
			return Status{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
		}
	}
	prev, prevErr := rs.st.Replica(ctx, sv.ID)
	files := rs.Files(sv.UUID)
	given := 0
	for _, set := range []bool{in.SFTP != "", in.S3 != nil, in.Dir != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Status{}, fmt.Errorf("%w: give one target: --sftp user@host:port/path, --s3 ENDPOINT/BUCKET[/PREFIX] or --dir DIR", fault.ErrInvalid)
	}
	var t replicate.Target
	switch {
	case in.Dir != "":
		t = replicate.Target{Kind: replicate.KindLocal, Path: filepath.Clean(in.Dir)}
	case in.SFTP != "":
		if t, err = replicate.ParseSFTP(in.SFTP); err != nil {
			return Status{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
		}
		if err := pinHost(ctx, t, files.KnownHosts, in.AcceptHostKey, prevErr == nil && sameAddress(prev, t)); err != nil {
			return Status{}, err
		}
		if _, err := replicate.EnsureKey(files.Key, "borgdesk-replica@"+sv.Name); err != nil {
			return Status{}, fmt.Errorf("replication key: %w", err)
		}
	default:
		t = replicate.Target{Kind: replicate.KindS3, Endpoint: strings.TrimRight(in.S3.Endpoint, "/"), Bucket: in.S3.Bucket,
			Path: strings.Trim(in.S3.Prefix, "/"), Region: in.S3.Region, AccessKeyID: in.S3.AccessKeyID}
		if err := t.Validate(); err != nil {
			return Status{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
		}
		if in.S3.SecretKey != "" {
			if err := replicate.WriteSecret(files.Secret, in.S3.SecretKey); err != nil {
				return Status{}, fmt.Errorf("store the S3 secret key: %w", err)
			}
		} else if _, err := os.Stat(files.Secret); err != nil {
			return Status{}, fmt.Errorf("%w: the S3 target needs its secret key (--secret-key-stdin)", fault.ErrInvalid)
		}
	}
	if err := t.Validate(); err != nil {
		return Status{}, fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	raw, _ := json.Marshal(t)
	reset := prevErr != nil || prev.Target != string(raw)
	rep, err := rs.st.SaveReplica(ctx, store.Replica{ServerID: sv.ID, Kind: t.Kind, Target: string(raw), AfterBackup: in.AfterBackup, Schedule: in.Schedule}, reset)
	if err != nil {
		return Status{}, err
	}
	rs.events.Publish(ctx, events.ReplicaChanged, sv.UUID, fmt.Sprintf("replication of %s set to %s", sv.Name, t), map[string]any{"server_id": sv.ID})
	return rs.status(ctx, rep), nil
}

// pinHost pins the target's host key once the operator confirmed it.
func pinHost(ctx context.Context, t replicate.Target, file, accept string, sameTarget bool) error {
	hk, err := replicate.ProbeHostKey(ctx, t.Host, t.Port)
	if err != nil {
		return fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	pinned := ""
	if sameTarget {
		pinned = replicate.PinnedFingerprint(file)
	}
	switch {
	case accept == hk.Fingerprint:
		return replicate.PinHostKey(file, t, hk)
	case accept != "":
		return fmt.Errorf("%w: the host key of %s is %s, not the confirmed %s; nothing was saved", fault.ErrInvalid, t.Address(), hk.Fingerprint, accept)
	case pinned == hk.Fingerprint:
		return nil
	case pinned != "":
		return fmt.Errorf("%w: the host key of %s changed: it was %s and is now %s %s. Someone could be intercepting the connection, or the server was reinstalled; nothing was saved. If the change is expected, compare it with `ssh-keygen -lf %s` on the target and confirm it (--accept-host-key %s)",
			fault.ErrInvalid, t.Address(), pinned, hk.Type, hk.Fingerprint, hk.File, hk.Fingerprint)
	}
	return fmt.Errorf("%w: the host key of %s is %s %s; compare it with `ssh-keygen -lf %s` on the target and confirm it (--accept-host-key %s)",
		fault.ErrInvalid, t.Address(), hk.Type, hk.Fingerprint, hk.File, hk.Fingerprint)
}

// Get returns a server's replica and its state.
func (rs *Replicas) Get(ctx context.Context, ref string) (Status, error) {
	sv, err := rs.env.Server(ctx, ref)
	if err != nil {
		return Status{}, err
	}
	rep, err := rs.st.Replica(ctx, sv.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Status{}, fmt.Errorf("%w: %s has no replica; set one with `borgdesk replica set %s --sftp …`", fault.ErrNotFound, sv.Name, sv.Name)
	}
	if err != nil {
		return Status{}, err
	}
	return rs.status(ctx, rep), nil
}

// List returns every server's replica and its state.
func (rs *Replicas) List(ctx context.Context) ([]Status, error) {
	reps, err := rs.st.ListReplicas(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(reps))
	for _, r := range reps {
		out = append(out, rs.status(ctx, r))
	}
	return out, nil
}

// Remove stops replicating a server and deletes the target's secrets; the
// replica's files on the target are left there.
func (rs *Replicas) Remove(ctx context.Context, ref string) (Status, error) {
	st, err := rs.Get(ctx, ref)
	if err != nil {
		return Status{}, err
	}
	if rs.runs.isRunning(st.ServerUUID) {
		return Status{}, fmt.Errorf("%w: a replication of %s is running; wait for it to end", fault.ErrConflict, st.ServerName)
	}
	if err := rs.st.DeleteReplica(ctx, st.ServerID); err != nil {
		return Status{}, err
	}
	f := rs.Files(st.ServerUUID)
	for _, p := range []string{f.Key, f.Key + ".pub", f.KnownHosts, f.Secret} {
		os.Remove(p)
	}
	rs.events.Publish(ctx, events.ReplicaChanged, st.ServerUUID, fmt.Sprintf("replication of %s removed; the replica at %s was left as it is", st.ServerName, st.Location), map[string]any{"server_id": st.ServerID})
	return st, nil
}

// status adds the state: behind counts the archives Borgdesk made that the
// last successful replica does not have.
func (rs *Replicas) status(ctx context.Context, r store.Replica) Status {
	st := Status{Replica: r, Running: rs.runs.isRunning(r.ServerUUID)}
	json.Unmarshal([]byte(r.Target), &st.Target)
	st.Display, st.Location = st.Target.String(), st.Target.Location(r.ServerUUID)
	files := rs.Files(r.ServerUUID)
	switch st.Target.Kind {
	case replicate.KindSFTP:
		if pub := replicate.PublicKeyLine(files.Key, "borgdesk-replica@"+r.ServerName); pub != "" {
			st.PublicKey = replicate.AuthorizedKeysLine(pub)
		}
		st.HostKeyFingerprint = replicate.PinnedFingerprint(files.KnownHosts)
	case replicate.KindS3:
		_, err := os.Stat(files.Secret)
		st.SecretSet = err == nil
	}
	if known, err := rs.st.KnownArchives(ctx, r.ServerID); err == nil {
		for _, a := range known {
			if !slices.Contains(r.Archives, a) {
				st.Behind++
			}
		}
	}
	switch {
	case r.Status == store.ReplicaFailed:
		st.State, st.Summary = StateFailing, "failing: "+r.Reason
	case r.Status == store.ReplicaNever:
		st.State, st.Summary = StateNever, "never replicated"
	case st.Behind > 0:
		st.State, st.Summary = StateBehind, fmt.Sprintf("behind by %d archive%s", st.Behind, plural(st.Behind))
	default:
		st.State, st.Summary = StateInSync, "in sync"
	}
	return st
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// target is a stored replica's target with its secret files.
func (rs *Replicas) target(r store.Replica) (replicate.Target, error) {
	var t replicate.Target
	if err := json.Unmarshal([]byte(r.Target), &t); err != nil {
		return t, fmt.Errorf("replica target of %s: %w", r.ServerName, err)
	}
	f := rs.Files(r.ServerUUID)
	t.KeyFile, t.KnownHostsFile, t.SecretFile = f.Key, f.KnownHosts, f.Secret
	return t, nil
}

// durationOf is a run's duration for messages.
func durationOf(ms int64) string {
	return (time.Duration(ms) * time.Millisecond).Round(100 * time.Millisecond).String()
}
