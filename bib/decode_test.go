package bib

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func problemStrings(ps []Problem) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Error())
	}
	return s
}

// TestDecodeInvalidBytes: one byte that is not UTF-8 in a UTF-8 file made the whole file read
// as Windows-1252 (Gödel as GÃ¶del). Only the bytes that are not part of valid UTF-8 are.
func TestDecodeInvalidBytes(t *testing.T) {
	src := "@misc{g,\n  author = {Kurt Gödel},\r\n  note = {caf\xe9 \x93quoted\x94},\r  title = {Über},\n  year = {\xff}\n}\n"
	f := Parse("mixed.bib", []byte(src))
	es := f.Entries()
	if len(es) != 1 {
		t.Fatalf("entries %v, problems %v", es, f.Problems)
	}
	got := map[string]string{}
	for _, fl := range es[0].Fields {
		got[fl.Name] = fl.Value
	}
	want := map[string]string{"author": "Kurt Gödel", "note": "café “quoted”", "title": "Über", "year": "ÿ"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	wantProblems := []string{
		`mixed.bib:3:14: warning: bytes that are not UTF-8, read as Windows-1252: 0xE9 as "é", 0x93 as "“", 0x94 as "”"`,
		`mixed.bib:5:11: warning: bytes that are not UTF-8, read as Windows-1252: 0xFF as "ÿ"`,
	}
	if diff := cmp.Diff(wantProblems, problemStrings(f.Problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestDecodeManyInvalidLines: a file in Windows-1252 throughout gets a warning for each of its
// first lines, then one that counts the rest.
func TestDecodeManyInvalidLines(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "@misc{k%d, author = {M\xfcller and Dvo\xf8\xe1k and \xc9mile and Fran\xe7ois}}\n", i)
	}
	f := Parse("latin1.bib", []byte(b.String()))
	if es := f.Entries(); len(es) != 40 || es[39].Get("author") != "Müller and Dvoøák and Émile and François" {
		t.Fatalf("%d entries, the last's author %q", len(es), es[len(es)-1].Get("author"))
	}
	ps := problemStrings(f.Problems)
	if len(ps) != maxDecodeLines+1 {
		t.Fatalf("%d problems, want %d: %q", len(ps), maxDecodeLines+1, ps)
	}
	if want := `latin1.bib:1:22: warning: bytes that are not UTF-8, read as Windows-1252: 0xFC as "ü", 0xF8 as "ø", 0xE1 as "á", 0xC9 as "É", …`; ps[0] != want {
		t.Errorf("first problem %s, want %s", ps[0], want)
	}
	if want := fmt.Sprintf(`latin1.bib:%d:23: warning: 30 more lines, to line 40, have bytes that are not UTF-8, read as Windows-1252 likewise`, maxDecodeLines+1); ps[maxDecodeLines] != want {
		t.Errorf("last problem %s, want %s", ps[maxDecodeLines], want)
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

// TestUTF16WithoutBOM: UTF-16 without a byte-order mark was read as UTF-8 with a NUL byte after
// each character, and gave no entry and no word.
func TestUTF16WithoutBOM(t *testing.T) {
	text := "% Encoding: UTF-16\n@string{j = {Journal}}\n@article{gödel31, author = {Kurt Gödel}, journal = j, note = {日本語 𝄞}}\n"
	for _, tt := range []struct {
		name string
		src  []byte
		msg  string
	}{
		{"le", utf16Bytes(text, false), "warning: no byte-order mark: read as UTF-16 LE, as its NUL bytes say"},
		{"be", utf16Bytes(text, true), "warning: no byte-order mark: read as UTF-16 BE, as its NUL bytes say"},
		{"le bom", append([]byte{0xff, 0xfe}, utf16Bytes(text, false)...), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []*File{Parse("u.bib", tt.src), ParseString("u.bib", string(tt.src))} {
				es := f.Entries()
				if len(es) != 1 || es[0].Key != "gödel31" || es[0].Get("journal") != "Journal" || es[0].Get("note") != "日本語 𝄞" {
					t.Fatalf("entries %+v, problems %v", es, f.Problems)
				}
				var want []string
				if tt.msg != "" {
					want = []string{"u.bib:1:1: " + tt.msg}
				}
				if diff := cmp.Diff(want, problemStrings(f.Problems)); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestUTF16Damaged: an odd last byte and unpaired surrogates are read as U+FFFD, with a warning;
// they were dropped, or replaced, without one.
func TestUTF16Damaged(t *testing.T) {
	src := append([]byte{0xff, 0xfe}, utf16Bytes("@misc{k,\n note = {a", false)...)
	src = append(src, 0x00, 0xd8) // a high surrogate alone
	src = append(src, utf16Bytes("b}}\n", false)...)
	src = append(src, '%') // half a character
	f := Parse("d.bib", src)
	if es := f.Entries(); len(es) != 1 || es[0].Get("note") != "a\ufffdb" {
		t.Fatalf("entries %+v, problems %v", es, f.Problems)
	}
	want := []string{
		"d.bib:2:11: warning: not valid UTF-16: an unpaired surrogate 0xD800, read as U+FFFD",
		"d.bib:3:1: warning: the file ends in the middle of a UTF-16 character: its last byte 0x25 is read as U+FFFD",
	}
	if diff := cmp.Diff(want, problemStrings(f.Problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestNotUTF16: text with NUL bytes that is not UTF-16 is read as it is.
func TestNotUTF16(t *testing.T) {
	for _, src := range []string{
		"@misc{a\x00b, title = {T}}\n",
		"\x00@misc{a, title = {T}}\n",
		"@misc{a, title = {\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00}}",
	} {
		text, _ := decodeString("n.bib", src)
		if text != src {
			t.Errorf("%q read as %q", src, text)
		}
	}
}

// TestUTF16ThenUTF8: a UTF-16 file with UTF-8 text after it (two files joined) read the UTF-8
// text as CJK characters, of no BibTeX item, so that its entries were lost without a word. They
// are still not read, but the file gets an error where they start; UTF-16 text in CJK, whose
// characters can be made of two ASCII bytes, gets none.
func TestUTF16ThenUTF8(t *testing.T) {
	for _, bigEndian := range []bool{false, true} {
		src := append([]byte{0xff, 0xfe}, utf16Bytes("@misc{a, title = {x}}\n", false)...)
		if bigEndian {
			src = append([]byte{0xfe, 0xff}, utf16Bytes("@misc{a, title = {x}}\n", true)...)
		}
		src = append(src, strings.Repeat("@misc{b, title = {y}}\n", 100)...)
		f := Parse("joined.bib", src)
		if es := f.Entries(); len(es) != 1 || es[0].Key != "a" {
			t.Fatalf("entries %+v", es)
		}
		want := []string{`joined.bib:2:1: from here the bytes are 8-bit text ("@misc{b, title = {y}}\n@misc{b, t"), not UTF-16: ` +
			`read as UTF-16 they are no BibTeX, and what they hold is not read (is a UTF-8 file joined to a UTF-16 one?)`}
		if diff := cmp.Diff(want, problemStrings(f.Problems)); diff != "" {
			t.Errorf("big-endian %v: problems (-want +got):\n%s", bigEndian, diff)
		}
	}
	// Chinese, Japanese and symbols whose UTF-16 bytes are all ASCII text (U+2020-U+7E7E with a
	// printable low byte), in runs as long as a title's.
	var cjk strings.Builder
	for r := rune(0x4e20); cjk.Len() < 3*200; r++ {
		if textByte(byte(r)) {
			cjk.WriteRune(r)
		}
	}
	src := "@misc{c, title = {" + cjk.String()[:3*60] + "}, note = {ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをん}}\n"
	f := Parse("cjk.bib", append([]byte{0xff, 0xfe}, utf16Bytes(src, false)...))
	if len(f.Problems) != 0 || len(f.Entries()) != 1 {
		t.Errorf("CJK in UTF-16: %d entries, problems %v", len(f.Entries()), problemStrings(f.Problems))
	}
}

// A file whose first lines name its 8-bit character set, as Emacs and JabRef write it, is read
// in that set: Latin-9's 0xA6 is Š, where Windows-1252 has ¦. A file that says UTF-8 and is not,
// or names no set, is read as before.
func TestDecodeDeclaredCharset(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       string // the title read
		warning    string // in the one warning
	}{
		{"emacs", "% -*- coding: latin-9-unix -*-\n", "Šome title", "read as ISO 8859-15, as its line 1 says"},
		{"jabref", "% Encoding: ISO-8859-15\n\n", "Šome title", "read as ISO 8859-15, as its line 1 says"},
		{"jabref windows", "% Encoding: windows-1252\n", "¦ome title", "read as Windows 1252"},
		{"utf-8 declared", "% Encoding: UTF-8\n", "¦ome title", "read as Windows-1252: 0xA6"},
		{"none", "% a comment\n", "¦ome title", "read as Windows-1252: 0xA6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.head + "@book{test, title = {\xa6ome title}, year = 1999}\n"
			f := Parse("latin9.bib", []byte(src))
			if len(f.Entries()) != 1 {
				t.Fatalf("entries %v, problems %v", f.Entries(), f.Problems)
			}
			if got := f.Entries()[0].Get("title"); got != c.want {
				t.Errorf("title %q, want %q", got, c.want)
			}
			if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Msg, c.warning) {
				t.Errorf("problems %v, want one saying %q", f.Problems, c.warning)
			}
		})
	}
}
