package ident

import (
	"os"
	"testing"
	"unicode/utf8"
)

// seeds are texts the fuzz tests start from: each form of each kind, the tricky negatives and
// the reference list.
func seeds(f *testing.F) {
	for _, s := range []string{
		"10.1145/3368089.3409741", "https://doi.org/10.1145/3368089.3409741).", "(" + sici + ").",
		"https://doi.org/10.1002/1096-9128%28200005%2912%3A6%3C375%3A%3AAID-CPE480%3E3.0.CO%3B2-M",
		"doi:10.1000/a,10.1000/b;doi:10.1000/c", "https://doi.org/10.1038/\nnature14539", "doi:10.1038/s41586-\n021-03819-2.",
		"hep-th/9901001 math.GT/0309136v2 2106.09685v2 arXiv:2106.09685 https://arxiv.org/pdf/2106.09685v2.pdf",
		"http://export.arxiv.org/abs/hep-th/9901001", "ISBN 0-19-953592-2", "978 0 19 953592 7", "0-8044-2957-X",
		"<b>ISBN</b>:978-1 234\u00a056789 - 7(print)\n<b>ISBN-10</b>:123-456789X (print)",
		"PMID: 34265844 https://pubmed.ncbi.nlm.nih.gov/34265844/ PMCID: PMC8371605 PMCID: 8371605",
		"version 10.5.2, 2021-06-15, 555-123-4567, 10.1234, 10/aabbe, 0704.12345",
	} {
		f.Add(s)
	}
	if src, err := os.ReadFile("testdata/references.txt"); err == nil {
		f.Add(string(src))
	}
}

// FuzzFind checks that Find never panics, that each identifier's Text is where Offset says, in
// order and apart from the others, and that Parse reads each Text back as the same identifier.
func FuzzFind(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		end := 0
		for _, id := range Find(text) {
			if id.Offset < end || id.Offset+len(id.Text) > len(text) || text[id.Offset:id.Offset+len(id.Text)] != id.Text {
				t.Fatalf("Find(%q): %+v is not where it says, or overlaps the one before", text, id)
			}
			end = id.Offset + len(id.Text)
			if id.Value == "" || id.Kind < DOI || id.Kind > PMCID {
				t.Fatalf("Find(%q): %+v", text, id)
			}
			back, err := Parse(id.Text)
			if err != nil {
				t.Fatalf("Find(%q) found %+v, which Parse refuses: %v", text, id, err)
			}
			if back.Kind != id.Kind || back.Value != id.Value || back.Version != id.Version || back.Text != id.Text {
				t.Fatalf("Find(%q) found %+v, Parse(%q) = %+v", text, id, id.Text, back)
			}
		}
		Unrecognised(text)
	})
}

// FuzzParse checks that Parse never panics and that what it reads it reads again from its
// Text.
func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q): empty error", s)
			}
			return
		}
		if utf8.ValidString(s) && s[id.Offset:id.Offset+len(id.Text)] != id.Text {
			t.Fatalf("Parse(%q): %+v is not where it says", s, id)
		}
		back, err := Parse(id.Text)
		if err != nil || back != (ID{Kind: id.Kind, Value: id.Value, Version: id.Version, Text: id.Text}) {
			t.Fatalf("Parse(%q) = %+v, Parse(%q) = %+v, %v", s, id, id.Text, back, err)
		}
	})
}
