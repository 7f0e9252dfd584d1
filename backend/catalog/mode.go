package catalog

// ParseMode reads the permission bits (with setuid, setgid and sticky) of
// an ls-style mode string such as "-rwsr-xr-x" or "drwxrwxrwt".
func ParseMode(s string) uint32 {
	if len(s) != 10 {
		return 0
	}
	var m uint32
	for i := 0; i < 9; i++ {
		c := s[1+i]
		bit := uint32(1) << (8 - i)
		switch c {
		case 'r', 'w', 'x':
			m |= bit
		case 's', 't':
			m |= bit
			m |= special(i)
		case 'S', 'T':
			m |= special(i)
		}
	}
	return m
}

// special is the setuid/setgid/sticky bit shown in the x column i.
func special(i int) uint32 {
	switch i {
	case 2:
		return 0o4000
	case 5:
		return 0o2000
	case 8:
		return 0o1000
	}
	return 0
}

// FormatMode is the inverse of ParseMode for an entry of type typ.
func FormatMode(typ byte, m uint32) string {
	b := []byte("----------")
	if typ != '-' {
		b[0] = typ
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		}
		if s := special(i); s != 0 && m&s != 0 {
			if b[1+i] == 'x' {
				b[1+i] = "sst"[i/3]
			} else {
				b[1+i] = "SST"[i/3]
			}
		}
	}
	return string(b)
}
