package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"borgdesk/backend/datadir"
)

// workstation is an environment with its own home, config and data folders.
func workstation(t *testing.T) (map[string]string, string) {
	t.Helper()
	root := t.TempDir()
	env := map[string]string{"HOME": filepath.Join(root, "home"), "XDG_CONFIG_HOME": filepath.Join(root, "config"), "XDG_DATA_HOME": filepath.Join(root, "share")}
	return env, filepath.Join(root, "config", "borgdesk", "desk.json")
}

func TestDatadirCommandAndServe(t *testing.T) {
	ctx := context.Background()
	env, deskFile := workstation(t)
	def := filepath.Join(env["XDG_DATA_HOME"], "borgdesk")

	r := runCLI(ctx, env, "datadir", "--json")
	var info datadir.Info
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &info) != nil || info.InUse != def || info.From != datadir.FromDefault || info.ConfigFile != deskFile {
		t.Fatalf("datadir --json = %+v (%+v); want the default %s", r, info, def)
	}
	next := filepath.Join(t.TempDir(), "elsewhere", "borgdesk")
	r = runCLI(ctx, env, "datadir", "set", next)
	if r.code != 0 || !strings.Contains(r.stdout, "The next start uses "+next) || !strings.Contains(r.stdout, "Nothing is moved") || !strings.Contains(r.stdout, "starts empty") {
		t.Fatalf("datadir set = %+v", r)
	}
	if r := runCLI(ctx, env, "datadir", "set", "relative/dir"); r.code != exitError || !strings.Contains(r.stderr, "absolute") {
		t.Errorf("datadir set relative/dir = %+v", r)
	}
	// The next start, without --data, owns the folder desk.json names.
	serveFor(t, filepath.Join(next, "borgdesk.sock"), env, "--listen", "127.0.0.1:0", "--ssh-listen", "127.0.0.1:0")
	r = runCLI(ctx, env, "status", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"data_dir": "`+next+`"`) {
		t.Errorf("status without --data = %+v; want the coordinator in %s", r, next)
	}
	if _, err := os.Stat(def); !os.IsNotExist(err) {
		t.Errorf("the default data dir was created: %v", err)
	}
	// --data still wins, and says so.
	other := t.TempDir()
	r = runCLI(ctx, env, "datadir", "show", "--data", other)
	if r.code != 0 || !strings.Contains(r.stdout, other) || !strings.Contains(r.stdout, "--data") || !strings.Contains(r.stdout, next) {
		t.Errorf("datadir show --data = %+v", r)
	}
	if r := runCLI(ctx, env, "datadir", "unset"); r.code != 0 || !strings.Contains(r.stdout, def) {
		t.Errorf("datadir unset = %+v", r)
	}
}

func TestMalformedDeskFileStopsWithItsName(t *testing.T) {
	ctx := context.Background()
	env, deskFile := workstation(t)
	os.MkdirAll(filepath.Dir(deskFile), 0o700)
	damaged := `{"data_dir": "/srv/borgdesk",`
	os.WriteFile(deskFile, []byte(damaged), 0o600)

	for _, args := range [][]string{{"server", "list"}, {"serve"}, {"datadir"}} {
		r := runCLI(ctx, env, args...)
		if r.code != exitError || !strings.Contains(r.stderr, deskFile) || !strings.Contains(r.stderr, "not valid JSON") {
			t.Errorf("%v = %+v; want exit 1 naming %s", args, r, deskFile)
		}
	}
	if r := runCLI(ctx, env, "datadir", "set", t.TempDir()); r.code != exitError || !strings.Contains(r.stderr, "left as it is") {
		t.Errorf("datadir set over a damaged desk.json = %+v", r)
	}
	if got, _ := os.ReadFile(deskFile); string(got) != damaged {
		t.Errorf("desk.json = %q; want it untouched", got)
	}
	// --data needs no desk.json.
	dir := t.TempDir()
	if r := runCLI(ctx, env, "--data", dir, "server", "list"); r.code != exitError || !strings.Contains(r.stderr, "no Borgdesk coordinator is running") {
		t.Errorf("with --data = %+v; want only the missing coordinator", r)
	}
}

func TestDeskDataDirBindings(t *testing.T) {
	env, deskFile := workstation(t)
	getenv := func(k string) string { return env[k] }
	inUse := datadir.Resolution{Dir: "/srv/now", From: datadir.FromFlag}
	d := newDesk(nil)
	if _, err := d.GetDataDir(); err == nil {
		t.Error("GetDataDir without a coordinator succeeded")
	}
	d.dirs = &dataDirs{inUse: inUse, getenv: getenv}
	info, err := d.GetDataDir()
	if err != nil || info.InUse != "/srv/now" || info.From != datadir.FromFlag || info.NextFrom != datadir.FromDefault {
		t.Fatalf("GetDataDir = %+v, %v", info, err)
	}
	next := filepath.Join(t.TempDir(), "next")
	info, err = d.SetNextDataDir(next)
	if err != nil || info.Next != next || info.NextFrom != datadir.FromDesk || info.ConfigFile != deskFile {
		t.Errorf("SetNextDataDir = %+v, %v", info, err)
	}
	if _, err := d.SetNextDataDir("not/absolute"); err == nil {
		t.Error("SetNextDataDir accepted a relative folder")
	}
	if _, err := d.ChooseFolder("Choose", "/"); err == nil {
		t.Error("ChooseFolder without a dialog succeeded")
	}
}
