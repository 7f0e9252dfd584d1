//go:build linux

package flx

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// member of an archive made by a test.
type testMember struct {
	name    string
	body    string
	typ     byte // tar.TypeReg when zero
	link    string
	zeros   int64 // a body of that many zero bytes instead
	deflate bool
}

const goodManifest = `{"backup_name":"flexpbx_t","format":"flx","created":"2026-01-02T03:04:05+00:00","hostname":"t","contents":{"asterisk_config":{"files":1}}}`

func writeTarGz(t *testing.T, members []testMember) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "t.flx")
	f, _ := os.Create(name)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: m.typ, Linkname: m.link}
		if m.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if m.zeros > 0 {
			h.Size = m.zeros
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if m.zeros > 0 {
			io.CopyN(tw, zeroReader{}, m.zeros)
		} else {
			tw.Write([]byte(m.body))
		}
	}
	tw.Close()
	zw.Close()
	f.Close()
	return name
}

func writeZip(t *testing.T, members []testMember) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "t.flxx")
	f, _ := os.Create(name)
	zw := zip.NewWriter(f)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		h.SetMode(0o644)
		if m.typ == tar.TypeSymlink {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if m.zeros > 0 {
			io.CopyN(w, zeroReader{}, m.zeros)
		} else {
			w.Write([]byte(m.body + m.link))
		}
	}
	zw.Close()
	f.Close()
	return name
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Bad archives are refused with a sentence naming the member (or the
// component) and nothing is written.
func TestArchiveBadInput(t *testing.T) {
	manifest := testMember{name: "manifest.json", body: goodManifest}
	conf := testMember{name: "asterisk_config/sip.conf", body: "[general]\n"}
	cases := []struct {
		name    string
		zip     bool
		members []testMember
		want    string
	}{
		{"tar dotdot", false, []testMember{manifest, conf, {name: "asterisk_config/../../etc/passwd", body: "x"}}, `"asterisk_config/../../etc/passwd" climbs out`},
		{"tar absolute", false, []testMember{manifest, conf, {name: "/etc/shadow", body: "x"}}, `"/etc/shadow" is an absolute path`},
		{"tar symlink", false, []testMember{manifest, conf, {name: "asterisk_config/extensions.conf", typ: tar.TypeSymlink, link: "/etc/shadow"}}, `"asterisk_config/extensions.conf" is a symlink`},
		{"tar hard link", false, []testMember{manifest, conf, {name: "asterisk_config/x.conf", typ: tar.TypeLink, link: "asterisk_config/sip.conf"}}, `"asterisk_config/x.conf" is a hard link`},
		{"tar device", false, []testMember{manifest, conf, {name: "asterisk_config/null", typ: tar.TypeChar}}, `"asterisk_config/null" is a device`},
		{"tar absent component", false, []testMember{{name: "manifest.json", body: strings.Replace(goodManifest, `}}}`, `},"voicemail":{"files":3}}}`, 1)}, conf}, `component "voicemail" but the archive has no voicemail/ folder`},
		{"tar unknown folder", false, []testMember{manifest, conf, {name: "secrets/id_rsa", body: "x"}}, `"secrets/id_rsa" is outside the module's component folders`},
		{"tar duplicate", false, []testMember{manifest, conf, conf}, `"asterisk_config/sip.conf" is in the archive twice`},
		{"tar without manifest", false, []testMember{conf}, "without manifest.json"},
		{"zip dotdot", true, []testMember{{name: "../evil.php", body: "x"}}, `"../evil.php" climbs out`},
		{"zip absolute", true, []testMember{{name: "/var/www/evil.php", body: "x"}}, `"/var/www/evil.php" is an absolute path`},
		{"zip symlink", true, []testMember{manifest, conf, {name: "asterisk_config/l", typ: tar.TypeSymlink, link: "/etc/shadow"}}, `"asterisk_config/l" is a symlink`},
		{"zip bomb", true, []testMember{{name: "public_html/bomb.php", zeros: 200 << 20}}, `"public_html/bomb.php" inflates past`},
		{"zip absent component", true, []testMember{{name: "manifest.json", body: strings.Replace(goodManifest, "asterisk_config", "moh", 1)}, conf}, `component "moh" but the archive has no moh/ folder`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var file string
			if c.zip {
				file = writeZip(t, c.members)
			} else {
				file = writeTarGz(t, c.members)
			}
			dst := t.TempDir()
			_, err := Restore(file, RestoreOptions{Root: dst, Mode: ModeFresh, User: "root"})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("Restore = %v; want a sentence with %q and \"nothing was written\"", err, c.want)
			}
			isEmptyTree(t, dst)
			if _, err := Inspect(file); err == nil {
				t.Errorf("Inspect accepted it")
			}
		})
	}
}

