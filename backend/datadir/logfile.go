package datadir

import "path/filepath"

// LogFileName is the coordinator's log file, in $XDG_STATE_HOME/borgdesk.
const LogFileName = "borgdesk.log"

// LogFilePath is where the coordinator writes its log:
// $XDG_STATE_HOME/borgdesk/borgdesk.log, else
// ~/.local/state/borgdesk/borgdesk.log (on Windows, before ~:
// %LOCALAPPDATA%\borgdesk\borgdesk.log); "" when no variable is set.
// It lies outside the data dir: a log is about this workstation, not the
// fleet, and a recovery kit need not carry it.
func LogFilePath(getenv func(string) string) string {
	if dir := stateHome(getenv); dir != "" {
		return filepath.Join(dir, LogFileName)
	}
	return ""
}
