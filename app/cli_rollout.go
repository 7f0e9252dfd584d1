package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"borgdesk/backend/events"
	"borgdesk/backend/rollout"
	"borgdesk/backend/store"
)

// secrets reads the secrets the flags ask for from standard input, one per
// line, in a fixed order. They never appear on a command line.
type secrets struct {
	r *bufio.Reader
}

func (s *secrets) next(what string) (string, error) {
	line, err := s.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("reading the %s from standard input: nothing there (pipe it in: echo … | borgdesk …)", what)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("the %s read from standard input is empty", what)
	}
	return line, nil
}

// credFlags are the login flags shared by server add and uninstall.
type credFlags struct {
	user                   string
	port                   int
	keyFile                string
	passwordStdin, keyPass bool
	sudoStdin              bool
	accept                 listFlag
	password, key, keyPhr  string
	sudoPassword           string
}

func (c *credFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.user, "user", "root", "SSH user (root, or a user with sudo)")
	fs.IntVar(&c.port, "port", 22, "SSH port")
	fs.StringVar(&c.keyFile, "key", "", "log in with this private key file instead of a password")
	fs.BoolVar(&c.passwordStdin, "password-stdin", false, "read the SSH password from the first line of standard input (used once, never stored)")
	fs.BoolVar(&c.keyPass, "key-passphrase-stdin", false, "read the key's passphrase from the next line of standard input")
	fs.BoolVar(&c.sudoStdin, "sudo-password-stdin", false, "read the sudo password from the next line of standard input (with --key, for a user whose sudo asks)")
	fs.Var(&c.accept, "accept-host-key", "the host key fingerprint (SHA256:…) you checked on the server; repeat or comma-separate for many hosts")
}

func (c *credFlags) read(stdin io.Reader) error {
	if c.passwordStdin == (c.keyFile != "") {
		return usageError{"give exactly one of --password-stdin and --key FILE"}
	}
	s := &secrets{r: bufio.NewReader(stdin)}
	var err error
	if c.passwordStdin {
		if c.password, err = s.next("password"); err != nil {
			return err
		}
	}
	if c.keyFile != "" {
		raw, err := os.ReadFile(c.keyFile)
		if err != nil {
			return fmt.Errorf("read the key: %w", err)
		}
		c.key = string(raw)
		if c.keyPass {
			if c.keyPhr, err = s.next("key passphrase"); err != nil {
				return err
			}
		}
	}
	if c.sudoStdin {
		if c.sudoPassword, err = s.next("sudo password"); err != nil {
			return err
		}
	}
	return nil
}

