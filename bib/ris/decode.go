package ris

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// decode turns a file's bytes into UTF-8 text. A UTF-8 byte-order mark is dropped; UTF-16 with
// a byte-order mark is converted. Other text that is not valid UTF-8 keeps its valid UTF-8
// sequences, and each other byte is read as Windows-1252 (Latin-1 with printable characters in
// 0x80-0x9f), which is what RIS files from older Windows programs are written in; a warning
// says so, with the first line concerned and how many there are.
func decode(name string, src []byte) (string, []bib.Problem) {
	text, problems := decodeBytes(name, src)
	return string(text), problems
}

// decodeBytes is decode returning bytes: src itself, without a UTF-8 byte-order mark, when it is
// valid UTF-8, so that a large file is not copied.
func decodeBytes(name string, src []byte) ([]byte, []bib.Problem) {
	switch {
	case len(src) >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf:
		src = src[3:]
	case len(src) >= 2 && (src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(src)
		if err != nil {
			// The decoder only fails on a missing mark, which the test above rules out.
			return nil, []bib.Problem{{File: name, Line: 1, Col: 1, Severity: bib.Error, Msg: fmt.Sprintf("read UTF-16: %v", err)}}
		}
		return out, []bib.Problem{{File: name, Line: 1, Col: 1, Severity: bib.Warning,
			Msg: "the file is UTF-16 (it starts with a byte-order mark): read as such"}}
	}
	if utf8.Valid(src) {
		return src, nil
	}
	text, problems := decodeMixed(name, src)
	return []byte(text), problems
}

// decodeMixed reads text in which some bytes are not valid UTF-8, as decode describes.
func decodeMixed(name string, src []byte) (string, []bib.Problem) {
	var out strings.Builder
	out.Grow(len(src) + len(src)/4)
	line, first, lines, lastBad := 1, 0, 0, 0
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			out.WriteByte(c)
			if c == '\n' || c == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
				line++
			}
			i++
			continue
		}
		if r, n := utf8.DecodeRune(src[i:]); r != utf8.RuneError || n > 1 {
			out.Write(src[i : i+n])
			i += n
			continue
		}
		out.WriteRune(charmap.Windows1252.DecodeByte(c))
		if lastBad != line {
			if lines++; lines == 1 {
				first = line
			}
			lastBad = line
		}
		i++
	}
	return out.String(), []bib.Problem{{File: name, Line: first, Col: 1, Severity: bib.Warning,
		Msg: fmt.Sprintf("the file is not valid UTF-8: bytes that are not UTF-8 (on %d line(s), the first here) were read as Windows-1252 (Latin-1)", lines)}}
}
