package flx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"

	"borgdesk/backend/shared/safefs"
)

// UpdateSudoers gives the FlexPBX sudoers drop-in (beneath rootDir) to the
// account's new owner, as FlexPBX's migrate does: every whole-word from
// becomes to (a user name inside a path such as flexpbx-… is left alone).
// The new rules are checked with `visudo -c` before they replace the old,
// which are kept beside them as flexpbx-asterisk.bak (sudo skips names
// with a dot). It returns how many names it replaced; no drop-in is not
// an error (0, fs.ErrNotExist).
func UpdateSudoers(rootDir, from, to string) (int, error) {
	if from == "" || from == to {
		return 0, fmt.Errorf("the sudoers drop-in: the old and new account names are the same (%q): nothing to change", from)
	}
	root, err := safefs.OpenRoot(rootDir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	dir, err := root.OpenDir(path.Dir(SudoersDropIn))
	if err != nil {
		return 0, fmt.Errorf("the sudoers drop-in /%s: %w", SudoersDropIn, err)
	}
	defer dir.Close()
	name := path.Base(SudoersDropIn)
	fi, err := dir.Lstat(name)
	if err != nil {
		return 0, err
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("/%s is not a regular file (a symlink?): fix it by hand, nothing was changed", SudoersDropIn)
	}
	f, err := root.Open(SudoersDropIn)
	if err != nil {
		return 0, err
	}
	old, err := io.ReadAll(io.LimitReader(f, 1<<20))
	f.Close()
	if err != nil {
		return 0, err
	}
	word := regexp.MustCompile(`(^|[^A-Za-z0-9_.\-])` + regexp.QuoteMeta(from) + `($|[^A-Za-z0-9_.\-])`)
	n := len(word.FindAllIndex(old, -1))
	updated := old
	for word.Match(updated) { // adjacent matches share a delimiter
		updated = word.ReplaceAll(updated, []byte("${1}"+to+"${2}"))
	}
	if n == 0 {
		return 0, nil
	}
	if err := writeChecked(dir, name+".bak", old, false); err != nil {
		return 0, fmt.Errorf("keeping the old sudoers rules: %w; nothing was changed", err)
	}
	if err := writeChecked(dir, name, updated, true); err != nil {
		return 0, err
	}
	return n, nil
}

// writeChecked writes content as dir/name (root's, 0440) through a
// temporary file, which visudo checks first when check is set.
func writeChecked(dir *safefs.Dir, name string, content []byte, check bool) error {
	f, tmp, err := dir.CreateTemp(tempPrefix)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if err == nil {
		err = setAttrs(f, safefs.Attrs{Mode: 0o440, UID: 0, GID: 0})
	}
	if err == nil && check {
		err = Visudo(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		dir.Remove(tmp)
	}
	return err
}

// Visudo checks the sudoers rules in f with `visudo -c`, handing it the
// open file (no path to race on).
func Visudo(f *os.File) error {
	bin, err := exec.LookPath("visudo")
	if err != nil {
		return errors.New("visudo is not installed: install sudo (apt-get install sudo) so the sudoers rules can be checked; nothing was changed")
	}
	cmd := exec.Command(bin, "-c", "-q", "-f", "/dev/fd/3")
	cmd.ExtraFiles = []*os.File{f}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("visudo -c refuses the updated sudoers rules (%s): the old rules stay; fix /%s by hand", strings.TrimSpace(tail(out.String(), 400)), SudoersDropIn)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// CheckAccount tests a migrated account's permissions, as FlexPBX's
// migrate does at its end: every path given (beneath rootDir, in the
// account's home) belongs to the account, the sudoers drop-in (if any)
// is root's, mode 0440 and passes visudo. It returns one sentence per
// problem.
func CheckAccount(rootDir string, a *Account, paths []string) []string {
	root, err := safefs.OpenRoot(rootDir)
	if err != nil {
		return []string{err.Error()}
	}
	defer root.Close()
	var problems []string
	for _, p := range paths {
		if p != a.Home && !strings.HasPrefix(p, a.Home+"/") {
			continue
		}
		f, err := root.Open(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("/%s: %v", p, err))
			continue
		}
		fi, err := f.Stat()
		f.Close()
		if err != nil {
			problems = append(problems, fmt.Sprintf("/%s: %v", p, err))
			continue
		}
		if uid, _ := safefs.Owner(fi); uid != a.UID {
			problems = append(problems, fmt.Sprintf("/%s belongs to uid %d, not to %s (uid %d): chown it", p, uid, a.Name, a.UID))
		}
	}
	f, err := root.Open(SudoersDropIn)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		problems = append(problems, fmt.Sprintf("/%s: %v", SudoersDropIn, err))
	default:
		defer f.Close()
		fi, _ := f.Stat()
		if uid, _ := safefs.Owner(fi); uid != 0 || fi.Mode().Perm() != 0o440 {
			problems = append(problems, fmt.Sprintf("/%s is uid %d, mode %04o: sudo wants root's and 0440", SudoersDropIn, uid, fi.Mode().Perm()))
		}
		if err := Visudo(f); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}
