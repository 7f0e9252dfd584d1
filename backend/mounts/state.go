package mounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"borgdesk/backend/shared/atomicfile"
)

// state is the state file's content.
type state struct {
	Mounts []record `json:"mounts"`
}

// loadState reads the records a previous process left; no file is no records.
func loadState(name string) ([]record, error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v): check /proc/self/mountinfo for mounts a previous run left and unmount them with fusermount3 -u", name, err)
	}
	return s.Mounts, nil
}

// saveState replaces the state file, so that a crash leaves the old
// content or the new, never a torn file.
func saveState(name string, recs []record) error {
	if recs == nil {
		recs = []record{}
	}
	b, err := json.MarshalIndent(state{Mounts: recs}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(name, append(b, '\n'), 0o600)
}
