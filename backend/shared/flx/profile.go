package flx

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"borgdesk/backend/shared/safefs"
)

// The FlexPBX profile: what a FlexPBX install keeps, in FlexPBX's layout
// (home-relative paths for the account's files, etc/… and usr/… for the
// system's, absolute paths for other system places).
var (
	// flexpbxHomePaths are the account's files, relative to its home.
	flexpbxHomePaths = []string{"public_html/api", "public_html/user-portal", "public_html/admin", "public_html/docs",
		"public_html/service-worker.js", "flexpbx-config.json"}
	// flexpbxDataPaths join them with --include-data: accounts.
	flexpbxDataPaths = []string{"users", "admins"}
	// flexpbxSystemPaths are beneath the root; those outside etc/ and usr/
	// are stored absolute, as FlexPBX's tools store system paths.
	flexpbxSystemPaths = []string{"etc/asterisk", "etc/flexpbx", "etc/sudoers.d/flexpbx-asterisk",
		"var/lib/flexpbx/config", "var/www/html/flexpbx/config", "var/www/html/flexpbx/api/config"}
)

// SudoersDropIn is the FlexPBX sudoers drop-in, relative to the root.
const SudoersDropIn = "etc/sudoers.d/flexpbx-asterisk"

// FlexPBXBackup is what `flx backup --profile flexpbx` collects.
type FlexPBXBackup struct {
	Files   []File
	Skipped []Skipped
	Account *Account // nil when this host has no FlexPBX home
	// DefaultSettings, UserTemplate and AdminTemplate are filled from the
	// account's flexpbx-config.json, first users/*.json and first
	// admins/*.json, sanitized (nil when absent).
	DefaultSettings, UserTemplate, AdminTemplate json.RawMessage
}

// FindFlexPBXAccount names the FlexPBX account beneath rootDir: user when
// given (it must exist), else the owner of the one existing FlexPBX home;
// nil without error when there is none.
func FindFlexPBXAccount(rootDir, user string) (*Account, error) {
	if user != "" {
		return LookupAccount(user)
	}
	root, err := safefs.OpenRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	switch owners := flexpbxHomeOwners(root); len(owners) {
	case 0:
		return nil, nil
	case 1:
		return LookupAccount(owners[0])
	default:
		return nil, fmt.Errorf("%s each own a FlexPBX home here: name the account with -u USER", strings.Join(owners, " and "))
	}
}

// CollectFlexPBX collects the flexpbx profile beneath rootDir for the
// account (nil: the system files only); includeData adds the account's
// users/ and admins/.
func CollectFlexPBX(rootDir string, a *Account, includeData bool) (*FlexPBXBackup, error) {
	rootDir, err := filepath.Abs(rootDir)
	if err != nil {
		return nil, err
	}
	b := &FlexPBXBackup{Account: a}
	if a != nil {
		home := filepath.Join(rootDir, filepath.FromSlash(a.Home))
		if fi, err := os.Lstat(home); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("the home %s of %s is a symlink: back up the real directory (name the account whose home it is with -u)", home, a.Name)
		}
		paths := present(home, flexpbxHomePaths)
		if includeData {
			paths = append(paths, present(home, flexpbxDataPaths)...)
		}
		files, skipped, err := Collect(home, paths)
		if err != nil {
			return nil, err
		}
		b.Files, b.Skipped = files, skipped
		b.DefaultSettings = sanitizeJSONFile(filepath.Join(home, "flexpbx-config.json"), settingsRules)
		b.UserTemplate = sanitizeJSONFile(firstJSON(filepath.Join(home, "users")), templateRules("user@example.com"))
		b.AdminTemplate = sanitizeJSONFile(firstJSON(filepath.Join(home, "admins")), templateRules("admin@example.com"))
	}
	sys := present(rootDir, flexpbxSystemPaths)
	tools, _ := filepath.Glob(filepath.Join(rootDir, "usr/local/bin/flexpbx-*"))
	for _, t := range tools {
		sys = append(sys, strings.TrimPrefix(t, rootDir+"/"))
	}
	files, skipped, err := Collect(rootDir, sys)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if homeRelative(f.Rel) {
			f.Rel = "/" + f.Rel // a system path outside etc/ and usr/
		}
		b.Files = append(b.Files, f)
	}
	b.Skipped = append(b.Skipped, skipped...)
	return b, nil
}

func present(dir string, paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func firstJSON(dir string) string {
	m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(m)
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

// jsonRule replaces the value of a matching key.
type jsonRule struct {
	key  *regexp.Regexp
	with any
}

var settingsRules = []jsonRule{
	{regexp.MustCompile(`(?i)pass|secret|token|api_?key|private|credential`), Redacted},
	{regexp.MustCompile(`(?i)e-?mail`), ExampleEmail},
}

// templateRules turn a real account into FlexPBX's template of one.
func templateRules(email string) []jsonRule {
	return []jsonRule{
		{regexp.MustCompile(`(?i)^password$|_hash$`), HashedPlaceholder},
		{regexp.MustCompile(`(?i)pin$`), "0000"},
		{regexp.MustCompile(`(?i)^extension$|^linked_extension$`), "XXXX"},
		{regexp.MustCompile(`(?i)^username$|^linked_username$`), "username_placeholder"},
		{regexp.MustCompile(`(?i)name$`), GenericName},
		{regexp.MustCompile(`(?i)e-?mail$`), email},
		{regexp.MustCompile(`(?i)last_login|_date$|_expires$`), nil},
		{regexp.MustCompile(`(?i)pass|secret|token|api_?key|private|subscription`), Redacted},
	}
}

// sanitizeJSONFile reads a JSON object and replaces the values of keys
// the rules match, at any depth; nil when the file is absent or not a
// JSON object.
func sanitizeJSONFile(name string, rules []jsonRule) json.RawMessage {
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil || len(b) > maxManifest {
		return nil
	}
	var v map[string]any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	out, err := json.Marshal(sanitizeValue(v, rules))
	if err != nil {
		return nil
	}
	return out
}

func sanitizeValue(v any, rules []jsonRule) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			replaced := false
			if _, nested := val.(map[string]any); !nested {
				for _, r := range rules {
					if r.key.MatchString(k) {
						x[k], replaced = r.with, true
						break
					}
				}
			}
			if !replaced {
				x[k] = sanitizeValue(val, rules)
			}
		}
	case []any:
		for i := range x {
			x[i] = sanitizeValue(x[i], rules)
		}
	case string:
		if strings.Contains(x, "@") && emailRe.MatchString(x) {
			return emailRe.ReplaceAllString(x, ExampleEmail)
		}
	}
	return v
}

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
