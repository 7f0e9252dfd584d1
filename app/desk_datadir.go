package app

import (
	"context"
	"errors"

	"borgdesk/backend/datadir"
)

// dataDirs is what the window needs to show the data dir in use and choose
// the next start's: how this process found its own, and its --data and
// environment, which a next start with the same command line shares.
type dataDirs struct {
	inUse  datadir.Resolution
	flag   string
	getenv func(string) string
	// folderDialog asks for a folder (the native dialog in the desktop
	// build); "" means the operator cancelled.
	folderDialog func(ctx context.Context, title, start string) (string, error)
}

var errNoDataDirs = errors.New("the data dir can only be chosen in the desktop window or with `borgdesk datadir set DIR`")

// GetDataDir reports the data dir in use, where it came from, and the one
// the next start will use (desk.json's data_dir unless --data or
// $BORGDESK_DATA says otherwise).
func (d *Desk) GetDataDir() (datadir.Info, error) {
	if d.dirs == nil {
		return datadir.Info{}, errNoDataDirs
	}
	return datadir.Describe(d.dirs.inUse, d.dirs.flag, d.dirs.getenv), nil
}

// SetNextDataDir writes dir into desk.json for the next start ("" puts the
// default back). It must be absolute and writable or creatable. Nothing is
// moved: the data in the current dir stays there.
func (d *Desk) SetNextDataDir(dir string) (datadir.Info, error) {
	if d.dirs == nil {
		return datadir.Info{}, errNoDataDirs
	}
	if err := datadir.Choose(dir, d.dirs.getenv); err != nil {
		return datadir.Info{}, err
	}
	return d.GetDataDir()
}

// ChooseFolder opens the system's folder chooser, titled title (in the
// window's language), at start and returns the folder picked ("" when
// cancelled).
func (d *Desk) ChooseFolder(title, start string) (string, error) {
	if d.dirs == nil || d.dirs.folderDialog == nil {
		return "", errors.New("choosing a folder needs the desktop window")
	}
	return d.dirs.folderDialog(d.context(), title, start)
}
