package flx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Containers a snapshot comes in, told apart by their magic bytes, never
// by the file's name.
const (
	ContainerJSON   = "json"    // the documented form (FlexPBX's shell tools, Borgdesk)
	ContainerGzJSON = "json.gz" // the same, gzipped
	ContainerTarGz  = "tar.gz"  // FlexPBX's PHP admin module
	ContainerTar    = "tar"     // the module with compression turned off
	ContainerZip    = "zip"     // exported .flxx files
)

// sniffLen is enough to see a tar header's "ustar" at byte 257.
const sniffLen = 512

// Detect names the container of the snapshot file name, or returns an
// error whose sentence says what the file is instead ("a PNG image, not a
// .flx snapshot").
func Detect(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", err
	}
	head = head[:n]
	if isGzip(head) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", err
		}
		inner, err := gunzipHead(f)
		if err != nil {
			return "", fmt.Errorf("a gzip file whose data is damaged (%v), not a readable .flx snapshot", err)
		}
		switch {
		case isJSON(inner):
			return ContainerGzJSON, nil
		case isTar(inner):
			return ContainerTarGz, nil
		case len(inner) == 0:
			return "", errors.New("an empty gzip file, not a .flx snapshot")
		}
		return "", fmt.Errorf("a gzip file holding %s, not a .flx snapshot", what(inner))
	}
	switch {
	case isZip(head):
		return ContainerZip, nil
	case isTar(head):
		return ContainerTar, nil
	case isJSON(head):
		return ContainerJSON, nil
	}
	return "", fmt.Errorf("%s, not a .flx snapshot (a JSON object, a FlexPBX tar.gz or a ZIP archive)", what(head))
}

func gunzipHead(r io.Reader) ([]byte, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(zr, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return head[:n], nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}

func isTar(b []byte) bool { return len(b) >= 262 && string(b[257:262]) == "ustar" }

// isJSON: the first byte that is not white space (or a byte-order mark)
// opens an object.
func isJSON(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// magics names common files by their first bytes.
var magics = []struct {
	prefix string
	what   string
}{
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"%PDF-", "a PDF document"},
	{"\x7fELF", "an ELF program"},
	{"BZh", "a bzip2 file"},
	{"\xfd7zXZ\x00", "an xz file"},
	{"\x28\xb5\x2f\xfd", "a zstd file"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"SQLite format 3\x00", "an SQLite database"},
	{"-----BEGIN PGP", "a PGP-armored file"},
	{"age-encryption.org/", "an age-encrypted file"},
	{"Salted__", "an OpenSSL-encrypted file"},
	{"RIFF", "a RIFF (WAV/AVI) file"},
	{"ID3", "an MP3 file"},
	{"OggS", "an Ogg file"},
	{"#!", "a script"},
	{"<?php", "a PHP file"},
	{"[", "a JSON array or an INI-style text file"},
}

// what says in a few words what b (a file's first bytes) is.
func what(b []byte) string {
	if len(b) == 0 {
		return "an empty file"
	}
	for _, m := range magics {
		if bytes.HasPrefix(b, []byte(m.prefix)) {
			return m.what
		}
	}
	if bytes.IndexByte(b, 0) < 0 && utf8.Valid(trimPartialRune(b)) {
		return "a text file"
	}
	return "binary data of no known kind"
}

// trimPartialRune drops a UTF-8 sequence cut by the end of the sniffed
// bytes.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) {
			return b[:len(b)-i]
		}
	}
	return b
}

// WalkFile streams the snapshot file name through fn whatever its
// container: the JSON form is read by WalkLimited; FlexPBX's tar.gz and
// ZIP forms by the archive readers, whose entries carry the SHA-256 they
// hash to (these containers carry none to check against).
func WalkFile(name string, fn FileFunc, lim Limits) (*Meta, error) {
	kind, err := Detect(name)
	if err != nil {
		return nil, err
	}
	switch kind {
	case ContainerTarGz, ContainerTar:
		return walkTar(name, kind, fn, lim)
	case ContainerZip:
		return walkZip(name, fn, lim)
	}
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := WalkLimited(f, fn, lim)
	if m != nil {
		m.Container = kind
	}
	return m, err
}