// A tar.gz bomb is stopped by the cap on what the archive may inflate
// to, after reading no more than the cap.
func TestTarGzInflationCap(t *testing.T) {
	file := writeTarGz(t, []testMember{{name: "manifest.json", body: goodManifest}, {name: "asterisk_config/sip.conf", zeros: 8 << 20}})
	_, err := InspectPage(file, InspectOptions{Limits: Limits{RatioFloor: 1 << 20}})
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("Inspect = %v; want a *LimitError", err)
	}
	if in, err := InspectPage(file, InspectOptions{Limits: Limits{MaxRatio: 1 << 20}}); err != nil || in.FilesTotal != 1 {
		t.Errorf("with a raised ratio: %v, %+v; want it read", err, in)
	}
}

// A manifest-less ZIP export is read as a FlexPBX-layout snapshot: etc/
// is a system path, the rest goes into the account's home.
func TestZipWithoutManifest(t *testing.T) {
	file := writeZip(t, []testMember{{name: "public_html/api/auth.php", body: "<?php\n"}, {name: "etc/asterisk/sip.conf", body: "[general]\n"}})
	dst := t.TempDir()
	res, err := Restore(file, RestoreOptions{Root: dst, Mode: ModeMerge, User: "root"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"root/public_html/api/auth.php", "etc/asterisk/sip.conf"} {
		if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if !res.Meta.NoFileHashes || res.Meta.Container != ContainerZip {
		t.Errorf("meta %+v; want a zip container without per-file hashes", res.Meta)
	}
}

// Anything that is not a snapshot is named.
func TestDetectNamesTheFile(t *testing.T) {
	var gzPNG bytes.Buffer
	zw := gzip.NewWriter(&gzPNG)
	zw.Write([]byte("\x89PNG\r\n\x1a\nrest"))
	zw.Close()
	cases := map[string]struct {
		content []byte
		want    string
	}{
		"png":      {[]byte("\x89PNG\r\n\x1a\n\x00\x00"), "a PNG image, not a .flx snapshot"},
		"pdf":      {[]byte("%PDF-1.7\n"), "a PDF document, not a .flx snapshot"},
		"elf":      {[]byte("\x7fELF\x02\x01"), "an ELF program, not a .flx snapshot"},
		"empty":    {nil, "an empty file, not a .flx snapshot"},
		"text":     {[]byte("hello\n"), "a text file, not a .flx snapshot"},
		"gzip png": {gzPNG.Bytes(), "a gzip file holding a PNG image, not a .flx snapshot"},
	}
	for name, c := range cases {
		p := filepath.Join(t.TempDir(), "x.flx")
		os.WriteFile(p, c.content, 0o644)
		_, err := Inspect(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", name, err, c.want)
		}
	}
	for name, want := range map[string]string{"testdata/flexpbx-1.2.0.flx": ContainerJSON, "testdata/flexpbx-1.2.0.flxx.gz": ContainerGzJSON} {
		if got, err := Detect(name); got != want || err != nil {
			t.Errorf("Detect(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
}
