package app

import "errors"

// FileFilter is one entry of a file dialog's type list: "*.flx;*.flxx".
type FileFilter struct {
	Name    string
	Pattern string
}

// flxFilter offers the snapshot files Borgdesk opens.
var flxFilter = FileFilter{Name: "FlexPBX snapshots (*.flx, *.flxx)", Pattern: "*.flx;*.flxx"}

// ChooseFlxFile opens the system's file chooser, titled title (in the
// window's language), on .flx and .flxx files, and returns the file picked
// ("" when cancelled). The window then opens it with OpenFlx.
func (d *Desk) ChooseFlxFile(title string) (string, error) {
	if d.fileDialog == nil {
		return "", errors.New("choosing a file needs the desktop window; open a snapshot with `borgdesk flx inspect FILE` instead")
	}
	return d.fileDialog(d.context(), title, flxFilter)
}
