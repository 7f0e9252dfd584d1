package datadir

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deskEnv is an environment whose config folder is a fresh temporary one,
// with desk.json holding content ("" for no file).
func deskEnv(t *testing.T, content string, vars map[string]string) (func(string) string, string) {
	t.Helper()
	cfgHome := t.TempDir()
	path := filepath.Join(cfgHome, "borgdesk", DeskFile)
	if content != "" {
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"XDG_CONFIG_HOME": cfgHome, "HOME": "/home/u"}
	for k, v := range vars {
		env[k] = v
	}
	return envOf(env), path
}

func TestResolvePrecedenceWithDeskFile(t *testing.T) {
	desk := `{"data_dir": "/x/desk"}`
	tests := []struct {
		name     string
		flag     string
		desk     string
		vars     map[string]string
		want     string
		wantFrom string
	}{
		{"flag over everything", "/x/flag", desk, map[string]string{EnvData: "/x/env", "XDG_DATA_HOME": "/x/xdg"}, "/x/flag", FromFlag},
		{"env over desk.json", "", desk, map[string]string{EnvData: "/x/env", "XDG_DATA_HOME": "/x/xdg"}, "/x/env", FromEnv},
		{"desk.json over the XDG default", "", desk, map[string]string{"XDG_DATA_HOME": "/x/xdg"}, "/x/desk", FromDesk},
		{"desk.json without data_dir", "", `{"other": 1}`, map[string]string{"XDG_DATA_HOME": "/x/xdg"}, "/x/xdg/borgdesk", FromDefault},
		{"empty desk.json", "", "  \n", nil, "/home/u/.local/share/borgdesk", FromDefault},
		{"no desk.json", "", "", nil, "/home/u/.local/share/borgdesk", FromDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, _ := deskEnv(t, tt.desk, tt.vars)
			got, err := ResolveFrom(tt.flag, getenv)
			if err != nil {
				t.Fatal(err)
			}
			if got.Dir != tt.want || got.From != tt.wantFrom {
				t.Errorf("ResolveFrom = %+v; want %s from %s", got, tt.want, tt.wantFrom)
			}
		})
	}
}

func TestDeskConfigPath(t *testing.T) {
	if got := DeskConfigPath(envOf(map[string]string{"XDG_CONFIG_HOME": "/c", "HOME": "/h"})); got != "/c/borgdesk/desk.json" {
		t.Errorf("with XDG_CONFIG_HOME: %q", got)
	}
	if got := DeskConfigPath(envOf(map[string]string{"HOME": "/h"})); got != "/h/.config/borgdesk/desk.json" {
		t.Errorf("with HOME: %q", got)
	}
	if got := DeskConfigPath(envOf(nil)); got != "" {
		t.Errorf("with nothing: %q", got)
	}
}

func TestMalformedDeskFileIsAnErrorNamingItAndKept(t *testing.T) {
	for name, content := range map[string]string{
		"not json":      `{"data_dir": "/x/desk"`,
		"wrong type":    `{"data_dir": 42}`,
		"relative path": `{"data_dir": "data/borgdesk"}`,
		"an array":      `["/x"]`,
	} {
		t.Run(name, func(t *testing.T) {
			getenv, path := deskEnv(t, content, nil)
			_, err := ResolveFrom("", getenv)
			if !errors.Is(err, ErrDeskConfig) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "--data") {
				t.Fatalf("err = %v; want ErrDeskConfig naming %s and --data", err, path)
			}
			// The flag and the variable do not need the file.
			if r, err := ResolveFrom("/x/flag", getenv); err != nil || r.Dir != "/x/flag" {
				t.Errorf("with --data: %+v, %v", r, err)
			}
			if err := WriteDeskConfig(path, "/x/new"); name != "relative path" && name != "wrong type" && err == nil {
				t.Errorf("WriteDeskConfig over a file that is not a JSON object succeeded")
			}
			if name == "not json" || name == "an array" {
				if got, _ := os.ReadFile(path); string(got) != content {
					t.Errorf("desk.json = %q after the failed write; want it untouched %q", got, content)
				}
			}
		})
	}
}

