package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/jobs"
	"borgdesk/backend/shared/replicate"
	"borgdesk/backend/store"
)

// ReplicaInput configures the replication of one server's repository: one
// of SFTP, S3 or Dir.
type ReplicaInput struct {
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
	ReplicaStateNever   = "never"
	ReplicaStateInSync  = "in_sync"
	ReplicaStateBehind  = "behind"
	ReplicaStateFailing = "failing"
)

// ReplicaStatus is a server's replication as the operator sees it. It
// carries no secret: the S3 secret and the private key stay in their files.
type ReplicaStatus struct {
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

// replicaFiles are a server's replication secrets under DATA/keys/replicas.
type replicaFiles struct{ key, knownHosts, secret string }

func (s *Service) replicaFiles(uuid string) replicaFiles {
	dir := s.layout.ReplicaKeys()
	return replicaFiles{key: filepath.Join(dir, uuid+"_ed25519"), knownHosts: filepath.Join(dir, uuid+"_known_hosts"), secret: filepath.Join(dir, uuid+".s3secret")}
}

// ProbeReplicaHost shows the host key an SFTP target offers, to compare on
// the target before confirming it; Pinned says it is already the pinned one.
func (s *Service) ProbeReplicaHost(ctx context.Context, server, target string) (ReplicaHostKey, error) {
	t, err := replicate.ParseSFTP(target)
	if err != nil {
		return ReplicaHostKey{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	hk, err := replicate.ProbeHostKey(ctx, t.Host, t.Port)
	if err != nil {
		return ReplicaHostKey{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	out := ReplicaHostKey{HostKey: hk, Address: t.Address()}
	if sv, err := s.Server(ctx, server); err == nil {
		if rep, err := s.st.Replica(ctx, sv.ID); err == nil && sameAddress(rep, t) {
			out.Pinned = replicate.PinnedFingerprint(s.replicaFiles(sv.UUID).knownHosts)
		}
	}
	return out, nil
}

// ReplicaHostKey is a probed SFTP host key.
type ReplicaHostKey struct {
	replicate.HostKey
	Address string `json:"address"`
	// Pinned is the fingerprint pinned for this target ("" when none).
	Pinned string `json:"pinned"`
}

func sameAddress(rep store.Replica, t replicate.Target) bool {
	var old replicate.Target
	return json.Unmarshal([]byte(rep.Target), &old) == nil && old.Kind == replicate.KindSFTP && old.Address() == t.Address()
}

// SetReplica creates or changes a server's replica. An SFTP target's host
// key must be confirmed (AcceptHostKey) before it is pinned; a pinned key
// that changed is refused unless the new one is confirmed.
func (s *Service) SetReplica(ctx context.Context, in ReplicaInput) (ReplicaStatus, error) {
	sv, err := s.Server(ctx, in.Server)
	if err != nil {
		return ReplicaStatus{}, err
	}
	if s.repos == nil {
		return ReplicaStatus{}, fmt.Errorf("%w: this coordinator holds no repositories", ErrUnavailable)
	}
	if t, onTarget, err := s.st.RepoTarget(ctx, sv.ID); err != nil {
		return ReplicaStatus{}, err
	} else if onTarget && t.Kind != store.TargetNode {
		// rclone copies files: a hosted service's are out of reach.
		return ReplicaStatus{}, fmt.Errorf("%w: the repository of %s lives on hosted service %s, whose files rclone cannot read; replicate repositories held here or on a storage node (the service may offer its own replication)", ErrInvalid, sv.Name, t.Name)
	}
	if in.Schedule != "" {
		if _, err := jobs.ParseSchedule(in.Schedule); err != nil {
			return ReplicaStatus{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	prev, prevErr := s.st.Replica(ctx, sv.ID)
	files := s.replicaFiles(sv.UUID)
	given := 0
	for _, set := range []bool{in.SFTP != "", in.S3 != nil, in.Dir != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return ReplicaStatus{}, fmt.Errorf("%w: give one target: --sftp user@host:port/path, --s3 ENDPOINT/BUCKET[/PREFIX] or --dir DIR", ErrInvalid)
	}
	var t replicate.Target
	switch {
	case in.Dir != "":
		t = replicate.Target{Kind: replicate.KindLocal, Path: filepath.Clean(in.Dir)}
	case in.SFTP != "":
		if t, err = replicate.ParseSFTP(in.SFTP); err != nil {
			return ReplicaStatus{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if err := s.pinReplicaHost(ctx, t, files.knownHosts, in.AcceptHostKey, prevErr == nil && sameAddress(prev, t)); err != nil {
			return ReplicaStatus{}, err
		}
		if _, err := replicate.EnsureKey(files.key, "borgdesk-replica@"+sv.Name); err != nil {
			return ReplicaStatus{}, fmt.Errorf("replication key: %w", err)
		}
	default:
		t = replicate.Target{Kind: replicate.KindS3, Endpoint: strings.TrimRight(in.S3.Endpoint, "/"), Bucket: in.S3.Bucket,
			Path: strings.Trim(in.S3.Prefix, "/"), Region: in.S3.Region, AccessKeyID: in.S3.AccessKeyID}
		if err := t.Validate(); err != nil {
			return ReplicaStatus{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if in.S3.SecretKey != "" {
			if err := replicate.WriteSecret(files.secret, in.S3.SecretKey); err != nil {
				return ReplicaStatus{}, fmt.Errorf("store the S3 secret key: %w", err)
			}
		} else if _, err := os.Stat(files.secret); err != nil {
			return ReplicaStatus{}, fmt.Errorf("%w: the S3 target needs its secret key (--secret-key-stdin)", ErrInvalid)
		}
	}
	if err := t.Validate(); err != nil {
		return ReplicaStatus{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	raw, _ := json.Marshal(t)
	reset := prevErr != nil || prev.Target != string(raw)
	rep, err := s.st.SaveReplica(ctx, store.Replica{ServerID: sv.ID, Kind: t.Kind, Target: string(raw), AfterBackup: in.AfterBackup, Schedule: in.Schedule}, reset)
	if err != nil {
		return ReplicaStatus{}, err
	}
	s.publish(ctx, events.ReplicaChanged, sv.UUID, fmt.Sprintf("replication of %s set to %s", sv.Name, t), map[string]any{"server_id": sv.ID})
	return s.replicaStatus(ctx, rep), nil
}

// pinReplicaHost pins the target's host key once the operator confirmed it.
func (s *Service) pinReplicaHost(ctx context.Context, t replicate.Target, file, accept string, sameTarget bool) error {
	hk, err := replicate.ProbeHostKey(ctx, t.Host, t.Port)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	pinned := ""
	if sameTarget {
		pinned = replicate.PinnedFingerprint(file)
	}
	switch {
	case accept == hk.Fingerprint:
		return replicate.PinHostKey(file, t, hk)
	case accept != "":
		return fmt.Errorf("%w: the host key of %s is %s, not the confirmed %s; nothing was saved", ErrInvalid, t.Address(), hk.Fingerprint, accept)
	case pinned == hk.Fingerprint:
		return nil
	case pinned != "":
		return fmt.Errorf("%w: the host key of %s changed: it was %s and is now %s %s. Someone could be intercepting the connection, or the server was reinstalled; nothing was saved. If the change is expected, compare it with `ssh-keygen -lf %s` on the target and confirm it (--accept-host-key %s)",
			ErrInvalid, t.Address(), pinned, hk.Type, hk.Fingerprint, hk.File, hk.Fingerprint)
	}
	return fmt.Errorf("%w: the host key of %s is %s %s; compare it with `ssh-keygen -lf %s` on the target and confirm it (--accept-host-key %s)",
		ErrInvalid, t.Address(), hk.Type, hk.Fingerprint, hk.File, hk.Fingerprint)
}

// GetReplica returns a server's replica and its state.
func (s *Service) GetReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	sv, err := s.Server(ctx, ref)
	if err != nil {
		return ReplicaStatus{}, err
	}
	rep, err := s.st.Replica(ctx, sv.ID)
	if errors.Is(err, store.ErrNotFound) {
		return ReplicaStatus{}, fmt.Errorf("%w: %s has no replica; set one with `borgdesk replica set %s --sftp …`", ErrNotFound, sv.Name, sv.Name)
	}
	if err != nil {
		return ReplicaStatus{}, err
	}
	return s.replicaStatus(ctx, rep), nil
}

// ListReplicas returns every server's replica and its state.
func (s *Service) ListReplicas(ctx context.Context) ([]ReplicaStatus, error) {
	reps, err := s.st.ListReplicas(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ReplicaStatus, 0, len(reps))
	for _, r := range reps {
		out = append(out, s.replicaStatus(ctx, r))
	}
	return out, nil
}

// RemoveReplica stops replicating a server and deletes the target's
// secrets; the replica's files on the target are left there.
func (s *Service) RemoveReplica(ctx context.Context, ref string) (ReplicaStatus, error) {
	st, err := s.GetReplica(ctx, ref)
	if err != nil {
		return ReplicaStatus{}, err
	}
	if s.replicas.isRunning(st.ServerUUID) {
		return ReplicaStatus{}, fmt.Errorf("%w: a replication of %s is running; wait for it to end", ErrConflict, st.ServerName)
	}
	if err := s.st.DeleteReplica(ctx, st.ServerID); err != nil {
		return ReplicaStatus{}, err
	}
	f := s.replicaFiles(st.ServerUUID)
	for _, p := range []string{f.key, f.key + ".pub", f.knownHosts, f.secret} {
		os.Remove(p)
	}
	s.publish(ctx, events.ReplicaChanged, st.ServerUUID, fmt.Sprintf("replication of %s removed; the replica at %s was left as it is", st.ServerName, st.Location), map[string]any{"server_id": st.ServerID})
	return st, nil
}

// replicaStatus adds the state: behind counts the archives Borgdesk made
// that the last successful replica does not have.
func (s *Service) replicaStatus(ctx context.Context, r store.Replica) ReplicaStatus {
	st := ReplicaStatus{Replica: r, Running: s.replicas.isRunning(r.ServerUUID)}
	json.Unmarshal([]byte(r.Target), &st.Target)
	st.Display, st.Location = st.Target.String(), st.Target.Location(r.ServerUUID)
	files := s.replicaFiles(r.ServerUUID)
	switch st.Target.Kind {
	case replicate.KindSFTP:
		if pub := replicate.PublicKeyLine(files.key, "borgdesk-replica@"+r.ServerName); pub != "" {
			st.PublicKey = replicate.AuthorizedKeysLine(pub)
		}
		st.HostKeyFingerprint = replicate.PinnedFingerprint(files.knownHosts)
	case replicate.KindS3:
		_, err := os.Stat(files.secret)
		st.SecretSet = err == nil
	}
	if known, err := s.st.KnownArchives(ctx, r.ServerID); err == nil {
		for _, a := range known {
			if !slices.Contains(r.Archives, a) {
				st.Behind++
			}
		}
	}
	switch {
	case r.Status == store.ReplicaFailed:
		st.State, st.Summary = ReplicaStateFailing, "failing: "+r.Reason
	case r.Status == store.ReplicaNever:
		st.State, st.Summary = ReplicaStateNever, "never replicated"
	case st.Behind > 0:
		st.State, st.Summary = ReplicaStateBehind, fmt.Sprintf("behind by %d archive%s", st.Behind, plural(st.Behind))
	default:
		st.State, st.Summary = ReplicaStateInSync, "in sync"
	}
	return st
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// replicaTarget is a stored replica's target with its secret files.
func (s *Service) replicaTarget(r store.Replica) (replicate.Target, error) {
	var t replicate.Target
	if err := json.Unmarshal([]byte(r.Target), &t); err != nil {
		return t, fmt.Errorf("replica target of %s: %w", r.ServerName, err)
	}
	f := s.replicaFiles(r.ServerUUID)
	t.KeyFile, t.KnownHostsFile, t.SecretFile = f.key, f.knownHosts, f.secret
	return t, nil
}

// durationOf is a run's duration for messages.
func durationOf(ms int64) string {
	return (time.Duration(ms) * time.Millisecond).Round(100 * time.Millisecond).String()
}