func cmdServerAdd(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("server add", g, e, "print the result as JSON")
	var cf credFlags
	cf.register(cl.FlagSet)
	host := cl.String("host", "", "the server's address")
	name := cl.String("name", "", "its name in Borgdesk (default: the host)")
	hostsFile := cl.String("hosts-file", "", "many servers: a file with one host per line (host, host:port, user@host, or CSV host,port,user[,name])")
	conc := cl.Int("concurrency", 5, "hosts installed at once (at most 20)")
	if err := cl.parse(args, 0, 0, ""); err != nil {
		return err
	}
	var targets []rollout.Target
	switch {
	case *host != "" && *hostsFile != "":
		return usageError{"server add: give --host or --hosts-file, not both"}
	case *host != "":
		targets = []rollout.Target{{Host: *host, Port: cf.port, User: cf.user, Name: *name}}
	case *hostsFile != "":
		raw, err := os.ReadFile(*hostsFile)
		if err != nil {
			return err
		}
		if targets, err = rollout.ParseTargets(string(raw), cf.user); err != nil {
			return fmt.Errorf("%s: %w", *hostsFile, err)
		}
	default:
		return usageError{"server add: give --host H (or --hosts-file FILE), --user U and --password-stdin or --key FILE"}
	}
	if err := cf.read(e.stdin); err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	// Host keys first: nothing but the SSH hello goes to a host whose key
	// the operator has not confirmed.
	keys, err := c.ProbeHosts(ctx, targets)
	if err != nil {
		return err
	}
	accepted := map[string]bool{}
	for _, a := range cf.accept {
		for _, fp := range strings.Split(a, ",") {
			accepted[strings.TrimSpace(fp)] = true
		}
	}
	req := rollout.Request{Password: cf.password, Key: cf.key, KeyPassphrase: cf.keyPhr, SudoPassword: cf.sudoPassword,
		AcceptHostKeys: map[string]string{}, Concurrency: *conc}
	failed := 0
	for i, k := range keys {
		t := targets[i]
		switch {
		case k.Error != "":
			fmt.Fprintf(e.stderr, "%s: %s\n", t.Host, k.Error)
		case k.Changed:
			fmt.Fprintf(e.stderr, "%s: WARNING: the host key changed: it was %s and is now %s. Someone could be intercepting the connection, or the server was reinstalled. Nothing was sent. If the change is expected: borgdesk server forget-host-key %s --port %d, then run again.\n",
				t.Host, k.Pinned, k.Fingerprint, t.Host, k.Port)
		case k.Known:
			req.Targets = append(req.Targets, t)
			continue
		case accepted[k.Fingerprint]:
			req.AcceptHostKeys[net.JoinHostPort(k.Host, strconv.Itoa(k.Port))] = k.Fingerprint
			req.Targets = append(req.Targets, t)
			continue
		case len(accepted) > 0:
			fmt.Fprintf(e.stderr, "%s: the host key is %s %s, which is not a fingerprint you accepted; nothing was sent\n", t.Host, k.Type, k.Fingerprint)
		default:
			fmt.Fprintf(e.stderr, "%s: the host key is %s %s; check it on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and run again with --accept-host-key %s\n",
				t.Host, k.Type, k.Fingerprint, k.Fingerprint)
		}
		failed++
	}
	if len(req.Targets) == 0 {
		return fmt.Errorf("no host to install on (%d stopped before logging in)", failed)
	}
	// Every step arrives as a rollout:progress event: subscribe first, so
	// none is missed, and print a host's line whenever it changes.
	sctx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	type step struct {
		id   string
		host rollout.HostState
	}
	progress := make(chan step, 1024)
	go c.StreamEvents(sctx, func(ev store.Event) error {
		if ev.Kind != events.RolloutProgress {
			return nil
		}
		var d struct {
			RolloutID string            `json:"rollout_id"`
			Host      rollout.HostState `json:"host"`
		}
		if json.Unmarshal(ev.Data, &d) == nil {
			select {
			case progress <- step{d.RolloutID, d.Host}:
			default:
			}
		}
		return nil
	})
	time.Sleep(50 * time.Millisecond) // let the subscription open
	ro, err := c.StartRollout(ctx, req)
	req.Password, req.Key, req.KeyPassphrase, req.SudoPassword, cf.password, cf.key, cf.keyPhr, cf.sudoPassword = "", "", "", "", "", "", "", ""
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, h := range ro.Hosts {
		names[h.Name] = true
	}
	last := map[string]string{}
	show := func(id string, h rollout.HostState) {
		if id != ro.ID || !names[h.Name] || cl.json() {
			return
		}
		line := h.Step
		switch {
		case h.Status == rollout.StatusFailed:
			line = "FAILED: " + h.Message
		case h.Status == rollout.StatusDone:
			line = "done: " + h.Message
		case h.Message != "":
			line += ": " + h.Message
		}
		if last[h.Name] != line && h.Status != rollout.StatusPending {
			fmt.Fprintf(e.stdout, "%-20s %s\n", h.Name, line)
		}
		last[h.Name] = line
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for !ro.Done {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case p := <-progress:
			show(p.id, p.host)
			continue
		case <-tick.C:
		}
		if ro, err = c.Rollout(ctx, ro.ID, false); err != nil {
			return err
		}
	}
	for len(progress) > 0 {
		p := <-progress
		show(p.id, p.host)
	}
	for _, h := range ro.Hosts {
		show(ro.ID, h)
	}
	for _, h := range ro.Hosts {
		if h.Status != rollout.StatusDone {
			failed++
		}
	}
	if cl.json() {
		if err := printJSON(e.stdout, ro); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d hosts not installed", failed, len(targets))
	}
	return nil
}

func cmdServerUninstall(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("server uninstall", g, e, "print JSON")
	var cf credFlags
	cf.register(cl.FlagSet)
	host := cl.String("host", "", "the server's SSH address (default: the host name it reports)")
	if err := cl.parse(args, 1, 1, "SERVER"); err != nil {
		return err
	}
	pos := cl.pos
	if err := cf.read(e.stdin); err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	accept := ""
	if len(cf.accept) > 0 {
		accept = cf.accept[0]
	}
	st, err := c.UninstallServer(ctx, rollout.UninstallRequest{Server: pos[0], Host: *host, Port: cf.port, User: cf.user, Password: cf.password,
		Key: cf.key, KeyPassphrase: cf.keyPhr, SudoPassword: cf.sudoPassword, AcceptHostKey: accept})
	if err != nil {
		return err
	}
	if cl.json() {
		printJSON(e.stdout, st)
	} else {
		fmt.Fprintln(e.stdout, st.Message)
	}
	if st.Status != rollout.StatusDone {
		return fmt.Errorf("uninstall failed")
	}
	return nil
}

func cmdServerForgetHostKey(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("server forget-host-key", g, e, "")
	port := cl.Int("port", 22, "SSH port")
	c, err := cl.open(args, 1, 1, "HOST")
	if err != nil {
		return err
	}
	pos := cl.pos
	if err := c.ForgetHostKey(ctx, pos[0], *port); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "forgot the pinned host key of %s:%d; the next rollout asks you to confirm its key again\n", pos[0], *port)
	return nil
}
