package bib

import (
	"fmt"
	"strings"
	"testing"

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
