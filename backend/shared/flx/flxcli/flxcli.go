// Package flxcli is the `flx` command of both borgdesk and borgdesk-agent:
// backup (create), restore, migrate, inspect, verify and diff, with the
// FlexPBX tools' flags.
package flxcli

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"borgdesk/backend/shared/flx"
)

// Profiles are named path sets for backup (relative to the root). The
// flexpbx profile's system paths are listed here; backup adds the FlexPBX
// account's home files and writes the snapshot in FlexPBX's layout
// (flx.CollectFlexPBX).
var Profiles = map[string][]string{
	"etc":     {"etc"},
	"flexpbx": {"etc/asterisk", "etc/flexpbx", "etc/sudoers.d/flexpbx-asterisk", "var/lib/flexpbx/config", "var/www/html/flexpbx/config", "var/www/html/flexpbx/api/config"},
}

// Env is the command's world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Producer       string // e.g. "borgdesk-agent v1.2.0"
	DefaultDir     string // where backup writes without -o
	// As is the FlexPBX tool name the command runs as (flexpbx-backup, …;
	// see RunAs), "" for `flx COMMAND`.
	As string
}

const usage = `usage: flx COMMAND …
  backup|create ` + backupFlags + ` [PATH…]
  restore ` + restoreFlags + ` FILE
  restore --rollback [--root R] [-y] ROLLBACK-FILE
  migrate ` + migrateFlags + ` TARGET-USER
  inspect FILE [--json] [--offset N] [--limit N]     verify FILE     diff [-u USER] FILE (DIR|FILE)
  restore, migrate, inspect and verify take the caps --max-size SIZE (e.g. 64G),
  --max-files N, --max-path BYTES and --max-ratio N (how far an archive may inflate)
  FILE is a .flx/.flxx JSON snapshot (gzipped or not), a FlexPBX module tar.gz or a ZIP export.
  The same commands answer as flexpbx-backup, flexpbx-restore and flexpbx-migrate.`

const (
	backupFlags  = "[-t|--type flx|flxx] [-c|--compress] [-o|--output DIR] [--root R] [--profile etc|flexpbx] [-u|--user ACCOUNT] [-d|--include-data] [--keep-secrets] [-v|--verbose]"
	restoreFlags = "[-m|--mode fresh|merge|migrate] [-u|--user USER] [-y|--yes] [--dry-run] [--root R] [--keep-setuid] [-v|--verbose]"
	migrateFlags = "[-s|--source USER] [-b|--backup-dir DIR] [-k|--keep-backup] [--from FILE] [-y|--yes] [-v|--verbose] [--root R] [--keep-setuid]"
)

// Run runs `flx args…` and returns the exit code.
func Run(args []string, e Env) int {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "backup", "create":
		err = backup(args[1:], e)
	case "restore":
		err = restore(args[1:], e)
	case "migrate":
		err = migrate(args[1:], e)
	case "inspect":
		err = inspect(args[1:], e)
	case "verify":
		err = verify(args[1:], e)
	case "diff":
		err = diff(args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprintln(e.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(e.Stderr, "flx: unknown command %q\n%s\n", args[0], usage)
		return 2
	}
	var ue usageErr
	var he helpErr
	switch {
	case err == nil:
		return 0
	case errors.As(err, &he):
		fmt.Fprintln(e.Stdout, string(he))
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(e.Stderr, "flx:", err)
		return 2
	case errors.Is(err, errDeclined):
		fmt.Fprintln(e.Stderr, "flx: nothing was changed")
		return 1
	}
	fmt.Fprintln(e.Stderr, "flx:", err)
	return 1
}

type usageErr struct{ msg string }

// helpErr carries a command's usage, asked for with -h or --help.
type helpErr string

func (h helpErr) Error() string { return string(h) }

func (u usageErr) Error() string { return u.msg }

var errDeclined = errors.New("declined")

// parse allows flags after positional arguments, as the seed's tools did;
// -h and --help return the command's usage and flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, helpErr(help(fs))
		} else if err != nil {
			return nil, usageErr{fs.Name() + ": " + err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// help lists a command's options, a short flag beside its long name:
// "-t, --type string".
func help(fs *flag.FlagSet) string {
	long := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if short, ok := strings.CutPrefix(f.Usage, "same as -"); ok {
			long[short] = f.Name
		}
	})
	var b strings.Builder
	operand := "…"
	for cmd, op := range map[string]string{"backup": "[PATH…]", "restore": "FILE", "migrate": "TARGET-USER", "diff": "FILE (DIR|FILE)", "inspect": "FILE", "verify": "FILE"} {
		if strings.HasSuffix(fs.Name(), cmd) {
			operand = op
		}
	}
	fmt.Fprintf(&b, "usage: %s [OPTIONS] %s\noptions:\n", fs.Name(), operand)
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, "same as -") {
			return
		}
		names := "--" + f.Name
		if len(f.Name) == 1 {
			names = "-" + f.Name
		}
		if l, ok := long[f.Name]; ok {
			names += ", --" + l
		}
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			names += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(&b, "  %-34s %s\n", names, usage)
	})
	return strings.TrimRight(b.String(), "\n")
}

