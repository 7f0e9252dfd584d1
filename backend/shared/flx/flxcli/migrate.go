package flxcli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"borgdesk/backend/shared/cmdtree"
	"borgdesk/backend/shared/flx"
)

// migrate moves a FlexPBX install to another account, as FlexPBX's
// migrate does: back up the source account, restore that snapshot into
// the target's home (migrate mode: the files become the target's), hand
// the sudoers drop-in to the target (checked with visudo), then test the
// permissions. The backup is removed at the end unless -k; the restore's
// rollback point stays either way.
func migrateCmd(e Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "migrate TARGET-USER",
		Short: "Move a FlexPBX install to another account: back up, restore into its home, hand sudoers over",
		Example: `  flx migrate -s pbx -y newpbx
  flx migrate --from flexpbx-20260101.flx -y newpbx
  flexpbx-migrate --source pbx --backup-dir /root/backup --keep-backup --yes newpbx`,
		Args: cmdtree.Positional(1, 1),
	}
	fl := c.Flags()
	source := fl.StringP("source", "s", "", "the source account (default: the owner of the FlexPBX home)")
	dir := fl.StringP("backup-dir", "b", e.DefaultDir, "where the source account's backup is written (and, without a source, latest.flx* is looked for)")
	keepBackup := fl.BoolP("keep-backup", "k", false, "keep the source account's backup after the migration")
	from := fl.String("from", "", "migrate from this snapshot instead of backing up a source account")
	yes := fl.BoolP("yes", "y", false, "do not ask for confirmation")
	verbose := fl.BoolP("verbose", "v", false, "list every change")
	root := fl.String("root", "/", "work under this root")
	keepSetuid := fl.Bool("keep-setuid", false, "keep setuid/setgid bits on files that belong to root")
	limits := limitFlags(fl)
	c.RunE = func(_ *cobra.Command, pos []string) error {
		return migrate(pos, e, migrateOpts{*source, *dir, *from, *root, *keepBackup, *yes, *verbose, *keepSetuid, limits})
	}
	return c
}

// migrateOpts are migrate's flags.
type migrateOpts struct {
	source, dir, from, root              string
	keepBackup, yes, verbose, keepSetuid bool
	limits                               *flx.Limits
}

func migrate(pos []string, e Env, o migrateOpts) error {
	source, dir, keepBackup, from, yes, verbose, root, keepSetuid, limits := &o.source, &o.dir, &o.keepBackup, &o.from, &o.yes, &o.verbose, &o.root, &o.keepSetuid, o.limits
	target, err := flx.LookupAccount(pos[0])
	if err != nil {
		return err
	}
	file, src, made, err := migrationSource(*root, *source, *from, *dir, target.Name, e)
	if err != nil {
		return err
	}
	opts := flx.RestoreOptions{Root: *root, Mode: flx.ModeMigrate, User: target.Name, KeepSetuid: *keepSetuid, Limits: *limits}
	res, err := restoreFile(file, opts, e, *yes, false, *verbose)
	if err != nil {
		return err
	}
	var problems []string
	if src != nil {
		switch n, err := flx.UpdateSudoers(*root, src.Name, target.Name); {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(e.Stderr, "note: no /%s here: no sudo rules to hand over\n", flx.SudoersDropIn)
		case err != nil:
			problems = append(problems, err.Error())
		case n > 0:
			fmt.Fprintf(e.Stdout, "sudoers: /%s now names %s (%d places; visudo -c passes; the old rules are in %s.bak)\n", flx.SudoersDropIn, target.Name, n, flx.SudoersDropIn)
		}
	}
	var written []string
	for _, c := range res.Changes {
		if c.Action == flx.ActCreate || c.Action == flx.ActOverwrite || c.Action == flx.ActUnchanged {
			written = append(written, c.Path)
		}
	}
	problems = append(problems, flx.CheckAccount(*root, target, written)...)
	if made != "" && !*keepBackup {
		os.Remove(made)
	} else if made != "" {
		fmt.Fprintf(e.Stdout, "the source account's backup is kept: %s\n", made)
	}
	if len(problems) > 0 {
		return fmt.Errorf("migrated to %s, but the permission test found %d problem(s):\n  %s", target.Name, len(problems), strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(e.Stdout, "permissions: %s owns its %d FlexPBX files; the sudoers drop-in is root's, 0440 and valid\n", target.Name, len(written))
	return nil
}

// migrationSource finds what to migrate: the snapshot --from names, else
// a fresh backup of the source account (--source, else the owner of the
// FlexPBX home), else the latest snapshot in the backup directory. made
// is the backup it wrote ("" otherwise).
func migrationSource(root, source, from, dir, target string, e Env) (file string, src *flx.Account, made string, err error) {
	if from != "" {
		if source != "" {
			src, err = flx.LookupAccount(source)
		}
		return from, src, "", err
	}
	src, err = flx.FindFlexPBXAccount(root, source)
	if err != nil {
		return "", nil, "", err
	}
	if src == nil {
		for _, l := range flx.LatestNames {
			if _, err := os.Stat(filepath.Join(dir, l)); err == nil {
				return filepath.Join(dir, l), nil, "", nil
			}
		}
		return "", nil, "", fmt.Errorf("no FlexPBX home here to migrate from and no latest.flx* in %s: name the source account with --source USER or the snapshot with --from FILE", dir)
	}
	if src.Name == target {
		return "", nil, "", fmt.Errorf("the source and target accounts are both %s: name another target", target)
	}
	opts := flx.Options{Type: flx.TypeSystem, KeepSecrets: true, Producer: e.Producer, SourceRoot: root}
	files, err := flexpbxFiles(root, src.Name, true, &opts, e)
	if err != nil {
		return "", nil, "", fmt.Errorf("backing up %s first: %w; nothing was changed", src.Name, err)
	}
	latest := filepath.Join(dir, flx.LatestName(flx.TypeSystem, false))
	prev, prevErr := os.Readlink(latest)
	made, _, err = flx.Create(dir, "flexpbx-migration", false, files, opts)
	if err != nil {
		return "", nil, "", fmt.Errorf("backing up %s first: %w; nothing was changed", src.Name, err)
	}
	// The migration's own backup is not the operator's latest snapshot.
	os.Remove(latest)
	if prevErr == nil {
		os.Symlink(prev, latest)
	}
	fmt.Fprintf(e.Stdout, "backed up %s (%d files): %s\n", src.Name, len(files), made)
	return made, src, made, nil
}
