package bib

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
)

// decodeString is decode for text already in a string: valid UTF-8 is used as it is.
func decodeString(name, s string) (string, []Problem) {
	s = strings.TrimPrefix(s, "\ufeff")
	if utf8.ValidString(s) && !strings.HasPrefix(s, "\xff\xfe") && !strings.HasPrefix(s, "\xfe\xff") {
		if _, ok := utf16Unmarked(s); !ok {
			return s, nil
		}
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
// byte-order mark, or without one but with the NUL bytes of its ASCII characters, is converted,
// and in other text each byte that is not part of valid UTF-8 is read as Windows-1252 (Latin-1
// plus printable characters in 0x80-0x9f), with a warning naming its line.
func decode(name string, src []byte) (string, []Problem) {
	switch {
	case len(src) >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf:
		src = src[3:]
	case len(src) >= 2 && (src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff):
		return decodeUTF16(name, src[2:], src[0] == 0xfe)
	}
	if bigEndian, ok := utf16Unmarked(src); ok {
		text, problems := decodeUTF16(name, src, bigEndian)
		order := "LE"
		if bigEndian {
			order = "BE"
		}
		return text, append([]Problem{{File: name, Line: 1, Col: 1, Severity: Warning,
			Msg: "no byte-order mark: read as UTF-16 " + order + ", as its NUL bytes say"}}, problems...)
	}
	if utf8.Valid(src) {
		return string(src), nil
	}
	if cm, label, line := declaredCharset(src); cm != nil {
		text, err := cm.NewDecoder().Bytes(src)
		if err == nil {
			return string(text), []Problem{{File: name, Line: line, Col: 1, Severity: Warning,
				Msg: "the file is not UTF-8: read as " + label + ", as its line " + strconv.Itoa(line) + " says"}}
		}
	}
	return decodeMixed(name, src)
}

// declaredCharset returns the single-byte character set that a comment in the file's first lines
// names, as JabRef writes it ("% Encoding: windows-1252") or Emacs reads it ("-*- coding:
// latin-9-unix -*-"), with its name and line; nil when none does. Windows-1252, which the
// bytes are read as otherwise, is not ISO-8859-15 (Latin-9): 0xA6 is ¦ there and Š here.
func declaredCharset(src []byte) (*charmap.Charmap, string, int) {
	for line := 1; line <= 3 && len(src) > 0; line++ {
		text := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			text, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		s := strings.ToLower(strings.TrimSpace(string(text)))
		if !strings.HasPrefix(s, "%") {
			continue
		}
		var label string
		if _, rest, ok := strings.Cut(s, "encoding:"); ok {
			label = rest
		} else if _, rest, ok := strings.Cut(s, "coding:"); ok && strings.Contains(s, "-*-") {
			label = rest
		} else {
			continue
		}
		label = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(label), "-*-"))
		if f := strings.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == ';' }); len(f) > 0 {
			label = f[0]
		}
		for _, eol := range []string{"-unix", "-dos", "-mac"} {
			label = strings.TrimSuffix(label, eol)
		}
		if cm := charsetNamed(label); cm != nil {
			return cm, cm.String(), line
		}
	}
	return nil, "", 0
}

// charsetNamed returns the single-byte character set of an IANA name or Emacs's latin-N; nil for
// others (UTF-8 among them: a file that says so and is not keeps the mixed reading).
func charsetNamed(label string) *charmap.Charmap {
	latin := map[string]*charmap.Charmap{"1": charmap.ISO8859_1, "2": charmap.ISO8859_2, "3": charmap.ISO8859_3,
		"4": charmap.ISO8859_4, "5": charmap.ISO8859_9, "7": charmap.ISO8859_13, "8": charmap.ISO8859_14,
		"9": charmap.ISO8859_15, "0": charmap.ISO8859_15, "10": charmap.ISO8859_16}
	for _, prefix := range []string{"iso-latin-", "latin-", "latin"} {
		if n, ok := strings.CutPrefix(label, prefix); ok {
			return latin[n]
		}
	}
	if n, ok := strings.CutPrefix(label, "cp"); ok {
		label = "windows-" + n
	}
	e, err := ianaindex.IANA.Encoding(label)
	if err != nil || e == nil {
		return nil
	}
	cm, _ := e.(*charmap.Charmap)
	return cm
}

