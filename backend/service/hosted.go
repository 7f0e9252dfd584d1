package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// HostedInput describes a hosted Borg service (BorgBase, a Hetzner Storage
// Box, rsync.net, or any host with `borg serve`) reached over SSH.
type HostedInput struct {
	Name string `json:"name"`
	Host string `json:"host"`
	Port int    `json:"port"`
	User string `json:"user"`
	// Path is the directory of the repositories there (relative paths are
	// relative to the login's home).
	Path string `json:"path"`
	// AcceptHostKey is the SHA256 fingerprint the operator checked.
	AcceptHostKey string `json:"accept_host_key"`
}

// ErrHostKeyUnconfirmed asks the operator to confirm a host key.
var ErrHostKeyUnconfirmed = errors.New("host key not confirmed")

// AddHostedTarget records a hosted Borg service after its host key was
// confirmed. The operator then installs the lines HostedKeys prints.
func (s *Service) AddHostedTarget(ctx context.Context, in HostedInput) (store.Target, error) {
	if err := validNameOf("storage target", in.Name); err != nil {
		return store.Target{}, err
	}
	if in.Port == 0 {
		in.Port = 22
	}
	if in.Host == "" || in.User == "" || in.Path == "" {
		return store.Target{}, fmt.Errorf("%w: a hosted target needs --host, --user and --path", ErrInvalid)
	}
	if strings.ContainsAny(in.Path, "\"' \\\n") || strings.Contains(in.Path, "..") {
		return store.Target{}, fmt.Errorf("%w: path %q: use a plain directory path without quotes, spaces or ..", ErrInvalid, in.Path)
	}
	key, err := probeHostKey(ctx, in.Host, in.Port)
	if err != nil {
		return store.Target{}, err
	}
	fp := ssh.FingerprintSHA256(key)
	if in.AcceptHostKey == "" {
		return store.Target{}, fmt.Errorf("%w: %s:%d presents the %s key %s; compare it with what your provider publishes, then add --accept-host-key %s",
			ErrHostKeyUnconfirmed, in.Host, in.Port, key.Type(), fp, fp)
	}
	if in.AcceptHostKey != fp {
		return store.Target{}, fmt.Errorf("%w: %s:%d presents %s, not the %s you confirmed — stop and check with your provider (a changed key can mean someone is in the middle)",
			ErrInvalid, in.Host, in.Port, fp, in.AcceptHostKey)
	}
	if _, err := s.CoordinatorKey(); err != nil {
		return store.Target{}, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	return s.st.CreateTarget(ctx, store.Target{Name: in.Name, Kind: store.TargetHosted, Host: in.Host, Port: in.Port, User: in.User, Path: path.Clean(in.Path), HostKey: line})
}

// probeHostKey fetches a host's SSH key without authenticating.
func probeHostKey(ctx context.Context, host string, port int) (ssh.PublicKey, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot reach %s: %v", ErrUnavailable, addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	var key ssh.PublicKey
	stop := errors.New("probed")
	ssh.NewClientConn(conn, addr, &ssh.ClientConfig{User: "borgdesk-probe",
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { key = k; return stop }})
	if key == nil {
		return nil, fmt.Errorf("%w: %s did not complete an SSH handshake", ErrUnavailable, addr)
	}
	return key, nil
}

// HostedKeys are the authorized_keys lines the operator adds at a hosted
// service: the coordinator's maintenance key (prune, compact, check, reads;
// restricted to the repositories' directory) and one append-only line per
// server whose repository lives there, restricted to its own repository.
func (s *Service) HostedKeys(ctx context.Context, ref string) ([]string, error) {
	t, err := s.st.FindTarget(ctx, ref)
	if err != nil {
		return nil, err
	}
	if t.Kind != store.TargetHosted {
		return nil, fmt.Errorf("%w: %s is a %s target; only hosted services need keys installed by hand", ErrInvalid, t.Name, t.Kind)
	}
	coord, err := s.CoordinatorKey()
	if err != nil {
		return nil, err
	}
	lines := []string{fmt.Sprintf(`command="borg serve --restrict-to-path %s",restrict %s`, t.Path, coord)}
	ids, err := s.st.TargetRepos(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	agents, err := s.st.ActiveAgents(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		sv, err := s.st.Server(ctx, id)
		if err != nil {
			continue
		}
		for _, a := range agents {
			if a.UUID == sv.UUID {
				lines = append(lines, fmt.Sprintf(`command="borg serve --append-only --restrict-to-repository %s",restrict %s borgdesk-%s`,
					path.Join(t.Path, sv.UUID), strings.TrimSpace(a.SSHPublicKey), sv.Name))
			}
		}
	}
	return lines, nil
}

// CheckTarget proves the coordinator can reach a target: a storage node's
// agent answers with its configuration, a hosted service accepts the
// coordinator's key.
func (s *Service) CheckTarget(ctx context.Context, ref string) (store.Target, error) {
	t, err := s.st.FindTarget(ctx, ref)
	if err != nil {
		return t, err
	}
	if t.Kind == store.TargetNode {
		return s.configureNode(ctx, t, time.Minute)
	}
	probe := borg.Repo{Location: fmt.Sprintf("ssh://%s@%s%s", t.User, net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), hostedPath(t.Path, "borgdesk-probe")),
		Passphrase: "-", RSH: s.coordinatorRSH(t.HostKey)}
	_, err = s.repos.Borg.List(ctx, probe)
	if err == nil || errors.Is(err, borg.ErrNoRepository) {
		s.st.UpdateTargetState(ctx, t.ID, "", "ready", "", 0)
		return s.st.Target(ctx, t.ID)
	}
	msg := fmt.Sprintf("%s refused or failed the coordinator's connection (%v); install the lines `borgdesk storage keys %s` prints in its authorized_keys", t.Name, err, t.Name)
	s.st.UpdateTargetState(ctx, t.ID, "", "failing", msg, 0)
	return t, fmt.Errorf("%w: %s", ErrUnavailable, msg)
}

// RemoveTarget removes a target no repository uses (a storage node's
// agent stops its Borg SSH server; its repositories stay on its disk).
func (s *Service) RemoveTarget(ctx context.Context, ref string) error {
	t, err := s.st.FindTarget(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.st.DeleteTarget(ctx, t.ID); err != nil {
		return err
	}
	if t.Kind == store.TargetNode {
		s.QueueTask(ctx, t.ServerUUID, agentapi.TaskStorageConfig, agentapi.StorageConfigPayload{Disable: true, Listen: t.Listen, Dir: t.Path, Agents: map[string]string{}})
	}
	return nil
}
