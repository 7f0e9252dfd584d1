package flxfs

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// memMax is the largest content kept in memory; larger content is spilled
// to an unlinked temporary file.
const memMax = 1 << 20

// content is one entry's decoded, verified bytes.
type content struct {
	index int
	mem   []byte
	file  *os.File // when spilled
	size  int64
	// refs counts open handles, plus one while the cache holds it; the
	// spill file is closed when it drops to zero.
	refs int
}

func (c *content) ReadAt(p []byte, off int64) (int, error) {
	if c.file != nil {
		return c.file.ReadAt(p, off)
	}
	if off >= int64(len(c.mem)) {
		return 0, io.EOF
	}
	n := copy(p, c.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (c *content) memBytes() int64 { return int64(len(c.mem)) }

func (c *content) free() {
	if c.file != nil {
		c.file.Close()
	}
}

// decode reads a content stream to its end: into memory while it is
// small, into an unlinked file in tmpDir once it is not.
func decode(r io.Reader, index int, tmpDir string) (*content, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, memMax+1))
	if err != nil {
		return nil, err
	}
	if n <= memMax {
		return &content{index: index, mem: buf.Bytes(), size: n}, nil
	}
	f, err := os.CreateTemp(tmpDir, ".flxfs-*")
	if err != nil {
		return nil, fmt.Errorf("spill a large file: %w", err)
	}
	os.Remove(f.Name()) // nobody else needs to see it; it goes when closed
	size, err := io.Copy(f, io.MultiReader(&buf, r))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spill a large file: %w", err)
	}
	return &content{index: index, file: f, size: size}, nil
}
