package flx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer reads JSON from a stream one value at a time, so that a file's
// base64 content, however long, is decoded as it streams by and never held
// whole. Everything else (keys, small values) is read normally.
type lexer struct {
	r   *bufio.Reader
	off int64
}

func newLexer(r io.Reader) *lexer { return &lexer{r: bufio.NewReaderSize(r, 64<<10)} }

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", l.off, fmt.Sprintf(format, args...))
}

func (l *lexer) readByte() (byte, error) {
	c, err := l.r.ReadByte()
	if err == io.EOF {
		return 0, l.errorf("the file ends too early (truncated?)")
	}
	if err != nil {
		return 0, err
	}
	l.off++
	return c, nil
}

// peek returns the next non-space byte without consuming it.
func (l *lexer) peek() (byte, error) {
	for {
		c, err := l.r.ReadByte()
		if err == io.EOF {
			return 0, l.errorf("the file ends too early (truncated?)")
		}
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			l.off++
			continue
		}
		l.r.UnreadByte()
		return c, nil
	}
}

func (l *lexer) expect(want byte) error {
	c, err := l.peek()
	if err != nil {
		return err
	}
	if c != want {
		return l.errorf("expected %q, found %q", want, c)
	}
	l.readByte()
	return nil
}

// next reads one of the given bytes and returns it.
func (l *lexer) next(options string) (byte, error) {
	c, err := l.peek()
	if err != nil {
		return 0, err
	}
	if bytes.IndexByte([]byte(options), c) < 0 {
		return 0, l.errorf("expected one of %q, found %q", options, c)
	}
	l.readByte()
	return c, nil
}

// end checks that nothing but white space follows the document.
func (l *lexer) end() error {
	for {
		c, err := l.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		l.off++
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return l.errorf("unexpected data after the end of the JSON document")
		}
	}
}

// maxSmall bounds any value read whole (keys, paths, settings, templates).
const maxSmall = 16 << 20

// stringTo streams a JSON string's decoded bytes into w (the opening quote
// must be next). Plain runs go to w straight from the read buffer.
func (l *lexer) stringTo(w io.Writer, limit int64) error {
	if err := l.expect('"'); err != nil {
		return err
	}
	var n int64
	emit := func(b []byte) error {
		n += int64(len(b))
		if limit >= 0 && n > limit {
			return l.errorf("string longer than %d bytes", limit)
		}
		_, err := w.Write(b)
		return err
	}
	var esc [utf8.UTFMax]byte
	for {
		chunk, _ := l.r.Peek(l.r.Buffered())
		if len(chunk) == 0 {
			if _, err := l.r.Peek(1); err != nil {
				if err == io.EOF {
					return l.errorf("the file ends inside a string (truncated?)")
				}
				return err
			}
			continue
		}
		i := bytes.IndexByte(chunk, '"')
		if i < 0 {
			i = len(chunk)
		}
		if j := bytes.IndexByte(chunk[:i], '\\'); j >= 0 {
			i = j
		}
		for _, c := range chunk[:i] {
			if c < 0x20 {
				return l.errorf("control character in a string")
			}
		}
		if i > 0 {
			if err := emit(chunk[:i]); err != nil {
				return err
			}
			l.r.Discard(i)
			l.off += int64(i)
		}
		if i == len(chunk) {
			continue
		}
		c, _ := l.readByte()
		if c == '"' {
			return nil
		}
		e, err := l.readByte()
		if err != nil {
			return err
		}
		var out []byte
		switch e {
		case '"', '\\', '/':
			out = []byte{e}
		case 'b':
			out = []byte{'\b'}
		case 'f':
			out = []byte{'\f'}
		case 'n':
			out = []byte{'\n'}
		case 'r':
			out = []byte{'\r'}
		case 't':
			out = []byte{'\t'}
		case 'u':
			r, err := l.hex4()
			if err != nil {
				return err
			}
			if utf16.IsSurrogate(r) {
				if b1, _ := l.readByte(); b1 != '\\' {
					return l.errorf("broken surrogate pair")
				}
				if b2, _ := l.readByte(); b2 != 'u' {
					return l.errorf("broken surrogate pair")
				}
				r2, err := l.hex4()
				if err != nil {
					return err
				}
				r = utf16.DecodeRune(r, r2)
			}
			out = esc[:utf8.EncodeRune(esc[:], r)]
		default:
			return l.errorf("bad escape \\%c", e)
		}
		if err := emit(out); err != nil {
			return err
		}
	}
}

func (l *lexer) hex4() (rune, error) {
	var h [4]byte
	for i := range h {
		c, err := l.readByte()
		if err != nil {
			return 0, err
		}
		h[i] = c
	}
	v, err := strconv.ParseUint(string(h[:]), 16, 32)
	if err != nil {
		return 0, l.errorf("bad \\u escape")
	}
	return rune(v), nil
}

func (l *lexer) str() (string, error) {
	var b bytes.Buffer
	if err := l.stringTo(&b, maxSmall); err != nil {
		return "", err
	}
	return b.String(), nil
}

// raw reads one whole value (bounded) and returns its JSON text.
func (l *lexer) raw() (json.RawMessage, error) {
	var out bytes.Buffer
	if err := l.copyValue(&out, 0); err != nil {
		return nil, err
	}
	if out.Len() > maxSmall {
		return nil, l.errorf("a value is larger than %d bytes", maxSmall)
	}
	return json.RawMessage(out.Bytes()), nil
}

func (l *lexer) copyValue(out *bytes.Buffer, depth int) error {
	if depth > 64 {
		return l.errorf("nested too deeply")
	}
	if out.Len() > maxSmall {
		return l.errorf("a value is larger than %d bytes", maxSmall)
	}
	c, err := l.peek()
	if err != nil {
		return err
	}
	switch c {
	case '"':
		s, err := l.str()
		if err != nil {
			return err
		}
		b, _ := json.Marshal(s)
		out.Write(b)
	case '{', '[':
		l.readByte()
		out.WriteByte(c)
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		if p, err := l.peek(); err != nil {
			return err
		} else if p == closer {
			l.readByte()
			out.WriteByte(closer)
			return nil
		}
		for {
			if c == '{' {
				k, err := l.str()
				if err != nil {
					return err
				}
				b, _ := json.Marshal(k)
				out.Write(b)
				if err := l.expect(':'); err != nil {
					return err
				}
				out.WriteByte(':')
			}
			if err := l.copyValue(out, depth+1); err != nil {
				return err
			}
			sep, err := l.next("," + string(closer))
			if err != nil {
				return err
			}
			out.WriteByte(sep)
			if sep == closer {
				return nil
			}
		}
	default:
		// number, true, false, null
		start := out.Len()
		for {
			b, err := l.r.Peek(1)
			if err != nil || bytes.IndexByte([]byte(",}] \t\r\n"), b[0]) >= 0 {
				break
			}
			l.readByte()
			out.WriteByte(b[0])
			if out.Len()-start > 64 {
				return l.errorf("a literal is too long")
			}
		}
		lit := out.Bytes()[start:]
		if !json.Valid(lit) {
			return l.errorf("bad literal %q", lit)
		}
	}
	return nil
}

var errStop = errors.New("stop")
