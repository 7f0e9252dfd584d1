package archives

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/catalog"
	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/repos"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/shared/testenv"
	"borgdesk/backend/store"
)

// localEnv names servers from the store and finds their repositories in
// the coordinator's data dir, as the service does for a local repository.
type localEnv struct {
	st    *store.Store
	repos *repos.Repos
}

func (e localEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.st.FindServer(ctx, ref)
}

func (e localEnv) Locate(ctx context.Context, uuid string) (Location, error) {
	repo, err := e.repos.Repo(uuid)
	return Location{Read: repo}, err
}

func (e localEnv) PruneOnNode(context.Context, store.Target, string, borg.Keep, string, []string) (NodePrune, error) {
	return NodePrune{}, errors.New("no storage node in this test")
}

// The catalog reads what real borg made, and retention holds its prune
// when an archive Borgdesk made has vanished (a client's delete through
// append-only mode), then prunes once the operator has dealt with it.
func TestIndexPreviewAndHeldPrune(t *testing.T) {
	bin := testenv.NeedCommand(t, "borg")
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	b := &borg.Borg{Path: bin, BaseDir: filepath.Join(dir, "base"), LockWait: 5}
	rp := repos.New(dir, b)
	bus := events.NewBus()
	arch := New(Config{Store: st, Events: events.Log{Store: st, Bus: bus, Now: time.Now}, Repos: rp, Catalog: cat,
		Layout: datadir.At(dir), Env: localEnv{st, rp}})

	const uuid = "0b5c6a1e-3f1d-4d8e-9a55-2f0c1b7d9e01"
	sv, err := st.CreateServer(ctx, store.Server{UUID: uuid, Name: "web1"})
	if err != nil {
		t.Fatal(err)
	}
	// Before its first backup a server has no archives, and no error.
	if l, err := arch.ListArchives(ctx, "web1"); err != nil || len(l) != 0 || l == nil {
		t.Fatalf("ListArchives before any backup = %#v, %v; want an empty list", l, err)
	}
	repo, err := rp.Ensure(ctx, uuid)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "hello.txt"), []byte("hello, archive\n"), 0o644)
	os.WriteFile(filepath.Join(src, "blob"), []byte{0, 1, 2, 0xff}, 0o600)
	j, err := st.CreateJob(ctx, store.Job{ServerID: sv.ID, Name: "files", Kind: "files", Spec: "{}", Enabled: true, Keep: `{"daily":1}`})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range 3 {
		name := fmt.Sprintf("files@2026-01-0%dT10.00.00Z", i+1)
		if _, err := b.Create(ctx, repo, borg.CreateOptions{Archive: name, Paths: []string{src}}, nil); err != nil {
			t.Fatal(err)
		}
		r, err := st.StartRun(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.FinishRun(ctx, r.ID, store.RunOutcome{Status: store.RunSucceeded, Archive: name}); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}

	if n, err := arch.IndexServer(ctx, uuid); err != nil || n != 3 {
		t.Fatalf("IndexServer = %d, %v; want 3 archives indexed", n, err)
	}
	if n, err := arch.IndexServer(ctx, uuid); err != nil || n != 0 {
		t.Fatalf("IndexServer again = %d, %v; want nothing new", n, err)
	}
	list, err := arch.ListArchives(ctx, "web1")
	if err != nil || len(list) != 3 {
		t.Fatalf("ListArchives = %+v, %v", list, err)
	}
	for _, a := range list {
		if !a.Indexed || a.Job != "files" || a.Files < 2 {
			t.Errorf("archive %+v: want it indexed, of job files, with its files counted", a)
		}
	}
	rel := strings.TrimPrefix(src, "/")
	p, err := arch.PreviewFile(ctx, "web1", names[0], rel+"/hello.txt")
	if err != nil || p.Text != "hello, archive\n" || p.Binary || p.Truncated {
		t.Fatalf("PreviewFile(hello.txt) = %+v, %v", p, err)
	}
	if p, err := arch.PreviewFile(ctx, "web1", names[0], rel+"/blob"); err != nil || !p.Binary || p.Text != "" {
		t.Fatalf("PreviewFile(blob) = %+v, %v; want it shown as binary", p, err)
	}
	if _, err := arch.PreviewFile(ctx, "web1", names[0], rel); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("PreviewFile(a folder) = %v; want ErrInvalid", err)
	}
	if _, err := arch.BrowseArchive(ctx, "web1", "files@nope", ""); !errors.Is(err, fault.ErrNotFound) || !strings.Contains(err.Error(), "list its archives") {
		t.Fatalf("BrowseArchive(unknown archive) = %v; want ErrNotFound that says what to do", err)
	}

	// A client deletes the oldest archive behind Borgdesk's back.
	del := exec.CommandContext(ctx, bin, "delete", repo.Location+"::"+names[0])
	del.Env = append(os.Environ(), "BORG_PASSPHRASE="+repo.Passphrase, "BORG_BASE_DIR="+b.BaseDir)
	if out, err := del.CombinedOutput(); err != nil {
		t.Fatalf("borg delete: %v: %s", err, out)
	}
	rep, err := arch.Prune(ctx, "web1/files")
	if !errors.Is(err, ErrPruneHeld) || !slices.Equal(rep.Missing, names[:1]) || len(rep.Pruned) != 0 {
		t.Fatalf("Prune after a client's delete = %+v, %v; want it held, naming %s", rep, err, names[0])
	}
	evs, err := st.ListEvents(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(e store.Event) bool {
		return e.Kind == events.Notification && strings.Contains(e.Message, "prune of web1/files held") && strings.Contains(e.Message, names[0])
	}) {
		t.Errorf("no notification that the prune was held in %+v", evs)
	}
	if l, _ := arch.ListArchives(ctx, "web1"); len(l) != 2 {
		t.Fatalf("a held prune removed archives: %+v", l)
	}

	// The operator accepts the loss; retention now keeps the newest of the day.
	if err := st.MarkPruned(ctx, sv.ID, names[:1]); err != nil {
		t.Fatal(err)
	}
	rep, err = arch.Prune(ctx, "web1/files")
	if err != nil || !slices.Equal(rep.Kept, names[2:]) || !slices.Equal(rep.Pruned, names[1:2]) {
		t.Fatalf("Prune = %+v, %v; want %s kept and %s pruned", rep, err, names[2], names[1])
	}
	known, err := cat.Archives(ctx, uuid)
	if err != nil || known[names[1]].Pruned.IsZero() || !known[names[2]].Pruned.IsZero() {
		t.Fatalf("catalog after the prune = %+v, %v; want %s forgotten and %s kept", known, err, names[1], names[2])
	}
	if _, err := arch.BrowseArchive(ctx, "web1", names[1], ""); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("BrowseArchive(pruned archive) = %v; want ErrNotFound", err)
	}
}