// alias lets a flag be given by its FlexPBX long name too (--type for -t).
func alias(fs *flag.FlagSet, long, short string) {
	f := fs.Lookup(short)
	fs.Var(f.Value, long, "same as -"+short)
}

// cmdName is the command as the user typed it: flexpbx-backup, or flx backup.
func cmdName(e Env, cmd string) string {
	if e.As != "" {
		return e.As
	}
	return "flx " + cmd
}

func backup(args []string, e Env) error {
	fs := flag.NewFlagSet(cmdName(e, "backup"), flag.ContinueOnError)
	typ := fs.String("t", "flx", "flx, or flxx (with account templates and schemas)")
	gz := fs.Bool("c", false, "gzip the snapshot (.flx.gz; the latest link is latest.flx.gz)")
	out := fs.String("o", e.DefaultDir, "output directory")
	root := fs.String("root", "/", "paths are stored relative to this root")
	profile := fs.String("profile", "", "named path set: etc or flexpbx (default: the PATHs given, else etc; flexpbx when run as flexpbx-backup)")
	account := fs.String("u", "", "flexpbx profile: the FlexPBX account (default: the owner of the FlexPBX home)")
	keep := fs.Bool("keep-secrets", false, "do not sanitize: passwords, keys and addresses stay in (sensitive_data_included: true)")
	data := fs.Bool("d", false, "flexpbx profile: include the account's users/ and admins/, unsanitized (SENSITIVE; implies --keep-secrets)")
	prefix := fs.String("prefix", "", "file name prefix (default: this host's name; flexpbx as flexpbx-backup)")
	verbose := fs.Bool("v", false, "list every file")
	for long, short := range map[string]string{"type": "t", "compress": "c", "output": "o", "user": "u", "include-data": "d", "verbose": "v"} {
		alias(fs, long, short)
	}
	if e.As != "" {
		*profile, *prefix = "flexpbx", "flexpbx"
	}
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	t := flx.TypeSystem
	switch *typ {
	case "flx":
	case "flxx":
		t = flx.TypeExtended
	default:
		return usageErr{"-t is flx or flxx"}
	}
	if *out == "" {
		*out = "."
	}
	if *prefix == "" {
		*prefix, _ = os.Hostname()
		if *prefix == "" {
			*prefix = "flx"
		}
	}
	*keep = *keep || *data
	absRoot, _ := filepath.Abs(*root)
	opts := flx.Options{Type: t, KeepSecrets: *keep, Producer: e.Producer, SourceRoot: absRoot}
	var files []flx.File
	switch {
	case *profile == "flexpbx":
		if files, err = flexpbxFiles(absRoot, *account, *data, &opts, e); err != nil {
			return err
		}
	case *profile != "" && Profiles[*profile] == nil:
		return usageErr{fmt.Sprintf("unknown profile %q: etc or flexpbx, or give paths", *profile)}
	default:
		if *account != "" || *data {
			return usageErr{"-u and -d go with --profile flexpbx"}
		}
		if files, opts.Skipped, err = collectPaths(*root, *profile, paths, e); err != nil {
			return err
		}
	}
	name, m, err := flx.Create(*out, *prefix, *gz, files, opts)
	if err != nil {
		return err
	}
	if *verbose {
		for _, f := range files {
			fmt.Fprintf(e.Stderr, "  %s (%d bytes)\n", f.Rel, f.Info.Size())
		}
	}
	printReport(e.Stderr, m, *keep)
	fmt.Fprintf(e.Stderr, "%d files in %s\n", m.FileCount, name)
	fmt.Fprintln(e.Stdout, name)
	return nil
}

