// Package flxcli is the `flx` command of both borgdesk and borgdesk-agent:
// backup (create), restore, migrate, inspect, verify and diff, with the
// FlexPBX tools' flags.
package flxcli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"borgdesk/backend/shared/cmdtree"
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

func backupCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use: "backup [PATH…]", Aliases: []string{"create"},
		Short: "Write a .flx/.flxx snapshot of a profile or of the PATHs given",
		Example: `  flx backup --profile etc -o /var/backups
  flx backup -t flxx -c --profile flexpbx -u pbx
  flexpbx-backup --type flxx --compress --output /root/backup`,
	}
	fs := c.Flags()
	defProfile, defPrefix := "", ""
	if e.As != "" {
		defProfile, defPrefix = "flexpbx", "flexpbx"
	}
	typ := fs.StringP("type", "t", "flx", "flx, or flxx (with account templates and schemas)")
	gz := fs.BoolP("compress", "c", false, "gzip the snapshot (.flx.gz; the latest link is latest.flx.gz)")
	out := fs.StringP("output", "o", e.DefaultDir, "output directory")
	root := fs.String("root", "/", "paths are stored relative to this root")
	profile := fs.String("profile", defProfile, "named path set: etc or flexpbx (when empty: the PATHs given, else etc)")
	account := fs.StringP("user", "u", "", "flexpbx profile: the FlexPBX account (default: the owner of the FlexPBX home)")
	keep := fs.Bool("keep-secrets", false, "do not sanitize: passwords, keys and addresses stay in (sensitive_data_included: true)")
	data := fs.BoolP("include-data", "d", false, "flexpbx profile: include the account's users/ and admins/, unsanitized (SENSITIVE; implies --keep-secrets)")
	prefix := fs.String("prefix", defPrefix, "file name prefix (when empty: this host's name)")
	verbose := fs.BoolP("verbose", "v", false, "list every file")
	c.RunE = func(_ *cobra.Command, paths []string) error {
		return backup(paths, e, backupOpts{typ: *typ, gz: *gz, out: *out, root: *root, profile: *profile, account: *account, keep: *keep, data: *data, prefix: *prefix, verbose: *verbose})
	}
	return c
}

// backupOpts are backup's flags.
type backupOpts struct {
	typ, out, root, profile, account, prefix string
	gz, keep, data, verbose                  bool
}

func backup(paths []string, e Env, o backupOpts) error {
	typ, gz, out, root, profile, account, keep, data, prefix, verbose := &o.typ, &o.gz, &o.out, &o.root, &o.profile, &o.account, &o.keep, &o.data, &o.prefix, &o.verbose
	var err error
	t := flx.TypeSystem
	switch *typ {
	case "flx":
	case "flxx":
		t = flx.TypeExtended
	default:
		return &cmdtree.UsageError{Msg: "-t/--type is flx or flxx"}
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
		return &cmdtree.UsageError{Msg: fmt.Sprintf("unknown profile %q: etc or flexpbx, or give paths", *profile)}
	default:
		if *account != "" || *data {
			return &cmdtree.UsageError{Msg: "-u and -d go with --profile flexpbx"}
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

func restoreCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a snapshot (or put a rollback file back) under a root, after a dry run and a question",
		Example: `  flx restore --dry-run -u pbx backup.flx
  flx restore -m merge -u pbx -y backup.flx
  flx restore --rollback -y /var/backups/borgdesk-flx/rollback-20260101-120000.flx
  flexpbx-restore --mode fresh --user pbx --yes flexpbx-20260101.flx`,
		Args: cmdtree.Positional(1, 1),
	}
	fs := c.Flags()
	mode := fs.StringP("mode", "m", flx.ModeMerge, "fresh, merge or migrate")
	usr := fs.StringP("user", "u", "", "the account whose home gets the snapshot's home-relative files (public_html/…); migrate: the target user")
	yes := fs.BoolP("yes", "y", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show what would change, write nothing")
	root := fs.String("root", "/", "restore under this root")
	rollback := fs.Bool("rollback", false, "FILE is a rollback snapshot: put it back")
	verbose := fs.BoolP("verbose", "v", false, "list every change")
	keepSetuid := fs.Bool("keep-setuid", false, "keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	limits := limitFlags(fs)
	c.RunE = func(_ *cobra.Command, pos []string) error {
		return restore(pos[0], e, *mode, *usr, *root, *yes, *dry, *rollback, *verbose, *keepSetuid, *limits)
	}
	return c
}

func restore(file string, e Env, mode, usr, root string, yes, dry, rollback, verbose, keepSetuid bool, limits flx.Limits) error {
	var err error
	if rollback {
		if !yes && !confirm(e, fmt.Sprintf("Put back the files saved in %s under %s?", file, root)) {
			return ErrDeclined
		}
		m, err := flx.Rollback(file, root)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "rolled back: %d files put back, %d created files removed\n", m.FileCount, len(m.RollbackCreated))
		return nil
	}
	opts := flx.RestoreOptions{Root: root, Mode: mode, User: usr, KeepSetuid: keepSetuid, Limits: limits}
	_, err = restoreFile(file, opts, e, yes, dry, verbose)
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
		return nil, ErrDeclined
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

func inspectCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Show a snapshot's header and its files, a page at a time, and check it",
		Example: `  flx inspect backup.flx
  flx inspect --json --offset 100 --limit 50 backup.flxx`,
		Args: cmdtree.Positional(1, 1),
	}
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "print JSON")
	offset := fs.Int("offset", 0, "list the files from this one on (0 is the first)")
	limit := fs.Int("limit", flx.DefaultInspectPage, "list at most this many files")
	limits := limitFlags(fs)
	c.RunE = func(_ *cobra.Command, pos []string) error { return inspect(pos, e, *asJSON, *offset, *limit, limits) }
	return c
}

func inspect(pos []string, e Env, asJSON bool, offset, limit int, limits *flx.Limits) error {
	in, err := flx.InspectPage(pos[0], flx.InspectOptions{Offset: offset, Limit: limit, Limits: *limits})
	if in == nil {
		return err
	}
	if asJSON {
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

func verifyCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:     "verify FILE",
		Short:   "Check every file of a snapshot against its hash (exit 1 when one differs)",
		Example: "  flx verify backup.flx\n  flx verify --max-size 64G big.flx.gz",
		Args:    cmdtree.Positional(1, 1),
	}
	limits := limitFlags(c.Flags())
	c.RunE = func(_ *cobra.Command, pos []string) error { return verify(pos, e, limits) }
	return c
}

func verify(pos []string, e Env, limits *flx.Limits) error {
	in, err := flx.InspectPage(pos[0], flx.InspectOptions{Limit: 1, Limits: *limits})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(e.Stdout, "%s: %d files, %s\n", pos[0], in.FilesTotal, verified(in))
	return nil
}

func diffCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:     "diff FILE (DIR|FILE)",
		Short:   "Compare a snapshot with a directory or with another snapshot",
		Example: "  flx diff old.flx new.flx\n  flx diff -u pbx backup.flx /",
		Args:    cmdtree.Positional(2, 2),
	}
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "print JSON")
	usr := fs.StringP("user", "u", "", "against a directory: the account whose home holds the snapshot's home-relative files")
	c.RunE = func(_ *cobra.Command, pos []string) error { return diff(pos, e, *asJSON, *usr) }
	return c
}

func diff(pos []string, e Env, asJSON bool, usr string) error {
	d, err := flx.DiffAs(pos[0], pos[1], usr)
	if err != nil {
		return err
	}
	if asJSON {
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
func limitFlags(fs *pflag.FlagSet) *flx.Limits {
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
