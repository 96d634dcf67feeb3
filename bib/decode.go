package bib

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
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
// byte-order mark is converted, and in other text each byte that is not part of valid UTF-8 is
// read as Windows-1252 (Latin-1 plus printable characters in 0x80-0x9f), with a warning naming
// its line.
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
	return decodeMixed(name, src)
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

// maxDecodeLines is how many lines with bytes not valid UTF-8 get a warning each; one more
// warning counts the others.
const maxDecodeLines = 10

// decodeMixed reads UTF-8 text in which some bytes are not valid UTF-8: valid sequences stay as
// they are, and each other byte is read as Windows-1252. A file in Windows-1252 throughout is
// read whole as such, but for the rare pair of its characters that makes a valid UTF-8 sequence
// (Ã© for é), which is taken for the one character.
func decodeMixed(name string, src []byte) (string, []Problem) {
	var out strings.Builder
	out.Grow(len(src) + len(src)/4)
	var problems []Problem
	line, lineStart := 1, 0
	// The line being read when it has bad bytes: its byte list, the count of them, and where
	// the first is.
	var bytes strings.Builder
	bad, badCol := 0, 0
	lines, lastLine, moreCol := 0, 0, 0 // lines with bad bytes, the last of them, the column on the first not listed
	endLine := func() {
		if bad == 0 {
			return
		}
		if lines++; lines <= maxDecodeLines {
			if bad > 4 {
				bytes.WriteString(", …")
			}
			problems = append(problems, Problem{File: name, Line: line, Col: badCol, Severity: Warning,
				Msg: "bytes that are not UTF-8, read as Windows-1252: " + bytes.String()})
		} else if lines == maxDecodeLines+1 {
			problems = append(problems, Problem{File: name, Line: line, Col: badCol, Severity: Warning})
			moreCol = badCol
		}
		lastLine = line
		bytes.Reset()
		bad = 0
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			out.WriteByte(c)
			i++
			if c == '\n' || c == '\r' && (i == len(src) || src[i] != '\n') {
				endLine()
				line, lineStart = line+1, out.Len()
			}
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r != utf8.RuneError || n > 1 {
			out.Write(src[i : i+n])
			i += n
			continue
		}
		r = charmap.Windows1252.DecodeByte(c)
		if bad++; bad == 1 {
			badCol = out.Len() - lineStart + 1
		} else if bad <= 4 {
			bytes.WriteString(", ")
		}
		if bad <= 4 {
			fmt.Fprintf(&bytes, "0x%02X as %q", c, string(r))
		}
		out.WriteRune(r)
		i++
	}
	endLine()
	if lines > maxDecodeLines {
		p := &problems[maxDecodeLines]
		p.Col = moreCol
		p.Msg = fmt.Sprintf("%d more lines, to line %d, have bytes that are not UTF-8, read as Windows-1252 likewise",
			lines-maxDecodeLines, lastLine)
	}
	return out.String(), problems
}