// collectPaths collects the etc profile or the paths given.
func collectPaths(root, profile string, paths []string, e Env) ([]flx.File, []flx.Skipped, error) {
	if profile != "" {
		for _, p := range Profiles[profile] { // a profile's paths this host lacks are skipped
			if _, err := os.Stat(filepath.Join(root, p)); err == nil {
				paths = append(paths, p)
			} else {
				fmt.Fprintf(e.Stderr, "flx: %s is not on this host; skipped\n", p)
			}
		}
	} else if len(paths) == 0 {
		paths = Profiles["etc"]
	}
	return flx.Collect(root, paths)
}

// flexpbxFiles collects the flexpbx profile: the account's home files and
// the system's, in FlexPBX's layout, with the account's sanitized
// settings and templates.
func flexpbxFiles(root, user string, data bool, o *flx.Options, e Env) ([]flx.File, error) {
	a, err := flx.FindFlexPBXAccount(root, user)
	if err != nil {
		return nil, err
	}
	if a == nil {
		fmt.Fprintln(e.Stderr, "flx: no FlexPBX home here (a home/USER with flexpbx-config.json or public_html/api): the system files only; name the account with -u USER")
	}
	b, err := flx.CollectFlexPBX(root, a, data)
	if err != nil {
		return nil, err
	}
	if len(b.Files) == 0 {
		return nil, fmt.Errorf("none of the flexpbx profile's files are under %s: is FlexPBX installed here?", root)
	}
	o.Layout, o.Skipped = flx.LayoutFlexPBX, b.Skipped
	o.DefaultSettings, o.UserTemplate, o.AdminTemplate = b.DefaultSettings, b.UserTemplate, b.AdminTemplate
	if a != nil {
		o.Account, o.SourceHome = a.Name, "/"+a.Home
	}
	return b.Files, nil
}

func printReport(w io.Writer, m *flx.Meta, keep bool) {
	if keep {
		fmt.Fprintln(w, "not sanitized (--keep-secrets): the snapshot holds secrets; keep it private")
		return
	}
	if len(m.Redactions) == 0 {
		fmt.Fprintln(w, "sanitized: nothing needed redacting")
		return
	}
	fmt.Fprintln(w, "redaction report (what was removed, never the values):")
	for _, r := range m.Redactions {
		fmt.Fprintf(w, "  %-48s %-26s %d\n", r.File, r.Rule, r.Count)
	}
}

