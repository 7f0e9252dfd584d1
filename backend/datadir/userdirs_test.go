package datadir

import (
	"path/filepath"
	"testing"
)

// On Windows %LOCALAPPDATA% and %APPDATA% come before HOME (which Git
// Bash sets to something else); an XDG variable still wins everywhere;
// Linux and macOS never read the Windows variables.
func TestUserDir(t *testing.T) {
	all := map[string]string{"XDG_DATA_HOME": "/xdg", "LOCALAPPDATA": `C:\Users\a\AppData\Local`, "HOME": "/h"}
	noXDG := map[string]string{"LOCALAPPDATA": `C:\Users\a\AppData\Local`, "HOME": "/h"}
	winOnly := map[string]string{"LOCALAPPDATA": `C:\Users\a\AppData\Local`}
	share := filepath.Join(".local", "share")
	for _, tc := range []struct {
		name, goos string
		env        map[string]string
		want       string
	}{
		{"xdg wins on linux", "linux", all, filepath.Join("/xdg", "borgdesk")},
		{"xdg wins on windows", "windows", all, filepath.Join("/xdg", "borgdesk")},
		{"windows: LOCALAPPDATA before HOME", "windows", noXDG, filepath.Join(`C:\Users\a\AppData\Local`, "borgdesk")},
		{"linux: HOME, never LOCALAPPDATA", "linux", noXDG, filepath.Join("/h", share, "borgdesk")},
		{"darwin: HOME, never LOCALAPPDATA", "darwin", noXDG, filepath.Join("/h", share, "borgdesk")},
		{"linux without HOME: none", "linux", winOnly, ""},
		{"windows without HOME", "windows", winOnly, filepath.Join(`C:\Users\a\AppData\Local`, "borgdesk")},
		{"nothing set", "windows", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := userDir(tc.goos, envOf(tc.env), "XDG_DATA_HOME", "LOCALAPPDATA", share)
			if got != tc.want {
				t.Errorf("userDir(%s) = %q; want %q", tc.goos, got, tc.want)
			}
		})
	}
}
