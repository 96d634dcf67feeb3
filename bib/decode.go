package bib

import (
	"io"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeString is decode for text already in a string: valid UTF-8 is used as it is.
func decodeString(name, s string) (string, []Problem) {
	s = strings.TrimPrefix(s, "\ufeff")
	if utf8.ValidString(s) && !strings.HasPrefix(s, "\xff\xfe") && !strings.HasPrefix(s, "\xfe\xff") {
		return s, nil
	}
	return decode(name, []byte(s))
}

// readString reads a file into a strings.Builder sized to it, whose String does not copy.
func readString(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		b.Grow(int(st.Size()) + 1)
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

// decode turns a file's bytes into UTF-8 text: a UTF-8 byte-order mark is dropped, UTF-16 with a
// byte-order mark is converted, and bytes that are not valid UTF-8 are read as Windows-1252 (which
// is Latin-1 plus printable characters in 0x80-0x9f), with a warning naming the file.
func decode(name string, src []byte) (string, []Problem) {
	switch {
	case len(src) >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf:
		src = src[3:]
	case len(src) >= 2 && (src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff):
		return decodeUTF16(src[2:], src[0] == 0xfe), nil
	}
	if utf8.Valid(src) {
		return string(src), nil
	}
	line := 1 + countLines(src[:firstInvalid(src)])
	buf := make([]rune, 0, len(src))
	for _, c := range src {
		r := rune(c)
		if c >= 0x80 && c < 0xa0 && cp1252[c-0x80] != 0 {
			r = cp1252[c-0x80]
		}
		buf = append(buf, r)
	}
	return string(buf), []Problem{{
		File: name, Line: line, Col: 1, Severity: Warning,
		Msg: "file is not valid UTF-8: read as Windows-1252 (Latin-1)",
	}}
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// cp1252 maps Windows-1252 bytes 0x80-0x9f; 0 marks the five unassigned ones (read as Latin-1).
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}