func restore(args []string, e Env) error {
	fs := flag.NewFlagSet(cmdName(e, "restore"), flag.ContinueOnError)
	mode := fs.String("m", flx.ModeMerge, "fresh, merge or migrate")
	usr := fs.String("u", "", "the account whose home gets the snapshot's home-relative files (public_html/…); migrate: the target user")
	yes := fs.Bool("y", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show what would change, write nothing")
	root := fs.String("root", "/", "restore under this root")
	rollback := fs.Bool("rollback", false, "FILE is a rollback snapshot: put it back")
	verbose := fs.Bool("v", false, "list every change")
	keepSetuid := fs.Bool("keep-setuid", false, "keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	limits := limitFlags(fs)
	for long, short := range map[string]string{"mode": "m", "user": "u", "yes": "y", "verbose": "v"} {
		alias(fs, long, short)
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr{cmdName(e, "restore") + " " + restoreFlags + " FILE"}
	}
	file := pos[0]
	if *rollback {
		if !*yes && !confirm(e, fmt.Sprintf("Put back the files saved in %s under %s?", file, *root)) {
			return errDeclined
		}
		m, err := flx.Rollback(file, *root)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "rolled back: %d files put back, %d created files removed\n", m.FileCount, len(m.RollbackCreated))
		return nil
	}
	opts := flx.RestoreOptions{Root: *root, Mode: *mode, User: *usr, KeepSetuid: *keepSetuid, Limits: *limits}
	_, err = restoreFile(file, opts, e, *yes, *dry, *verbose)
	return err
}

// restoreFile plans the restore (a dry run), shows it, asks, then
// restores; it returns the result (nil for a dry run or when declined).
func restoreFile(file string, opts flx.RestoreOptions, e Env, yes, dry, verbose bool) (*flx.RestoreResult, error) {
	opts.DryRun = true
	plan, err := flx.Restore(file, opts)
	if err != nil {
		return nil, err
	}
	c := plan.Counts()
	summary := fmt.Sprintf("%s into %s (%s): %d to create, %d to overwrite, %d unchanged, %d user files kept, %d to remove",
		file, opts.Root, opts.Mode, c[flx.ActCreate], c[flx.ActOverwrite], c[flx.ActUnchanged], c[flx.ActKeep], c[flx.ActRemove])
	if a := plan.Account; a != nil {
		fmt.Fprintf(e.Stdout, "home-relative files go into /%s, the home of %s (%s)\n", a.Home, a.Name, a.Why)
	}
	if dry || verbose {
		for _, ch := range plan.Changes {
			if ch.Action != flx.ActUnchanged || verbose {
				fmt.Fprintf(e.Stdout, "  %-18s %s\n", ch.Action, ch.Path)
			}
		}
	}
	for _, n := range plan.Notes {
		fmt.Fprintln(e.Stderr, "note: "+n)
	}
	if plan.Meta != nil && plan.Meta.NoFileHashes {
		fmt.Fprintln(e.Stderr, "note: "+noHashes(plan.Meta))
	}
	if len(plan.Placeholders) > 0 {
		fmt.Fprintf(e.Stderr, "warning: this snapshot was sanitized: %d files it writes hold placeholders (REDACTED, HASHED_PLACEHOLDER) where secrets were; set the real values after restoring:\n", len(plan.Placeholders))
		for _, p := range plan.Placeholders {
			fmt.Fprintf(e.Stderr, "  %s\n", p)
		}
	}
	if dry {
		fmt.Fprintln(e.Stdout, "dry run: "+summary)
		return nil, nil
	}
	if !yes && !confirm(e, "Restore "+summary+"?") {
		return nil, errDeclined
	}
	opts.DryRun = false
	res, err := flx.Restore(file, opts)
	if err != nil {
		return nil, err
	}
	c = res.Counts()
	fmt.Fprintf(e.Stdout, "restored: %d created, %d overwritten, %d unchanged, %d user files kept, %d removed\nrollback point: %s (undo with: flx restore --rollback --root %s %s)\n",
		c[flx.ActCreate], c[flx.ActOverwrite], c[flx.ActUnchanged], c[flx.ActKeep], c[flx.ActRemove], res.Rollback, opts.Root, res.Rollback)
	return res, nil
}

// noHashes says plainly what a tar.gz or ZIP snapshot cannot prove.
func noHashes(m *flx.Meta) string {
	checked := map[string]string{flx.ContainerZip: "each member's CRC-32", flx.ContainerTarGz: "gzip's CRC-32 of the whole", flx.ContainerTar: "only the tar headers' checksums"}[m.Container]
	return fmt.Sprintf("this %s container carries no per-file hashes: %s checked and every member read whole, but nothing proves the files are the ones that were backed up", m.Container, checked)
}

func confirm(e Env, q string) bool {
	fmt.Fprintf(e.Stderr, "%s [y/N] ", q)
	line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

func inspect(args []string, e Env) error {
	fs := flag.NewFlagSet("flx inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	offset := fs.Int("offset", 0, "list the files from this one on (0 is the first)")
	limit := fs.Int("limit", flx.DefaultInspectPage, "list at most this many files")
	limits := limitFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr{"flx inspect FILE [--json] [--offset N] [--limit N]"}
	}
	in, err := flx.InspectPage(pos[0], flx.InspectOptions{Offset: *offset, Limit: *limit, Limits: *limits})
	if in == nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		if eerr := enc.Encode(in); eerr != nil {
			return eerr
		}
		return err
	}
	if in.Meta != nil {
		m := in.Meta
		fmt.Fprintf(e.Stdout, "version %s, %s, created %s by %s\nfiles: %d (%d bytes)\nsensitive data included: %v\n",
			m.Version, m.BackupType, m.Created, firstNonEmpty(m.Producer, m.FlexPBXVersion), m.FileCount, in.Bytes, m.SensitiveDataIncluded)
		if m.Container != flx.ContainerJSON && m.Container != flx.ContainerGzJSON {
			fmt.Fprintf(e.Stdout, "container: %s (FlexPBX's module archive)\n", m.Container)
		}
		if m.Layout == flx.LayoutFlexPBX {
			fmt.Fprintf(e.Stdout, "layout: FlexPBX (~/… goes into the account's home: %s)\n", firstNonEmpty(m.Account, "-u names it on restore"))
		}
		if !m.NoFileHashes {
			printReport(e.Stdout, m, m.SensitiveDataIncluded)
		}
		for _, n := range m.Notes {
			fmt.Fprintln(e.Stdout, "note: "+n)
		}
	}
	for _, f := range in.Files {
		p := f.Path
		if f.Home {
			p = "~/" + strings.TrimLeft(p, "/")
		}
		if f.Member != "" {
			p += "  (" + f.Member + ")"
		}
		fmt.Fprintf(e.Stdout, "  %4s %10d  %s\n", f.Mode, f.Size, p)
	}
	if in.FilesMore > 0 {
		fmt.Fprintf(e.Stdout, "  … %d more (--offset %d lists them)\n", in.FilesMore, in.FilesOffset+len(in.Files))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintln(e.Stdout, verified(in))
	return nil
}

// verified is the last line of inspect and verify.
func verified(in *flx.Inspection) string {
	if in.Meta != nil && in.Meta.NoFileHashes {
		return "readable; " + noHashes(in.Meta)
	}
	return "every hash matches"
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return "unknown"
}

func verify(args []string, e Env) error {
	fs := flag.NewFlagSet("flx verify", flag.ContinueOnError)
	limits := limitFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr{"flx verify FILE"}
	}
	in, err := flx.InspectPage(pos[0], flx.InspectOptions{Limit: 1, Limits: *limits})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(e.Stdout, "%s: %d files, %s\n", pos[0], in.FilesTotal, verified(in))
	return nil
}

func diff(args []string, e Env) error {
	fs := flag.NewFlagSet("flx diff", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	usr := fs.String("u", "", "against a directory: the account whose home holds the snapshot's home-relative files")
	alias(fs, "user", "u")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErr{"flx diff [-u USER] FILE (DIR|FILE)"}
	}
	d, err := flx.DiffAs(pos[0], pos[1], *usr)
	if err != nil {
		return err
	}
	if *asJSON {
		if d == nil {
			d = []flx.DiffEntry{}
		}
		return json.NewEncoder(e.Stdout).Encode(d)
	}
	for _, x := range d {
		fmt.Fprintf(e.Stdout, "%-18s %s\n", x.Status, x.Path)
	}
	if len(d) == 0 {
		fmt.Fprintln(e.Stdout, "no differences")
	}
	return nil
}

// limitFlags adds the caps on what reading a snapshot may cost; the
// returned Limits is filled once the flags are parsed.
func limitFlags(fs *flag.FlagSet) *flx.Limits {
	l := &flx.Limits{}
	fs.Func("max-size", fmt.Sprintf("cap on the snapshot's size once decompressed, e.g. 64G (default %s)", sizeString(flx.DefaultMaxBytes)), func(v string) error {
		n, err := parseSize(v)
		l.MaxBytes = n
		return err
	})
	fs.IntVar(&l.MaxEntries, "max-files", flx.DefaultMaxEntries, "cap on the number of files in the snapshot")
	fs.IntVar(&l.MaxPathLen, "max-path", flx.DefaultMaxPathLen, "cap on the length of a path in the snapshot, in bytes")
	fs.Int64Var(&l.MaxRatio, "max-ratio", flx.DefaultMaxRatio, "cap on how many times a tar.gz or ZIP snapshot may inflate its packed size")
	return l
}

// parseSize reads bytes, or a number with K, M, G or T (powers of 1024).
func parseSize(v string) (int64, error) {
	mult := int64(1)
	s := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(v, "B"), "i"))
	if i := strings.IndexAny(s, "KMGT"); i >= 0 && i == len(s)-1 {
		mult = 1 << (10 * (strings.IndexByte("KMGT", s[i]) + 1))
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (bytes, or a number with K, M, G or T)", v)
	}
	return n * mult, nil
}

func sizeString(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
