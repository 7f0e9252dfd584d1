package snapshots

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"borgdesk/backend/catalog"

	"borgdesk/backend/datadir"
	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

var golden = filepath.Join("..", "shared", "flx", "testdata", "golden.flxx")

// storeEnv names servers and queues tasks in a real store, as the service
// does (without waking an agent: these tests play the agent).
type storeEnv struct{ st *store.Store }

func (e storeEnv) Server(ctx context.Context, ref string) (store.Server, error) {
	return e.st.FindServer(ctx, ref)
}

func (e storeEnv) AgentServer(ctx context.Context, agentUUID string) (store.Server, error) {
	return e.st.ServerByUUID(ctx, agentUUID)
}

func (e storeEnv) QueueTask(ctx context.Context, ref, typ string, payload any) (store.Task, error) {
	sv, err := e.st.FindServer(ctx, ref)
	if err != nil {
		return store.Task{}, err
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return store.Task{}, err
	}
	return e.st.CreateTask(ctx, sv.ID, typ, raw)
}

func (e storeEnv) WaitTask(ctx context.Context, id int64, _ time.Duration) (store.Task, error) {
	t, err := e.st.Task(ctx, id)
	if err == nil && t.Status != store.TaskSucceeded {
		err = fmt.Errorf("task %d %s", id, t.Status)
	}
	return t, err
}

type fixture struct {
	x      *Snapshots
	cat    *catalog.Catalog
	st     *store.Store
	layout datadir.Layout
	web1   store.Server
	other  store.Server
}

func newFixture(t *testing.T) fixture {
	t.Helper()
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
	f := fixture{st: st, cat: cat, layout: datadir.At(dir)}
	f.x = New(Config{Store: st, Events: events.Log{Store: st, Bus: events.NewBus(), Now: time.Now}, Layout: f.layout, Env: storeEnv{st}, Catalog: cat})
	if f.web1, err = st.CreateServer(ctx, store.Server{UUID: "5e0c2a4b-1d7f-4c3e-8a9b-0f1e2d3c4b5a", Name: "web1"}); err != nil {
		t.Fatal(err)
	}
	if f.other, err = st.CreateServer(ctx, store.Server{UUID: "6f1d3b5c-2e80-4d4f-9bac-1a2f3e4d5c6b", Name: "db1"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// damaged is the snapshot with etc/app/b.txt's content changed (its hash
// no longer matches).
func damaged(t *testing.T, data []byte) []byte {
	t.Helper()
	bad := bytes.Replace(data, []byte(`"content": "Ygo="`), []byte(`"content": "Ywo="`), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("golden.flxx no longer holds b.txt's content as this test expects")
	}
	return bad
}

// start has the server's agent start a task, as its long poll would.
func (f fixture) start(t *testing.T, sv store.Server, task store.Task) {
	t.Helper()
	if _, err := f.st.StartTask(context.Background(), sv.ID, task.ID); err != nil {
		t.Fatal(err)
	}
}

// An opened snapshot is verified and staged under its SHA-256, restored
// only with a valid request, and handed only to the agent of the server
// whose running task restores it; a damaged one is described and never
// staged.
func TestOpenRestoreAndFetch(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])

	if _, err := f.x.Open(ctx, filepath.Join(t.TempDir(), "notes.txt")); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("Open(notes.txt) = %v; want ErrInvalid", err)
	}
	got, err := f.x.Open(ctx, golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.Size != int64(len(data)) || got.Inspection == nil || !got.Inspection.Verified {
		t.Fatalf("Open(golden) = %+v; want id %s, %d bytes, verified", got, id, len(data))
	}
	staged := f.layout.Flx("outgoing", id+".flx")
	if b, err := os.ReadFile(staged); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("staged copy: %d bytes, %v; want the snapshot's %d", len(b), err, len(data))
	}
	evs, err := f.st.ListEvents(ctx, 10)
	if err != nil || len(evs) != 1 || evs[0].Kind != events.FlxOpened || !strings.HasSuffix(evs[0].Message, "every hash matches") {
		t.Errorf("events = %+v, %v; want one flx opened, every hash matching", evs, err)
	}

	// One file's content changed under its hash: described with its
	// error, not staged.
	bad := damaged(t, data)
	badPath := filepath.Join(t.TempDir(), "bad.flxx")
	os.WriteFile(badPath, bad, 0o600)
	d, err := f.x.Open(ctx, badPath)
	if err == nil && (d.Inspection == nil || d.Inspection.Verified) {
		t.Fatalf("Open(damaged) = %+v, %v; want it described as damaged", d, err)
	}
	if _, err := f.x.Restore(ctx, RestoreRequest{ID: d.ID, Server: "web1"}); !errors.Is(err, fault.ErrNotFound) || !strings.Contains(err.Error(), "open it again") {
		t.Errorf("Restore(damaged) = %v; want ErrNotFound saying to open it again", err)
	}

	for _, req := range []RestoreRequest{
		{ID: "not-an-id", Server: "web1"},
		{ID: id, Server: "web1", Mode: "overwrite"},
		{ID: id, Server: "web1", Mode: "migrate"},
		{ID: id, Server: "web1", Root: "srv/x"},
	} {
		if _, err := f.x.Restore(ctx, req); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("Restore(%+v) = %v; want ErrInvalid", req, err)
		}
	}
	task, err := f.x.Restore(ctx, RestoreRequest{ID: id, Server: "web1", Root: "/srv/../srv/pbx/"})
	if err != nil {
		t.Fatal(err)
	}
	var p agentapi.FlxRestorePayload
	json.Unmarshal(task.Payload, &p)
	if task.Type != agentapi.TaskFlxRestore || p.Mode != "merge" || p.Root != "/srv/pbx" || p.SHA256 != id || p.Size != int64(len(data)) {
		t.Errorf("queued %s %+v; want a merge restore of %s under /srv/pbx", task.Type, p, id)
	}

	if _, err := f.x.ForTask(ctx, f.web1.UUID, task.ID); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("ForTask before the task runs = %v; want ErrConflict", err)
	}
	f.start(t, f.web1, task)
	if _, err := f.x.ForTask(ctx, f.other.UUID, task.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("ForTask by another agent = %v; want ErrNotFound", err)
	}
	if path, err := f.x.ForTask(ctx, f.web1.UUID, task.ID); err != nil || path != staged {
		t.Errorf("ForTask = %q, %v; want %s", path, err, staged)
	}
}

