package flx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"borgdesk/backend/shared/safefs"
)

// FlexPBX's restore applies a snapshot's default_settings: it writes them
// as the account's flexpbx-config.json and, with the account templates of
// a .flxx, into its templates folder. A restore of a FlexPBX-layout
// snapshot does the same, through the same plan, rollback and writer as
// the files; a flexpbx-config.json the snapshot carries as a file wins
// over default_settings (it is the real file, hash-checked).

// settingsFile is one file made from the snapshot's metadata.
type settingsFile struct {
	rel      string // in the account's home
	target   string // beneath the root
	content  []byte
	uid, gid int
	action   string
}

func (f *settingsFile) hash() string {
	h := sha256.Sum256(f.content)
	return "sha256:" + hex.EncodeToString(h[:])
}

// emptyJSON reports whether raw holds nothing worth writing.
func emptyJSON(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "{}" || s == "null" || s == "[]"
}

// prettyJSON indents raw as jq prints it (two spaces, a final newline).
func prettyJSON(raw json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// planSettings decides the settings files of a FlexPBX-layout snapshot;
// decide records each one's action.
func planSettings(m *Meta, pc *placer, root *safefs.Dir, targets map[string]bool, decide func(string, *settingsFile), skipped *string) ([]settingsFile, error) {
	if m == nil || m.Layout != LayoutFlexPBX || emptyJSON(m.DefaultSettings) {
		return nil, nil
	}
	want := []struct {
		rel string
		raw json.RawMessage
	}{
		{"flexpbx-config.json", m.DefaultSettings},
		{"templates/settings_template.json", m.DefaultSettings},
	}
	if strings.HasPrefix(m.BackupType, TypeExtended) {
		for _, t := range []struct {
			rel string
			raw json.RawMessage
		}{{"templates/user_template.json", m.UserTemplate}, {"templates/admin_template.json", m.AdminTemplate}} {
			if !emptyJSON(t.raw) {
				want = append(want, t)
			}
		}
	}
	a, err := pc.resolve(m, "default_settings")
	if err != nil && pc.user == "" && !pc.placedHome {
		// Only system files: they are restored; the settings wait for -u.
		*skipped = "default_settings were not applied: no FlexPBX account is known here; restore again with -u USER to write them into that account's flexpbx-config.json and templates/"
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []settingsFile
	for _, w := range want {
		target := a.Home + "/" + w.rel
		if targets[target] {
			continue // the snapshot has it as a file
		}
		if err := checkTarget(root, target); err != nil {
			return nil, fmt.Errorf("default_settings: %w", err)
		}
		content, err := prettyJSON(w.raw)
		if err != nil {
			return nil, fmt.Errorf("%s: not JSON: %w", w.rel, err)
		}
		f := settingsFile{rel: w.rel, target: target, content: content, uid: a.UID, gid: a.GID}
		decide(target, &f)
		targets[target] = true
		out = append(out, f)
	}
	return out, nil
}

// writeSettings writes the planned settings files (after the entries).
func writeSettings(w *writer, p *plan) error {
	for _, f := range p.settings {
		if f.action != ActCreate && f.action != ActOverwrite {
			continue
		}
		s, err := w.stage(f.target, bytes.NewReader(f.content), f.uid, f.gid, &Entry{Mode: "0644"})
		if err != nil {
			return err
		}
		if err := w.commit(s); err != nil {
			return err
		}
	}
	return nil
}
