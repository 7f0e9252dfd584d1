package app

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"borgdesk/backend/archives"
)

// archiveUsage is the archive command's usage, as `borgdesk help` lists it.
const archiveUsage = "usage: borgdesk archive list SERVER [--json] | ls SERVER ARCHIVE [PATH] [--json]\n" +
	"       | delete SERVER ARCHIVE --confirm ARCHIVE | keep|unkeep SERVER ARCHIVE | rename SERVER ARCHIVE NEWNAME [--comment TEXT]"

// cmdArchiveDelete deletes one archive (borg delete, then compact, on the
// coordinator's own copy of the repository) once its name is repeated.
func cmdArchiveDelete(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("archive delete", g, e, "print JSON")
	confirm := cl.String("confirm", "", "repeat the archive's name: the delete cannot be undone")
	if err := cl.parse(args, 2, 2, "SERVER ARCHIVE --confirm ARCHIVE"); err != nil {
		return err
	}
	server, archive := cl.pos[0], cl.pos[1]
	if *confirm != archive {
		return usageError{fmt.Sprintf("archive delete: deleting %s cannot be undone; repeat its name to confirm: borgdesk archive delete %s %s --confirm %s", archive, server, archive, archive)}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	d, err := c.DeleteArchive(ctx, server, archive, *confirm)
	return cl.print(d, err, func() error {
		fmt.Fprintf(e.stdout, "archive %s of %s deleted", d.Archive, d.Server)
		if d.FreedBytes >= 0 {
			fmt.Fprintf(e.stdout, "; the compact freed %s", humanBytes(d.FreedBytes))
		}
		fmt.Fprintln(e.stdout)
		return nil
	})
}

// cmdArchiveKeep keeps an archive forever (keep) or lets its job's
// retention apply to it again (unkeep).
func cmdArchiveKeep(ctx context.Context, g *globals, args []string, e env, keep bool) error {
	name := map[bool]string{true: "archive keep", false: "archive unkeep"}[keep]
	cl := newCmdline(name, g, e, "")
	c, err := cl.open(args, 2, 2, "SERVER ARCHIVE")
	if err != nil {
		return err
	}
	server, archive := cl.pos[0], cl.pos[1]
	if err := c.KeepArchive(ctx, server, archive, keep); err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(e.stdout, "archive %s of %s is kept forever: no prune removes it\n", archive, server)
	} else {
		fmt.Fprintf(e.stdout, "archive %s of %s follows its job's retention again\n", archive, server)
	}
	return nil
}

// cmdArchiveRename renames an archive and, with --comment, sets its
// comment (NEWNAME the same as ARCHIVE changes the comment only).
func cmdArchiveRename(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("archive rename", g, e, "print JSON")
	comment := cl.String("comment", "", "the archive's comment (kept by Borgdesk; \"\" removes it)")
	if err := cl.parse(args, 3, 3, "SERVER ARCHIVE NEWNAME [--comment TEXT]"); err != nil {
		return err
	}
	server, archive, newName := cl.pos[0], cl.pos[1], cl.pos[2]
	var text *string
	cl.Visit(func(f *pflag.Flag) {
		if f.Name == "comment" {
			text = comment
		}
	})
	if newName != archive {
		if err := archives.CheckArchiveName(newName); err != nil {
			return usageError{"archive rename: " + err.Error()}
		}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	r, err := c.RenameArchive(ctx, server, archive, newName, text)
	return cl.print(r, err, func() error {
		if newName != archive {
			fmt.Fprintf(e.stdout, "archive %s of %s renamed %s\n", archive, r.Server, r.Archive)
		}
		if text != nil {
			fmt.Fprintf(e.stdout, "comment of %s: %q\n", r.Archive, r.Comment)
		}
		if r.Note != "" {
			fmt.Fprintln(e.stdout, "note:", r.Note)
		}
		return nil
	})
}
