package borg

import (
	"context"
	"errors"
	"fmt"
)

// ErrArchiveExists means the repository already has an archive of the
// name asked for.
var ErrArchiveExists = errors.New("an archive of that name already exists")

// Delete removes archives from the repository (borg delete REPO A B …).
// Their space is freed only by the next Compact. Borg merely warns about a
// name it does not have, so callers check the names first; and with no
// name at all, borg delete would delete the repository itself, which this
// refuses.
func (b *Borg) Delete(ctx context.Context, r Repo, archives ...string) error {
	if len(archives) == 0 {
		return fmt.Errorf("borg delete: no archive named; deleting a whole repository is never done here")
	}
	for _, a := range archives {
		if a == "" {
			return fmt.Errorf("borg delete: an empty archive name")
		}
	}
	_, err := b.run(ctx, r, "delete", nil, append([]string{"delete", "--", r.Location}, archives...)...)
	return err
}

// Rename gives an archive a new name (borg rename). Borg writes the
// archive's small metadata block again under the new name (so its ID
// changes); the files' chunks are not touched.
func (b *Borg) Rename(ctx context.Context, r Repo, archive, newName string) error {
	_, err := b.run(ctx, r, "rename", nil, "rename", "--", r.Location+"::"+archive, newName)
	return err
}
