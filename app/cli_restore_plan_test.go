package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"borgdesk/backend/datadir"
	"borgdesk/backend/repos"
	"borgdesk/backend/service"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// TestRestorePlanCLI plans restores of an archive real borg made in the
// coordinator's data dir, through `borgdesk serve`'s socket: the plan in
// words and in JSON, the errors, and no task queued.
func TestRestorePlanCLI(t *testing.T) {
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dir := t.TempDir()
	const uuid = "5d1e7c3a-9b2f-4e81-a6c0-1f2e3d4c5b6a"
	st, err := store.Open(ctx, filepath.Join(dir, datadir.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	web1, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: "web1"})
	if err == nil {
		_, err = st.CreateServer(ctx, store.Server{UUID: "6e2f8d4b-0c3a-4f92-b7d1-2a3b4c5d6e7f", Name: "web2"})
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The repository where the coordinator keeps web1's, with its borg base dir.
	b := &borg.Borg{Path: bin, BaseDir: filepath.Join(dir, "borg")}
	repo, err := repos.New(dir, b).Ensure(ctx, uuid)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	for name, data := range map[string]string{"etc/nginx/nginx.conf": "user www-data;\n", "etc/nginx/mime.types": "types {}\n", "etc/hosts": "127.0.0.1 localhost\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755)
		if err := os.WriteFile(filepath.Join(src, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: "etc@1", Paths: []string{src}}, nil); err != nil {
		t.Fatal(err)
	}
	startServe(t, dir)
	cli := func(args ...string) result { return runCLI(ctx, nil, append([]string{"--data", dir}, args...)...) }
	nginx := strings.TrimPrefix(src, "/") + "/etc/nginx"

	r := cli("restore", "web1", "etc@1", "--path", "/"+nginx, "--to", "/srv/restore", "--target-server", "web2", "--plan", "--json")
	var plan service.RestorePlan
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &plan) != nil {
		t.Fatalf("restore --plan --json = %+v", r)
	}
	want := service.RestorePlan{Files: 2, Bytes: 24, To: "/srv/restore", Target: "web2", Landing: []service.RestoreLanding{{Path: nginx, Final: "/srv/restore/" + nginx}}}
	if diff := cmp.Diff(want, plan); diff != "" {
		t.Errorf("restore --plan --json (-want +got):\n%s", diff)
	}

	r = cli("restore", "web1", "etc@1", "--plan")
	for _, s := range []string{"Would restore 3 files (44 bytes) of archive etc@1 onto web1.", "The whole archive lands under /.", "Nothing was started"} {
		if r.code != 0 || !strings.Contains(r.stdout, s) {
			t.Errorf("restore --plan = %+v; want %q in its output", r, s)
		}
	}
	r = cli("restore", "web1", "etc@1", "--path", nginx+"/nginx.conf", "--plan")
	if r.code != 0 || !strings.Contains(r.stdout, "Would restore 1 file (15 bytes)") || !strings.Contains(r.stdout, "/"+nginx+"/nginx.conf") {
		t.Errorf("restore --path FILE --plan = %+v", r)
	}

	if r := cli("restore", "web1", "etc@1", "--path", "srv/www", "--plan"); r.code != exitError || !strings.Contains(r.stderr, "srv/www is not in archive etc@1") {
		t.Errorf("a path not in the archive = %+v", r)
	}
	if r := cli("restore", "web1", "etc@1", "--to", "restore", "--plan"); r.code != exitError || !strings.Contains(r.stderr, "absolute directory") {
		t.Errorf("a relative --to = %+v", r)
	}
	if r := cli("restore", "web1", "etc@1", "--plan", "--wait"); r.code != exitUsage || !strings.Contains(r.stderr, "give one of them") {
		t.Errorf("--plan --wait = %+v", r)
	}
	if r := cli("task", "list", "--server", "web1", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("tasks of %s after planning = %+v; want none", web1.Name, r)
	}
}
