package datadir

import (
	"path/filepath"
	"runtime"
)

// userDir is where one kind of per-user file lives, with "borgdesk"
// joined: $<xdg>, else on Windows %<win>% (LOCALAPPDATA or APPDATA, which
// Windows always sets while HOME is usually unset), else ~/<homeRel>;
// "" when none is set. Linux and macOS never look at the Windows variables.
func userDir(goos string, getenv func(string) string, xdg, win, homeRel string) string {
	if v := getenv(xdg); v != "" {
		return filepath.Join(v, "borgdesk")
	}
	if goos == "windows" {
		if v := getenv(win); v != "" {
			return filepath.Join(v, "borgdesk")
		}
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, homeRel, "borgdesk")
	}
	return ""
}

// The three kinds, on this OS.
func dataHome(getenv func(string) string) string {
	return userDir(runtime.GOOS, getenv, "XDG_DATA_HOME", "LOCALAPPDATA", filepath.Join(".local", "share"))
}

func stateHome(getenv func(string) string) string {
	return userDir(runtime.GOOS, getenv, "XDG_STATE_HOME", "LOCALAPPDATA", filepath.Join(".local", "state"))
}

func configHome(getenv func(string) string) string {
	return userDir(runtime.GOOS, getenv, "XDG_CONFIG_HOME", "APPDATA", ".config")
}