// utf16Unmarked reports whether text without a byte-order mark is UTF-16, and in which order,
// from the NUL bytes of its first 4 KiB. The characters of BibTeX's syntax are ASCII, whose
// UTF-16 has a NUL high byte: in LE every second byte from the second, in BE from the first. The
// text must start with such a character (which a parsed entry's source, starting @ and a letter,
// never looks like), half of its characters must be so, and barely any must have a NUL low byte.
func utf16Unmarked[T string | []byte](src T) (bigEndian, ok bool) {
	n := min(len(src), 4096) &^ 1
	if n < 2 || (src[0] == 0) == (src[1] == 0) {
		return false, false
	}
	var even, odd int // NULs at even and odd offsets
	for i := 0; i < n; i += 2 {
		if src[i] == 0 {
			even++
		}
		if src[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case src[1] == 0 && 2*odd >= pairs && 16*even <= odd:
		return false, true
	case src[0] == 0 && 2*even >= pairs && 16*odd <= even:
		return true, true
	}
	return false, false
}

// eightBitRun is how many UTF-16 code units in a row whose two bytes are both ASCII text
// (printable, tab, CR or LF) say that the bytes are 8-bit text read as UTF-16: such a unit is a
// CJK character or a symbol, and text of those has a space, a line break or punctuation, each
// with a NUL byte, long before 64 of them, while ASCII or UTF-8 text (a UTF-8 file joined to a
// UTF-16 one) makes nothing else.
const eightBitRun = 64

// textByte reports whether c is an ASCII byte of text: printable, a tab or a line break.
func textByte(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' }

// decodeUTF16 converts UTF-16 to UTF-8. An unpaired surrogate, and an odd last byte, are read as
// U+FFFD, with a warning (the first few each). Bytes that are 8-bit text rather than UTF-16
// (eightBitRun) are converted as UTF-16 too, and the first of them gets an error: what they
// hold would otherwise be lost without a word, read as text of no BibTeX item.
func decodeUTF16(name string, b []byte, bigEndian bool) (string, []Problem) {
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	var out strings.Builder
	out.Grow(len(b) / 2 * 3 / 2)
	var problems []Problem
	bad := 0
	line, lineStart := 1, 0
	run, runCol, told := 0, 0, false // units of ASCII text bytes in a row, and the column of the first
	for i := 0; i+1 < len(b); i += 2 {
		r := unit(i)
		if !told && textByte(b[i]) && textByte(b[i+1]) {
			if run++; run == 1 {
				runCol = out.Len() - lineStart + 1
			} else if run == eightBitRun {
				told = true
				problems = append(problems, Problem{File: name, Line: line, Col: runCol, Severity: Error,
					Msg: fmt.Sprintf("from here the bytes are 8-bit text (%q), not UTF-16: read as UTF-16 they are no BibTeX, "+
						"and what they hold is not read (is a UTF-8 file joined to a UTF-16 one?)", b[i+2-2*eightBitRun:i+2-2*eightBitRun+32])})
			}
		} else {
			run = 0
		}
		if utf16.IsSurrogate(r) {
			if i+3 < len(b) {
				if pair := utf16.DecodeRune(r, unit(i+2)); pair != utf8.RuneError {
					out.WriteRune(pair)
					i += 2
					continue
				}
			}
			if bad++; bad <= maxDecodeLines {
				problems = append(problems, Problem{File: name, Line: line, Col: out.Len() - lineStart + 1, Severity: Warning,
					Msg: fmt.Sprintf("not valid UTF-16: an unpaired surrogate 0x%04X, read as U+FFFD", r)})
			}
			r = utf8.RuneError
		}
		out.WriteRune(r)
		if r == '\n' || r == '\r' && (i+3 >= len(b) || unit(i+2) != '\n') {
			line, lineStart = line+1, out.Len()
		}
	}
	if bad > maxDecodeLines {
		problems = append(problems, Problem{File: name, Line: line, Col: 1, Severity: Warning,
			Msg: fmt.Sprintf("%d more unpaired surrogates read as U+FFFD", bad-maxDecodeLines)})
	}
	if len(b)%2 == 1 {
		problems = append(problems, Problem{File: name, Line: line, Col: out.Len() - lineStart + 1, Severity: Warning,
			Msg: fmt.Sprintf("the file ends in the middle of a UTF-16 character: its last byte 0x%02X is read as U+FFFD", b[len(b)-1])})
		out.WriteRune(utf8.RuneError)
	}
	return out.String(), problems
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
