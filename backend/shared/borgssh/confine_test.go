package borgssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"borgdesk/backend/shared/rsh"
	"borgdesk/backend/shared/testenv"
)

// The test binary doubles as borg's SSH client (BORG_RSH): with these
// variables set it connects with the key in envRSHKey and pins the host
// key in envRSHHostKey, as the agent's own `borgdesk-agent ssh` does.
const (
	envRSHKey     = "BORGSSH_TEST_RSH_KEY"
	envRSHHostKey = "BORGSSH_TEST_RSH_HOST_KEY"
)

func TestMain(m *testing.M) {
	if key := os.Getenv(envRSHKey); key != "" {
		os.Exit(runRSH(key, os.Getenv(envRSHHostKey), os.Args[1:]))
	}
	os.Exit(m.Run())
}

func runRSH(keyFile, hostKey string, args []string) int {
	target, err := rsh.ParseArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test rsh:", err)
		return 255
	}
	code, err := rsh.Run(context.Background(), rsh.Params{KeyFile: keyFile, HostKey: hostKey}, target, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test rsh:", err)
	}
	return code
}

func needBorg(t *testing.T) string {
	t.Helper()
	return testenv.NeedCommand(t, "borg")
}

// realServer runs the server with the real borg over reposDir, with one
// agent key, and returns a function that runs a borg client as that agent.
func realServer(t *testing.T, reposDir, agent string) func(args ...string) (string, error) {
	t.Helper()
	bin := needBorg(t)
	dir := t.TempDir()
	hostKey, err := LoadOrCreateHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "agent_key")
	if err := os.WriteFile(keyFile, pemEncode(block), 0o600); err != nil {
		t.Fatal(err)
	}
	k := &keys{m: map[string]string{string(signer.PublicKey().Marshal()): agent}}
	srv := New(Config{HostKey: hostKey, Authorizer: k, ReposDir: reposDir, Borg: bin, BorgBaseDir: t.TempDir()})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	clientBase := t.TempDir()
	hostLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostKey.PublicKey())))
	return func(args ...string) (string, error) {
		for i, a := range args { // "ssh:PATH" is PATH through the server
			if p, ok := strings.CutPrefix(a, "ssh:"); ok {
				args[i] = fmt.Sprintf("ssh://borgdesk@127.0.0.1:%d%s", port, p)
			}
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BORG_RSH="+self, envRSHKey+"="+keyFile, envRSHHostKey+"="+hostLine,
			"BORG_BASE_DIR="+clientBase, "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes", "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes",
			"BORG_PASSPHRASE=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// An agent's key reaches its own repository and nothing else: not a path
// below it, not a sibling repository, not the directory of repositories,
// whether or not its own repository exists yet.
func TestAgentKeyIsConfinedToItsRepository(t *testing.T) {
	const agent, sibling = "aaaaaaaa-1111-2222-3333-444444444444", "bbbbbbbb-1111-2222-3333-444444444444"
	repos := t.TempDir()
	own, other := filepath.Join(repos, agent), filepath.Join(repos, sibling)
	bin := needBorg(t)
	init := exec.Command(bin, "init", "-e", "none", other) // the sibling exists, made locally
	init.Env = append(os.Environ(), "BORG_BASE_DIR="+t.TempDir())
	if out, err := init.CombinedOutput(); err != nil {
		t.Fatalf("local borg init of the sibling: %v\n%s", err, out)
	}
	borg := realServer(t, repos, agent)

	refused := func(when string, args ...string) {
		t.Helper()
		if out, err := borg(args...); err == nil {
			t.Errorf("%s: borg %s succeeded; want refused:\n%s", when, strings.Join(args, " "), out)
		}
	}
	for _, when := range []string{"before its repository exists", "once its repository exists"} {
		// --restrict-to-path OWN would let this one make OWN a plain
		// folder with a repository inside, before OWN exists.
		refused(when, "init", "-e", "none", "--make-parent-dirs", "ssh:"+filepath.Join(own, "nested"))
		refused(when, "init", "-e", "none", "--make-parent-dirs", "ssh:"+filepath.Join(repos, "cccccccc-1111-2222-3333-444444444444"))
		refused(when, "init", "-e", "none", "ssh:"+repos)
		refused(when, "list", "ssh:"+other)
		refused(when, "list", "ssh:"+repos)
		refused(when, "list", "ssh:"+own+"/../"+sibling)
		if when == "before its repository exists" {
			if out, err := borg("init", "-e", "none", "ssh:"+own); err != nil {
				t.Fatalf("the agent cannot create its own repository: %v\n%s", err, out)
			}
		}
	}
	if out, err := borg("list", "ssh:"+own); err != nil {
		t.Fatalf("the agent cannot open its own repository: %v\n%s", err, out)
	}
	// Nothing but the agent's own repository and the sibling was made.
	entries, _ := os.ReadDir(repos)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), agent+" "+sibling; got != want {
		t.Errorf("repositories dir holds %q; want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(own, "nested")); err == nil {
		t.Error("a repository was created below the agent's own")
	}
}
