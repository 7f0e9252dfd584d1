package datadir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"borgdesk/backend/shared/atomicfile"
)

// The data dir cannot be a setting: settings live in the database, which is
// in the data dir. The workstation's choice lives in a small file of its own,
// desk.json in the user's config folder, read after --data and
// $BORGDESK_DATA and before the XDG default.

// DeskFile is the workstation config file's name, in $XDG_CONFIG_HOME/borgdesk.
const DeskFile = "desk.json"

// Where a data dir came from.
const (
	FromFlag    = "--data"
	FromEnv     = EnvData
	FromDesk    = DeskFile
	FromDefault = "default"
)

// ErrDeskConfig means desk.json could not be read or does not make sense.
var ErrDeskConfig = errors.New("workstation config file")

// Resolution is the data dir a start would use and where it came from.
type Resolution struct {
	Dir  string `json:"dir"`
	From string `json:"from"` // FromFlag, FromEnv, FromDesk or FromDefault
}

// DeskConfigPath is desk.json's path: $XDG_CONFIG_HOME/borgdesk/desk.json,
// else ~/.config/borgdesk/desk.json (on Windows, before ~:
// %APPDATA%\borgdesk\desk.json); "" when no variable is set.
func DeskConfigPath(getenv func(string) string) string {
	if dir := configHome(getenv); dir != "" {
		return filepath.Join(dir, DeskFile)
	}
	return ""
}

// DeskConfig is what desk.json holds.
type DeskConfig struct {
	// DataDir is the data dir for the next start ("" for the default).
	DataDir string `json:"data_dir,omitempty"`
}

// ReadDeskConfig reads desk.json. A missing file is an empty config; a file
// that is not JSON, or names a relative data dir, is an error naming the
// file (and the file is left as it is).
func ReadDeskConfig(path string) (DeskConfig, error) {
	var cfg DeskConfig
	if path == "" {
		return cfg, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("%w %s: %v", ErrDeskConfig, path, unwrapPathError(err))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return DeskConfig{}, fmt.Errorf("%w %s is not valid JSON (%v); fix or remove it (it should look like {\"data_dir\": \"/path\"}), or pass --data DIR", ErrDeskConfig, path, err)
	}
	if cfg.DataDir != "" && !filepath.IsAbs(cfg.DataDir) {
		return DeskConfig{}, fmt.Errorf("%w %s: data_dir %q is not an absolute path; fix or remove it, or pass --data DIR", ErrDeskConfig, path, cfg.DataDir)
	}
	return cfg, nil
}

// WriteDeskConfig sets data_dir in desk.json ("" removes it), keeping any
// other key the file holds. A file it cannot read as JSON is not replaced.
func WriteDeskConfig(path, dataDir string) error {
	if path == "" {
		return fmt.Errorf("%w: neither $XDG_CONFIG_HOME nor $HOME is set, so there is no place for %s", ErrDeskConfig, DeskFile)
	}
	if dataDir != "" && !filepath.IsAbs(dataDir) {
		return fmt.Errorf("%q is not an absolute path", dataDir)
	}
	doc := map[string]json.RawMessage{}
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("%w %s: %v", ErrDeskConfig, path, unwrapPathError(err))
	case len(bytes.TrimSpace(raw)) > 0:
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%w %s is not valid JSON (%v); it was left as it is: fix or remove it first", ErrDeskConfig, path, err)
		}
	}
	if dataDir == "" {
		delete(doc, "data_dir")
	} else {
		v, _ := json.Marshal(filepath.Clean(dataDir))
		doc["data_dir"] = v
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: create %s: %v", ErrDeskConfig, filepath.Dir(path), unwrapPathError(err))
	}
	if err := atomicfile.Write(path, append(out, '\n'), 0o600); err != nil {
		return fmt.Errorf("%w: write %s: %v", ErrDeskConfig, path, unwrapPathError(err))
	}
	return nil
}

// CheckCandidate says whether dir can be a data dir: an absolute path to a
// directory this user can write to, or that can be created (its nearest
// existing parent is a writable directory). Nothing is created.
func CheckCandidate(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("%q is not an absolute path (it should start with /)", dir)
	}
	dir = filepath.Clean(dir)
	probeIn := dir
	for {
		fi, err := os.Stat(probeIn)
		if err == nil {
			if !fi.IsDir() {
				if probeIn == dir {
					return fmt.Errorf("%s is a file, not a folder", dir)
				}
				return fmt.Errorf("%s cannot be created: %s is a file", dir, probeIn)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s: %v", probeIn, unwrapPathError(err))
		}
		parent := filepath.Dir(probeIn)
		if parent == probeIn {
			return fmt.Errorf("%s cannot be created", dir)
		}
		probeIn = parent
	}
	probe, err := os.CreateTemp(probeIn, ".borgdesk-write-probe-*")
	if err != nil {
		if probeIn == dir {
			return fmt.Errorf("%w: %s (%v)", ErrNotWritable, dir, unwrapPathError(err))
		}
		return fmt.Errorf("%w: %s cannot be created in %s (%v)", ErrNotWritable, dir, probeIn, unwrapPathError(err))
	}
	name := probe.Name()
	probe.Close()
	os.Remove(name)
	return nil
}

// HoldsData reports whether dir already holds a Borgdesk database.
func HoldsData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, DBFile))
	return err == nil
}

// Info is what the operator needs to see and change the data dir: the one
// in use, the one the next start with the same command line and
// environment will use, and desk.json's part in it.
type Info struct {
	InUse string `json:"in_use"`
	From  string `json:"from"`
	// Next and NextFrom are what the next start will use; NextError says
	// why it could not be worked out (desk.json is damaged, say).
	Next      string `json:"next"`
	NextFrom  string `json:"next_from"`
	NextError string `json:"next_error"`
	// NextHasData is true when Next already holds a Borgdesk database.
	NextHasData bool `json:"next_has_data"`
	// Configured is desk.json's data_dir ("" when it names none).
	Configured string `json:"configured"`
	ConfigFile string `json:"config_file"`
	Default    string `json:"default"`
}

// Describe reports on the data dir in use and the next start's, where
// flagValue is --data as given to this process.
func Describe(inUse Resolution, flagValue string, getenv func(string) string) Info {
	info := Info{InUse: inUse.Dir, From: inUse.From, ConfigFile: DeskConfigPath(getenv)}
	info.Default, _ = DefaultDir(getenv)
	if cfg, err := ReadDeskConfig(info.ConfigFile); err == nil {
		info.Configured = cfg.DataDir
	}
	next, err := ResolveFrom(flagValue, getenv)
	if err != nil {
		info.NextError = err.Error()
		return info
	}
	info.Next, info.NextFrom = next.Dir, next.From
	info.NextHasData = HoldsData(next.Dir)
	return info
}

// Choose makes dir the data dir of the next start, in desk.json ("" puts
// the default back). dir must be absolute and writable or creatable;
// nothing is created or moved.
func Choose(dir string, getenv func(string) string) error {
	dir = strings.TrimSpace(dir)
	if dir != "" {
		if err := CheckCandidate(dir); err != nil {
			return err
		}
	}
	return WriteDeskConfig(DeskConfigPath(getenv), dir)
}