func TestWriteDeskConfigKeepsOtherKeys(t *testing.T) {
	getenv, path := deskEnv(t, `{"data_dir": "/old", "future": {"a": 1}}`, nil)
	if err := WriteDeskConfig(path, "/srv/borgdesk/"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["data_dir"] != "/srv/borgdesk" || doc["future"] == nil {
		t.Errorf("desk.json = %s; want data_dir /srv/borgdesk and future kept", raw)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v; want 0600", fi.Mode().Perm())
	}
	if r, err := ResolveFrom("", getenv); err != nil || r.Dir != "/srv/borgdesk" || r.From != FromDesk {
		t.Errorf("ResolveFrom after the write = %+v, %v", r, err)
	}
	if err := WriteDeskConfig(path, ""); err != nil {
		t.Fatal(err)
	}
	if r, _ := ResolveFrom("", getenv); r.From != FromDefault {
		t.Errorf("after removing data_dir: %+v; want the default", r)
	}
	if err := WriteDeskConfig(path, "relative"); err == nil {
		t.Error("a relative data dir was written")
	}
}

func TestWriteDeskConfigCreatesItsFolder(t *testing.T) {
	getenv, path := deskEnv(t, "", nil)
	if err := WriteDeskConfig(path, "/srv/b"); err != nil {
		t.Fatal(err)
	}
	if r, _ := ResolveFrom("", getenv); r.Dir != "/srv/b" {
		t.Errorf("ResolveFrom = %+v", r)
	}
	if err := WriteDeskConfig("", "/srv/b"); !errors.Is(err, ErrDeskConfig) {
		t.Errorf("no config path: err = %v", err)
	}
}

func TestCheckCandidate(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	tests := []struct {
		name, dir, want string
	}{
		{"existing folder", base, ""},
		{"to be created", filepath.Join(base, "a", "b"), ""},
		{"relative", "data", "absolute"},
		{"a file", file, "is a file"},
		{"below a file", filepath.Join(file, "data"), "is a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCandidate(tt.dir)
			if tt.want == "" && err != nil {
				t.Fatalf("err = %v; want nil", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v; want one that says %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(base, "a")); !os.IsNotExist(err) {
		t.Errorf("CheckCandidate created a folder: %v", err)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 1 {
		t.Errorf("CheckCandidate left files: %v", entries)
	}
}

func TestDescribeAndChoose(t *testing.T) {
	next := filepath.Join(t.TempDir(), "next")
	getenv, path := deskEnv(t, "", map[string]string{"XDG_DATA_HOME": "/x/xdg"})
	inUse := Resolution{Dir: "/x/xdg/borgdesk", From: FromDefault}
	info := Describe(inUse, "", getenv)
	want := Info{InUse: "/x/xdg/borgdesk", From: FromDefault, Next: "/x/xdg/borgdesk", NextFrom: FromDefault, ConfigFile: path, Default: "/x/xdg/borgdesk"}
	if info != want {
		t.Errorf("Describe = %+v; want %+v", info, want)
	}
	if err := Choose(" "+next+" ", getenv); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(next); !os.IsNotExist(err) {
		t.Errorf("Choose created %s: %v", next, err)
	}
	info = Describe(inUse, "", getenv)
	if info.Next != next || info.NextFrom != FromDesk || info.Configured != next || info.InUse != "/x/xdg/borgdesk" || info.NextHasData {
		t.Errorf("Describe after Choose = %+v", info)
	}
	// --data given to this process still wins at the next start.
	if info := Describe(Resolution{Dir: "/x/flag", From: FromFlag}, "/x/flag", getenv); info.Next != "/x/flag" || info.NextFrom != FromFlag || info.Configured != next {
		t.Errorf("Describe with --data = %+v", info)
	}
	if err := Choose("relative/dir", getenv); err == nil {
		t.Error("Choose accepted a relative folder")
	}
	if err := Choose("", getenv); err != nil {
		t.Fatal(err)
	}
	if info := Describe(inUse, "", getenv); info.NextFrom != FromDefault || info.Configured != "" {
		t.Errorf("Describe after choosing the default again = %+v", info)
	}
	os.WriteFile(path, []byte("{oops"), 0o600)
	if info := Describe(inUse, "", getenv); info.Next != "" || !strings.Contains(info.NextError, path) {
		t.Errorf("Describe with a damaged desk.json = %+v; want NextError naming it", info)
	}
}
