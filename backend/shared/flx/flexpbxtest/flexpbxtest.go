// Package flexpbxtest gives tests a FlexPBX install to work on: real
// accounts (useradd, removed at the end) and the fixtures
// testdata/make-flexpbx-fixtures.sh builds the way FlexPBX makes them.
// Tests only: no production code imports it.
package flexpbxtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"borgdesk/backend/shared/testenv"
)

var seq atomic.Int64

// User creates a real account (no home made outside the test's root) and
// removes it when the test ends. Names are unique per process, so tests
// running beside others' do not collide.
func User(t testing.TB) *user.User {
	t.Helper()
	testenv.NeedRoot(t, "create test accounts")
	testenv.NeedCommands(t, "useradd", "userdel")
	name := fmt.Sprintf("fpx%d%d", os.Getpid()%100000, seq.Add(1))
	if out, err := exec.Command("useradd", "--no-create-home", "--home-dir", "/home/"+name, "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v %s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Fixtures builds a FlexPBX-like install for account under a new root
// (its home chowned to the account) and writes the JSON, tar.gz and ZIP
// forms into out: flexpbx-tools.flx, flexpbx-tools.flxx,
// flexpbx-module.flx, flexpbx-export.flxx.
func Fixtures(t testing.TB, account *user.User) (root, out string) {
	t.Helper()
	testenv.NeedCommands(t, "bash", "tar", "gzip", "zip", "base64", "sha256sum")
	_, here, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(here), "..", "testdata", "make-flexpbx-fixtures.sh")
	root, out = t.TempDir(), t.TempDir()
	if b, err := exec.Command("bash", script, root, out, account.Username).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, b)
	}
	Chown(t, filepath.Join(root, "home", account.Username), account)
	return root, out
}

// Chown gives the tree at dir to the account.
func Chown(t testing.TB, dir string, u *user.User) {
	t.Helper()
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}
