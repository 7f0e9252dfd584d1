package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dustin/go-humanize"
	"golang.org/x/term"

	"borgdesk/backend/datadir"
	"borgdesk/backend/recoverykit"
	"borgdesk/backend/service"
)

const recoveryUsage = "usage: borgdesk recovery-kit export FILE | import FILE [--data DIR] | inspect FILE | status  (passphrase from the terminal, --passphrase-file FILE or --passphrase-stdin)"

// cmdRecoveryKit makes, checks and restores recovery kits. export goes
// through the running coordinator (it owns the data dir); import runs with
// none, into an empty data dir; inspect only reads the kit.
func cmdRecoveryKit(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{recoveryUsage}
	}
	sub, args := args[0], args[1:]
	cl := newCmdline("recovery-kit "+sub, g, e, "print JSON")
	var src passphraseSource
	if sub != "status" {
		src.register(cl.FlagSet)
	}
	switch sub {
	case "export", "import", "inspect", "status":
	default:
		return usageError{fmt.Sprintf("unknown recovery-kit subcommand %q; %s", sub, recoveryUsage)}
	}
	n, posUsage := 1, "FILE"
	if sub == "status" {
		n, posUsage = 0, ""
	}
	if err := cl.parse(args, n, n, posUsage); err != nil {
		return err
	}
	pos := cl.pos
	switch sub {
	case "status":
		return kitStatus(ctx, g, e, cl.json())
	case "export":
		return kitExport(ctx, g, e, pos[0], src, cl.json())
	case "inspect":
		pass, err := src.read(e, false)
		if err != nil {
			return err
		}
		in, err := recoverykit.Inspect(pos[0], pass)
		if err != nil {
			return err
		}
		if cl.json() {
			return printJSON(e.stdout, in)
		}
		printManifest(e.stdout, in.Manifest)
		rows := make([][]string, 0, len(in.Files))
		for _, f := range in.Files {
			rows = append(rows, []string{f.Path, f.Mode, humanize.IBytes(uint64(f.Size))})
		}
		fmt.Fprintln(e.stdout)
		if err := printTable(e.stdout, []string{"FILE", "MODE", "SIZE"}, rows); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nEvery file's SHA-256 checked: the kit is whole.\n")
		return nil
	default:
		return kitImport(ctx, g, e, pos[0], src, cl.json())
	}
}

func kitExport(ctx context.Context, g *globals, e env, file string, src passphraseSource, asJSON bool) error {
	path, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	c, err := client(g, e)
	if err != nil {
		return err
	}
	// Ask the coordinator first, so a stopped one is said before the
	// passphrase is typed.
	if _, err := c.Status(ctx); err != nil {
		return fmt.Errorf("recovery-kit export goes through the running coordinator: %w", err)
	}
	pass, err := src.read(e, true)
	if err != nil {
		return err
	}
	res, err := c.ExportRecoveryKit(ctx, path, pass)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, res)
	}
	m := res.Manifest
	fmt.Fprintf(e.stdout, "Recovery kit written to %s (%s, %d files, read back and verified).\n", res.Path, humanize.IBytes(uint64(res.Size)), m.Files)
	keys := 0
	for _, r := range m.Repositories {
		if r.KeyExport {
			keys++
		}
	}
	fmt.Fprintf(e.stdout, "It holds the CA (%s), the agent-update signing key, the Borg SSH host key, the passphrases of %d repositories with %d key exports, and the database (%d servers).\n",
		m.CAFingerprint, len(m.Repositories), keys, m.Servers)
	fmt.Fprintln(e.stdout, "Keep it away from this workstation (a USB stick in a drawer, a password manager) and its passphrase apart from it: without the passphrase nobody can open it, you included.")
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	return nil
}

func kitImport(ctx context.Context, g *globals, e env, file string, src passphraseSource, asJSON bool) error {
	dir, _, err := g.resolve(e)
	if err != nil {
		return err
	}
	pass, err := src.read(e, false)
	if err != nil {
		return err
	}
	res, err := service.ImportRecoveryKit(ctx, file, dir, pass)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, res)
	}
	m := res.Manifest
	fmt.Fprintf(e.stdout, "Imported the recovery kit made by Borgdesk %s on %s into %s (%d files, every hash checked).\n\n",
		m.Version, fmtTime(m.CreatedAt), res.DataDir, len(res.Files))
	fmt.Fprintf(e.stdout, "Next:\n  1. The kit holds the repositories' keys, not their archives. If they lived in the old data dir, copy its repos/ folder to %s.\n", datadir.At(res.DataDir).Repos())
	fmt.Fprintf(e.stdout, "  2. Start the coordinator where agents look for it (they reconnect with their certificates; the CA is %s):\n       %s\n", m.CAFingerprint, serveHint(res.DataDir, m))
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	return nil
}

