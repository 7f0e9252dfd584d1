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

// Profiles are named path sets for backup (relative to the root).
var Profiles = map[string][]string{
	"etc": {"etc"},
	// The FlexPBX tools' file list.
	"flexpbx": {"etc/asterisk", "etc/flexpbx", "var/lib/flexpbx/config", "var/www/html/flexpbx/config", "var/www/html/flexpbx/api/config"},
}

// Env is the command's world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Producer       string // e.g. "borgdesk-agent v1.2.0"
	DefaultDir     string // where backup writes without -o
}

const usage = `usage: flx COMMAND …
  backup|create [-t flx|flxx] [-c] [-o DIR] [--root R] [--profile etc|flexpbx] [--keep-secrets] [-v] [PATH…]
  restore [-m fresh|merge|migrate] [-u USER] [-y] [--dry-run] [--root R] [--keep-setuid] [-v] FILE
  restore --rollback [--root R] [-y] ROLLBACK-FILE
  migrate [-s FILE] [-b DIR] [-k] [-y] [-v] [--root R] [--keep-setuid] TARGET-USER
  inspect FILE [--json] [--offset N] [--limit N]     verify FILE     diff FILE (DIR|FILE)
  restore, migrate, inspect and verify take the caps --max-size SIZE (e.g. 64G),
  --max-files N and --max-path BYTES`

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
		err = restore(args[1:], e, false)
	case "migrate":
		err = restore(args[1:], e, true)
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
	switch {
	case err == nil:
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

func (u usageErr) Error() string { return u.msg }

var errDeclined = errors.New("declined")

// parse allows flags after positional arguments, as the seed's tools did.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
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

func backup(args []string, e Env) error {
	fs := flag.NewFlagSet("flx backup", flag.ContinueOnError)
	typ := fs.String("t", "flx", "flx, or flxx (with account templates and schemas)")
	gz := fs.Bool("c", false, "gzip the snapshot (.flx.gz)")
	out := fs.String("o", e.DefaultDir, "output directory")
	root := fs.String("root", "/", "paths are stored relative to this root")
	profile := fs.String("profile", "", "named path set: etc or flexpbx (default: the PATHs given, else etc)")
	keep := fs.Bool("keep-secrets", false, "do not sanitize: passwords, keys and addresses stay in (sensitive_data_included: true)")
	prefix := fs.String("prefix", "", "file name prefix (default: this host's name)")
	verbose := fs.Bool("v", false, "list every file")
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
	optional := false
	if *profile != "" {
		p, ok := Profiles[*profile]
		if !ok {
			return usageErr{fmt.Sprintf("unknown profile %q: etc or flexpbx, or give paths", *profile)}
		}
		paths, optional = append(paths, p...), true
	} else if len(paths) == 0 {
		paths = Profiles["etc"]
	}
	if optional { // a profile's paths that this host lacks are skipped
		var present []string
		for _, p := range paths {
			if _, err := os.Stat(filepath.Join(*root, p)); err == nil || filepath.IsAbs(p) {
				present = append(present, p)
			} else {
				fmt.Fprintf(e.Stderr, "flx: %s is not on this host; skipped\n", p)
			}
		}
		paths = present
	}
	files, skipped, err := flx.Collect(*root, paths)
	if err != nil {
		return err
	}
	if *prefix == "" {
		*prefix, _ = os.Hostname()
		if *prefix == "" {
			*prefix = "flx"
		}
	}
	absRoot, _ := filepath.Abs(*root)
	name, m, err := flx.Create(*out, *prefix, *gz, files, flx.Options{Type: t, KeepSecrets: *keep, Producer: e.Producer, SourceRoot: absRoot, Skipped: skipped})
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

func restore(args []string, e Env, migrate bool) error {
	name := "flx restore"
	if migrate {
		name = "flx migrate"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	mode := fs.String("m", flx.ModeMerge, "fresh, merge or migrate")
	usr := fs.String("u", "", "migrate: the target user")
	yes := fs.Bool("y", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show what would change, write nothing")
	root := fs.String("root", "/", "restore under this root")
	rollback := fs.Bool("rollback", false, "FILE is a rollback snapshot: put it back")
	verbose := fs.Bool("v", false, "list every change")
	src := fs.String("s", "", "migrate: the snapshot (default: latest in -b)")
	dir := fs.String("b", e.DefaultDir, "migrate: the backup directory holding latest.flx/latest.flxx")
	keepExisting := fs.Bool("k", false, "migrate: keep the target's existing files (merge instead of overwrite)")
	keepSetuid := fs.Bool("keep-setuid", false, "keep setuid/setgid bits on files that belong to root (dropped otherwise)")
	limits := limitFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var file string
	if migrate {
		if len(pos) != 1 {
			return usageErr{"flx migrate TARGET-USER"}
		}
		*mode, *usr = flx.ModeMigrate, pos[0]
		file = *src
		if file == "" {
			for _, l := range []string{"latest.flxx", "latest.flx"} {
				if _, err := os.Stat(filepath.Join(*dir, l)); err == nil {
					file = filepath.Join(*dir, l)
					break
				}
			}
			if file == "" {
				return fmt.Errorf("no latest.flx or latest.flxx in %s: give the snapshot with -s", *dir)
			}
		}
	} else {
		if len(pos) != 1 {
			return usageErr{"flx restore [-m MODE] [-u USER] [-y] [--dry-run] [--root R] FILE"}
		}
		file = pos[0]
	}
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
	opts := flx.RestoreOptions{Root: *root, Mode: *mode, User: *usr, DryRun: true, KeepExisting: *keepExisting, KeepSetuid: *keepSetuid, Limits: *limits}
	plan, err := flx.Restore(file, opts)
	if err != nil {
		return err
	}
	c := plan.Counts()
	summary := fmt.Sprintf("%s into %s (%s): %d to create, %d to overwrite, %d unchanged, %d user files kept, %d to remove",
		file, *root, *mode, c[flx.ActCreate], c[flx.ActOverwrite], c[flx.ActUnchanged], c[flx.ActKeep], c[flx.ActRemove])
	if *dry || *verbose {
		for _, ch := range plan.Changes {
			if ch.Action != flx.ActUnchanged || *verbose {
				fmt.Fprintf(e.Stdout, "  %-18s %s\n", ch.Action, ch.Path)
			}
		}
	}
	if len(plan.Placeholders) > 0 {
		fmt.Fprintf(e.Stderr, "warning: this snapshot was sanitized: %d files it writes hold placeholders (REDACTED, HASHED_PLACEHOLDER) where secrets were; set the real values after restoring:\n", len(plan.Placeholders))
		for _, p := range plan.Placeholders {
			fmt.Fprintf(e.Stderr, "  %s\n", p)
		}
	}
	if *dry {
		fmt.Fprintln(e.Stdout, "dry run: "+summary)
		return nil
	}
	if !*yes && !confirm(e, "Restore "+summary+"?") {
		return errDeclined
	}
	opts.DryRun = false
	res, err := flx.Restore(file, opts)
	if err != nil {
		return err
	}
	c = res.Counts()
	fmt.Fprintf(e.Stdout, "restored: %d created, %d overwritten, %d unchanged, %d user files kept, %d removed\nrollback point: %s (undo with: flx restore --rollback --root %s %s)\n",
		c[flx.ActCreate], c[flx.ActOverwrite], c[flx.ActUnchanged], c[flx.ActKeep], c[flx.ActRemove], res.Rollback, *root, res.Rollback)
	return nil
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
		printReport(e.Stdout, m, m.SensitiveDataIncluded)
	}
	for _, f := range in.Files {
		fmt.Fprintf(e.Stdout, "  %s %10d  %s\n", f.Mode, f.Size, f.Path)
	}
	if in.FilesMore > 0 {
		fmt.Fprintf(e.Stdout, "  … %d more (--offset %d lists them)\n", in.FilesMore, in.FilesOffset+len(in.Files))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintln(e.Stdout, "every hash matches")
	return nil
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
	fmt.Fprintf(e.Stdout, "%s: %d files, every hash matches\n", pos[0], in.FilesTotal)
	return nil
}

func diff(args []string, e Env) error {
	fs := flag.NewFlagSet("flx diff", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErr{"flx diff FILE (DIR|FILE)"}
	}
	d, err := flx.Diff(pos[0], pos[1])
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
