package targets

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

	"borgdesk/backend/fault"
	"borgdesk/backend/fleet"
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
func (tg *Targets) AddHostedTarget(ctx context.Context, in HostedInput) (store.Target, error) {
	if err := fleet.CheckName("storage target", in.Name); err != nil {
		return store.Target{}, err
	}
	if in.Port == 0 {
		in.Port = 22
	}
	if in.Host == "" || in.User == "" || in.Path == "" {
		return store.Target{}, fmt.Errorf("%w: a hosted target needs --host, --user and --path", fault.ErrInvalid)
	}
	if strings.ContainsAny(in.Path, "\"' \\\n") || strings.Contains(in.Path, "..") {
		return store.Target{}, fmt.Errorf("%w: path %q: use a plain directory path without quotes, spaces or ..", fault.ErrInvalid, in.Path)
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
			fault.ErrInvalid, in.Host, in.Port, fp, in.AcceptHostKey)
	}
	if _, err := tg.CoordinatorKey(); err != nil {
		return store.Target{}, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	return tg.st.CreateTarget(ctx, store.Target{Name: in.Name, Kind: store.TargetHosted, Host: in.Host, Port: in.Port, User: in.User, Path: path.Clean(in.Path), HostKey: line})
}

// probeHostKey fetches a host's SSH key without authenticating.
func probeHostKey(ctx context.Context, host string, port int) (ssh.PublicKey, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot reach %s: %v", fault.ErrUnavailable, addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	var key ssh.PublicKey
	stop := errors.New("probed")
	ssh.NewClientConn(conn, addr, &ssh.ClientConfig{User: "borgdesk-probe",
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { key = k; return stop }})
	if key == nil {
		return nil, fmt.Errorf("%w: %s did not complete an SSH handshake", fault.ErrUnavailable, addr)
	}
	return key, nil
}

// HostedKeys are the authorized_keys lines the operator adds at a hosted
// service: the coordinator's maintenance key (prune, compact, check, reads;
// restricted to the repositories' directory) and one append-only line per
// server whose repository lives there, restricted to its own repository.
func (tg *Targets) HostedKeys(ctx context.Context, ref string) ([]string, error) {
	t, err := tg.st.FindTarget(ctx, ref)
	if err != nil {
		return nil, err
	}
	if t.Kind != store.TargetHosted {
		return nil, fmt.Errorf("%w: %s is a %s target; only hosted services need keys installed by hand", fault.ErrInvalid, t.Name, t.Kind)
	}
	coord, err := tg.CoordinatorKey()
	if err != nil {
		return nil, err
	}
	lines := []string{fmt.Sprintf(`command="borg serve --restrict-to-path %s",restrict %s`, t.Path, coord)}
	ids, err := tg.st.TargetRepos(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	agents, err := tg.st.ActiveAgents(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		sv, err := tg.st.Server(ctx, id)
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
func (tg *Targets) CheckTarget(ctx context.Context, ref string) (store.Target, error) {
	t, err := tg.st.FindTarget(ctx, ref)
	if err != nil {
		return t, err
	}
	if t.Kind == store.TargetNode {
		return tg.configureNode(ctx, t, time.Minute)
	}
	probe := borg.Repo{Location: fmt.Sprintf("ssh://%s@%s%s", t.User, net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), hostedPath(t.Path, "borgdesk-probe")),
		Passphrase: "-", RSH: tg.coordinatorRSH(t.HostKey)}
	_, err = tg.repos.Borg.List(ctx, probe)
	if err == nil || errors.Is(err, borg.ErrNoRepository) {
		tg.st.UpdateTargetState(ctx, t.ID, "", "ready", "", 0)
		return tg.st.Target(ctx, t.ID)
	}
	msg := fmt.Sprintf("%s refused or failed the coordinator's connection (%v); install the lines `borgdesk storage keys %s` prints in its authorized_keys", t.Name, err, t.Name)
	tg.st.UpdateTargetState(ctx, t.ID, "", "failing", msg, 0)
	return t, fmt.Errorf("%w: %s", fault.ErrUnavailable, msg)
}

// RemoveTarget removes a target no repository uses (a storage node's
// agent stops its Borg SSH server; its repositories stay on its disk).
func (tg *Targets) RemoveTarget(ctx context.Context, ref string) error {
	t, err := tg.st.FindTarget(ctx, ref)
	if err != nil {
		return err
	}
	if err := tg.st.DeleteTarget(ctx, t.ID); err != nil {
		return err
	}
	if t.Kind == store.TargetNode {
		tg.env.QueueTask(ctx, t.ServerUUID, agentapi.TaskStorageConfig, agentapi.StorageConfigPayload{Disable: true, Listen: t.Listen, Dir: t.Path, Agents: map[string]string{}})
	}
	return nil
}
