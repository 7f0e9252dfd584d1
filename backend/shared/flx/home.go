package flx

import (
	"errors"
	"fmt"
	"io/fs"
	"os/user"
	"path"
	"sort"
	"strconv"
	"strings"

	"borgdesk/backend/shared/safefs"
)

// Layouts of a snapshot's paths (Meta.Layout).
const (
	LayoutRoot    = "root"    // every path beneath the restore root as it is
	LayoutFlexPBX = "flexpbx" // etc/… and usr/… beneath the root, the rest in the account's home
)

// settleLayout decides the layout once the metadata before the files is
// read: FlexPBX's shell tools write neither a producer nor a source root.
func (m *Meta) settleLayout() {
	if m.Layout != "" {
		return
	}
	m.Layout = LayoutRoot
	if !m.sawProducer && m.SourceRoot == "" {
		m.Layout = LayoutFlexPBX
	}
}

// homeRelative says whether a path of a FlexPBX-layout snapshot lives in
// the account's home: FlexPBX's tools keep absolute paths and etc/… and
// usr/… as system paths and everything else relative to $HOME.
func homeRelative(p string) bool {
	if strings.HasPrefix(p, "/") {
		return false
	}
	for _, sys := range []string{"etc", "usr"} {
		if p == sys || strings.HasPrefix(p, sys+"/") {
			return false
		}
	}
	return true
}

// homeUserData is what merge keeps in the account's home when it is
// already there: FlexPBX's accounts, sessions and messages, not its code.
func homeUserData(rel string) bool {
	for _, d := range []string{"users/", "admins/", "push_subscriptions/", "temp_passwords/", "voicemail/", "backup/"} {
		if strings.HasPrefix(rel, d) {
			return true
		}
	}
	return hasExt(path.Base(rel), ".db", ".sqlite", ".sqlite3")
}

// Account is the FlexPBX account a restore puts home-relative entries
// into.
type Account struct {
	Name     string `json:"name"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
	Home     string `json:"home"` // relative to the root, e.g. home/pbx
	Why      string `json:"why"`  // how it was chosen: "-u", "named by the snapshot", …
	HomeLink string `json:"-"`    // set when the home is a symlink in the target
}

// LookupAccount finds the user name on this system; its home is taken
// relative to the restore root.
func LookupAccount(name string) (*Account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("user %q does not exist on this system: create it first (useradd -m %s) or name another with -u", name, name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	home := strings.Trim(path.Clean(u.HomeDir), "/")
	if home == "" || home == "." {
		return nil, fmt.Errorf("user %s has no home directory: give it one (usermod -d /home/%s %s) before restoring FlexPBX files into it", name, name, name)
	}
	return &Account{Name: name, UID: uid, GID: gid, Home: home}, nil
}

// checkHome refuses a home that is a symlink or not a directory in the
// target, naming what asked for it.
func (a *Account) checkHome(root *safefs.Dir, what string) error {
	d, err := root.OpenDir(a.Home)
	switch {
	case err == nil:
		d.Close()
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, safefs.ErrSymlink):
		return fmt.Errorf("%s: the home /%s of %s (or a directory above it) is a symlink in the target: refusing to write through it; replace the link with the real directory or restore with -u naming an account whose home is one", what, a.Home, a.Name)
	}
	return fmt.Errorf("%s: the home /%s of %s: %w", what, a.Home, a.Name, err)
}

// flexpbxHomeOwners lists the accounts that own a FlexPBX home under the
// root: a home/<name> holding flexpbx-config.json or public_html/api.
func flexpbxHomeOwners(root *safefs.Dir) []string {
	var owners []string
	for _, de := range readDir(root, "home") {
		if !de.IsDir() {
			continue
		}
		home := "home/" + de.Name()
		if !isFlexPBXHome(root, home) {
			continue
		}
		d, err := root.OpenDir(home)
		if err != nil {
			continue
		}
		fi, err := d.Stat()
		d.Close()
		if err != nil {
			continue
		}
		uid, _ := safefs.Owner(fi)
		if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
			owners = append(owners, u.Username)
		}
	}
	sort.Strings(owners)
	return owners
}

func isFlexPBXHome(root *safefs.Dir, home string) bool {
	d, err := root.OpenDir(home)
	if err != nil {
		return false
	}
	defer d.Close()
	if fi, err := d.Lstat("flexpbx-config.json"); err == nil && fi.Mode().IsRegular() {
		return true
	}
	if api, err := d.OpenDir("public_html/api"); err == nil {
		api.Close()
		return true
	}
	return false
}

// placer puts each entry where it lands: beneath the root as it is, or
// for a home-relative entry in the account's home, chosen on first need.
type placer struct {
	root    *safefs.Dir
	user    string // -u
	account *Account
	err     error
	tried   bool
	// placedHome is set once a home-relative entry was placed.
	placedHome bool
}

// resolve chooses the account: the one -u names, else the one the
// snapshot names (account, else source_home), else the owner of the one
// existing FlexPBX home; else it refuses and asks for -u.
func (p *placer) resolve(m *Meta, what string) (*Account, error) {
	if p.tried {
		return p.account, p.err
	}
	p.tried = true
	p.account, p.err = p.choose(m, what)
	if p.err == nil {
		p.err = p.account.checkHome(p.root, what)
	}
	return p.account, p.err
}

func (p *placer) choose(m *Meta, what string) (*Account, error) {
	if p.user != "" {
		a, err := LookupAccount(p.user)
		if a != nil {
			a.Why = "-u"
		}
		return a, err
	}
	named := m.Account
	if named == "" && m.SourceHome != "" {
		if parts := strings.Split(strings.Trim(m.SourceHome, "/"), "/"); len(parts) == 2 && parts[0] == "home" {
			named = parts[1]
		}
	}
	if named != "" {
		a, err := LookupAccount(named)
		if err != nil {
			return nil, fmt.Errorf("%s: the snapshot's account %q does not exist here: restore with -u USER naming the account that should get the FlexPBX files", what, named)
		}
		a.Why = "named by the snapshot"
		return a, nil
	}
	switch owners := flexpbxHomeOwners(p.root); len(owners) {
	case 1:
		a, err := LookupAccount(owners[0])
		if a != nil {
			a.Why = "owner of the existing FlexPBX home"
		}
		return a, err
	case 0:
		return nil, fmt.Errorf("%s is relative to the FlexPBX account's home, and neither the snapshot nor this system says which account that is: restore with -u USER", what)
	default:
		return nil, fmt.Errorf("%s is relative to the FlexPBX account's home, and %s each own one here: restore with -u USER to choose", what, strings.Join(owners, " and "))
	}
}

// place returns where entry e (path rel) lands beneath the root and, for
// the account's files, the owner to give it (-1 otherwise).
func (p *placer) place(m *Meta, e *Entry, rel string) (target string, uid, gid int, err error) {
	if !e.Home {
		return rel, -1, -1, nil
	}
	a, err := p.resolve(m, e.name())
	if err != nil {
		return "", -1, -1, err
	}
	p.placedHome = true
	return a.Home + "/" + rel, a.UID, a.GID, nil
}