// serveHint is the serve command with the addresses agents know.
func serveHint(dir string, m *recoverykit.Manifest) string {
	cmd := "borgdesk serve --data " + dir
	if u, err := url.Parse(m.GatewayURL); err == nil && u.Host != "" {
		cmd += " --gateway-url " + m.GatewayURL
		if p := u.Port(); p != "" {
			cmd += " --listen :" + p
		}
	}
	if i := strings.LastIndex(m.BorgSSH, ":"); i >= 0 {
		cmd += " --ssh-listen :" + m.BorgSSH[i+1:]
	}
	return cmd
}

func kitStatus(ctx context.Context, g *globals, e env, asJSON bool) error {
	c, err := client(g, e)
	if err != nil {
		return err
	}
	st, err := c.RecoveryKitStatus(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, st)
	}
	if st.LastExport == nil {
		fmt.Fprintln(e.stdout, "No recovery kit yet: if this workstation is lost, the fleet's CA and repository keys go with it. Make one: borgdesk recovery-kit export FILE")
		return nil
	}
	fmt.Fprintf(e.stdout, "Last recovery kit: %s, %s\n", fmtTime(*st.LastExport), st.LastPath)
	switch {
	case len(st.NewServers) > 0:
		fmt.Fprintf(e.stdout, "Out of date: %s enrolled since; export a new kit.\n", strings.Join(st.NewServers, ", "))
	case st.SecretsChanged:
		fmt.Fprintln(e.stdout, "Out of date: keys or passphrases changed since; export a new kit.")
	default:
		fmt.Fprintln(e.stdout, "Up to date.")
	}
	return nil
}

func printManifest(w io.Writer, m *recoverykit.Manifest) {
	printTable(w, []string{"FIELD", "VALUE"}, [][]string{
		{"kit format", fmt.Sprint(m.Format)}, {"made by", "Borgdesk " + m.Version}, {"created", fmtTime(m.CreatedAt)},
		{"data dir", m.DataDir}, {"CA fingerprint", m.CAFingerprint}, {"gateway", m.GatewayURL}, {"borg ssh", m.BorgSSH},
		{"servers", fmt.Sprint(m.Servers)}, {"repositories", fmt.Sprint(len(m.Repositories))},
		{"database schema", fmt.Sprint(m.Schema)}, {"files", fmt.Sprintf("%d (%s)", m.Files, humanize.IBytes(uint64(m.Bytes)))},
	})
}

// passphraseSource is where a kit's passphrase comes from: a file, standard
// input, or the terminal without echo. Never the command line.
type passphraseSource struct {
	file  string
	stdin bool
}

func (p *passphraseSource) register(fs *pflag.FlagSet) {
	fs.StringVar(&p.file, "passphrase-file", "", "read the kit's passphrase from the first line of FILE")
	fs.BoolVar(&p.stdin, "passphrase-stdin", false, "read the kit's passphrase from the first line of standard input")
}

// read returns the passphrase; confirm asks twice at the terminal.
func (p passphraseSource) read(e env, confirm bool) (string, error) {
	switch {
	case p.file != "" && p.stdin:
		return "", usageError{"give one of --passphrase-file and --passphrase-stdin"}
	case p.file != "":
		f, err := os.Open(p.file)
		if err != nil {
			return "", fmt.Errorf("passphrase file: %w", err)
		}
		defer f.Close()
		return firstLine(f)
	case p.stdin:
		return firstLine(e.stdin)
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{"no passphrase: standard input is not a terminal; give --passphrase-file FILE or --passphrase-stdin"}
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	pass, err := ask("Passphrase for the recovery kit: ")
	if err != nil || !confirm {
		return pass, err
	}
	if err := recoverykit.CheckPassphrase(pass); err != nil {
		return "", err
	}
	again, err := ask("The same passphrase again: ")
	if err != nil {
		return "", err
	}
	if again != pass {
		return "", errors.New("the two passphrases differ; nothing was written, run the command again")
	}
	return pass, nil
}

func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the passphrase: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