// A snapshot an agent uploads is kept only when it verifies, under a name
// that cannot leave its server's folder; the operator lists and exports
// those, and nothing else.
func TestUploadListAndExport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.x.Create(ctx, "web1", agentapi.FlxBackupPayload{Type: "zip"}); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("Create(type zip) = %v; want ErrInvalid", err)
	}
	task, err := f.x.Create(ctx, "web1", agentapi.FlxBackupPayload{})
	if err != nil {
		t.Fatal(err)
	}
	var p agentapi.FlxBackupPayload
	json.Unmarshal(task.Payload, &p)
	if task.Type != agentapi.TaskFlxBackup || p.Profile != "etc" {
		t.Errorf("queued %s %+v; want an flx backup of the etc profile", task.Type, p)
	}
	f.start(t, f.web1, task)

	bad := damaged(t, data)
	if _, err := f.x.StoreUpload(ctx, f.web1.UUID, task.ID, "web1.flxx", bytes.NewReader(bad)); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("StoreUpload(damaged) = %v; want ErrInvalid", err)
	}
	if _, err := f.x.StoreUpload(ctx, f.web1.UUID, task.ID, "../web1.flxx", bytes.NewReader(data)); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("StoreUpload(../web1.flxx) = %v; want ErrInvalid", err)
	}
	if _, err := f.x.StoreUpload(ctx, f.other.UUID, task.ID, "web1.flxx", bytes.NewReader(data)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("StoreUpload by another agent = %v; want ErrNotFound", err)
	}
	if l, err := f.x.List(ctx, "web1"); err != nil || len(l) != 0 {
		t.Fatalf("List after refused uploads = %v, %v; want nothing kept", l, err)
	}
	stored, err := f.x.StoreUpload(ctx, f.web1.UUID, task.ID, "web1-etc.flxx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if want := f.layout.Flx("servers", f.web1.UUID, "web1-etc.flxx"); stored != want {
		t.Errorf("StoreUpload = %s; want %s", stored, want)
	}
	if l, err := f.x.List(ctx, "web1"); err != nil || len(l) != 1 || l[0] != stored {
		t.Errorf("List = %v, %v; want [%s]", l, err, stored)
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	if _, err := f.x.Export(ctx, golden); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("Export(a file not received from a server) = %v; want ErrInvalid", err)
	}
	out, err := f.x.Export(ctx, stored)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); out != filepath.Join(home, "Downloads", "web1-etc.flxx") || !bytes.Equal(b, data) {
		t.Errorf("Export = %s (%d bytes, %v); want the snapshot in ~/Downloads", out, len(b), err)
	}
}
