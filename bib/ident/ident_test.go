package ident

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sici = "10.1002/1096-9128(200005)12:6<375::AID-CPE480>3.0.CO;2-M"

// TestFindForms reads each form of each kind a user may paste; text is what Text should be
// when it differs from the input.
func TestFindForms(t *testing.T) {
	const fse = "10.1145/3368089.3409741"
	tests := []struct {
		in   string
		want found
		text string
	}{
		{fse, doi(fse), ""},
		{"https://doi.org/" + fse, doi(fse), ""},
		{"http://dx.doi.org/" + fse, doi(fse), ""},
		{"https://www.doi.org/" + fse, doi(fse), ""},
		{"doi.org/" + fse, doi(fse), ""},
		{"doi:" + fse, doi(fse), ""},
		{"DOI: " + fse, doi(fse), ""},
		{"DOI " + fse, doi(fse), ""},
		{"info:doi/" + fse, doi(fse), ""},
		{"(doi:" + fse + ").", doi(fse), "doi:" + fse},
		{"see " + fse + ", and", doi(fse), fse},
		{`"` + fse + `"`, doi(fse), fse},
		{"<https://doi.org/" + fse + ">", doi(fse), "https://doi.org/" + fse},
		{"“" + fse + "”", doi(fse), fse},
		{"10.1145/3368089.3409741.", doi(fse), fse},
		{"(" + sici + ").", doi(sici), sici},
		{"[" + sici + "]", doi(sici), sici},
		{"https://doi.org/10.1002/1096-9128%28200005%2912%3A6%3C375%3A%3AAID-CPE480%3E3.0.CO%3B2-M", doi(sici), ""},
		{"10.1000.10/123456", doi("10.1000.10/123456"), ""},
		{"https://link.springer.com/chapter/10.1007/978-3-540-74958-5_5", doi("10.1007/978-3-540-74958-5_5"), ""},
		{"10.48550/arXiv.2106.09685", doi("10.48550/arXiv.2106.09685"), ""},

		{"hep-th/9901001", arxiv("hep-th/9901001"), ""},
		{"math.GT/0309136", arxiv("math/0309136"), ""},
		{"cond-mat.stat-mech/0501001v2", found{ArXiv, "cond-mat/0501001", 2}, ""},
		{"arXiv:hep-th/9711200", arxiv("hep-th/9711200"), ""},
		{"2106.09685", arxiv("2106.09685"), ""},
		{"2106.09685v2", found{ArXiv, "2106.09685", 2}, ""},
		{"arXiv:2106.09685", arxiv("2106.09685"), ""},
		{"arXiv: 2106.09685", arxiv("2106.09685"), ""},
		{"ARXIV 2106.09685v12", found{ArXiv, "2106.09685", 12}, ""},
		{"arXiv:1412.6980", arxiv("1412.6980"), ""},
		{"0704.0001", arxiv("0704.0001"), ""},
		{"https://arxiv.org/abs/2106.09685", arxiv("2106.09685"), ""},
		{"https://arxiv.org/abs/2106.09685v2", found{ArXiv, "2106.09685", 2}, ""},
		{"https://arxiv.org/pdf/2106.09685v2.pdf", found{ArXiv, "2106.09685", 2}, ""},
		{"https://arxiv.org/pdf/2106.09685", arxiv("2106.09685"), ""},
		{"https://arxiv.org/html/2106.09685v2", found{ArXiv, "2106.09685", 2}, ""},
		{"http://export.arxiv.org/abs/hep-th/9901001", arxiv("hep-th/9901001"), ""},
		{"https://arxiv.org/abs/math.GT/0309136v1", found{ArXiv, "math/0309136", 1}, ""},
		{"(arXiv:2106.09685).", arxiv("2106.09685"), "arXiv:2106.09685"},

		{"978-0-19-953592-7", isbn("9780199535927"), ""},
		{"ISBN 978-0-19-953592-7", isbn("9780199535927"), ""},
		{"ISBN-13: 978-0-19-953592-7", isbn("9780199535927"), ""},
		{"978 0 19 953592 7", isbn("9780199535927"), ""},
		{"9780199535927", isbn("9780199535927"), ""},
		{"0-19-953592-2", isbn("9780199535927"), ""},
		{"ISBN-10: 0199535922", isbn("9780199535927"), ""},
		{"isbn 0 19 953592 2", isbn("9780199535927"), ""},
		{"0-8044-2957-X", isbn("9780804429573"), ""},
		{"ISBN 0–19–953592–2 (pbk.)", isbn("9780199535927"), "ISBN 0–19–953592–2"},

		{"PMID: 34265844", pmid("34265844"), ""},
		{"PMID:34265844", pmid("34265844"), ""},
		{"pmid 34265844", pmid("34265844"), ""},
		{"PMID- 34265844", pmid("34265844"), ""},
		{"https://pubmed.ncbi.nlm.nih.gov/34265844/", pmid("34265844"), "https://pubmed.ncbi.nlm.nih.gov/34265844"},
		{"https://www.ncbi.nlm.nih.gov/pubmed/34265844", pmid("34265844"), ""},

		{"PMC8371605", found{Kind: PMCID, Value: "PMC8371605"}, ""},
		{"PMCID: PMC8371605", found{Kind: PMCID, Value: "PMC8371605"}, ""},
		{"PMCID: 8371605", found{Kind: PMCID, Value: "PMC8371605"}, ""},
		{"https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8371605/", found{Kind: PMCID, Value: "PMC8371605"}, "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8371605"},
		{"https://pmc.ncbi.nlm.nih.gov/articles/PMC8371605/", found{Kind: PMCID, Value: "PMC8371605"}, "https://pmc.ncbi.nlm.nih.gov/articles/PMC8371605"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Find(tt.in)
			if diff := cmp.Diff([]found{tt.want}, kinds(got)); diff != "" {
				t.Fatalf("Find(%q) (-want +got):\n%s", tt.in, diff)
			}
			text := tt.text
			if text == "" {
				text = tt.in
			}
			if got[0].Text != text || tt.in[got[0].Offset:got[0].Offset+len(got[0].Text)] != text {
				t.Errorf("Find(%q): Text %q at %d, want %q", tt.in, got[0].Text, got[0].Offset, text)
			}
			id, err := Parse(text)
			id.Offset = got[0].Offset
			if err != nil || id != got[0] {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", text, id, err, got[0])
			}
		})
	}
}

// TestReferenceList reads a reference list copied from a paper's PDF (testdata/references.txt,
// see testdata/README.md): lines cut where the PDF cut them, DOIs as URLs and as doi:, arXiv
// ids of both schemes, an ISBN, a PMID and a PMCID.
func TestReferenceList(t *testing.T) {
	src, err := os.ReadFile("testdata/references.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []found{
		{ArXiv, "2106.09685", 2},
		doi("10.1109/CVPR.2016.90"),
		doi("10.1038/nature14539"),
		arxiv("hep-th/9711200"),
		doi("10.1023/A:1026654312961"),
		arxiv("1706.03762"),
		doi("10.18653/v1/N19-1423"),
		arxiv("1810.04805"),
		arxiv("math/0211159"),
		arxiv("1412.6980"),
		doi("10.1038/nature16961"),
		doi("10.1016/j.jcp.2018.10.045"),
		isbn("9780262035613"),
		doi("10.1038/s41586-021-03819-2"),
		pmid("34265844"),
		{Kind: PMCID, Value: "PMC8371605"},
	}
	got := Find(string(src))
	if diff := cmp.Diff(want, kinds(got)); diff != "" {
		t.Errorf("Find(references.txt) (-want +got):\n%s", diff)
	}
}

// TestNotIdentifiers: numbers that look like identifiers and are not.
func TestNotIdentifiers(t *testing.T) {
	for _, in := range []string{
		"version 10.5.2 of the tool",
		"released 2021-06-15, updated 15/06/2021 and 10/12/2020",
		"Call +1 (555) 123-4567 or 555-123-4567",
		"Phone: 0123456789",          // a valid ISBN-10 checksum, on a line that is not about ISBNs
		"Tel. 0 12 345 678 9 (home)", // the same, spaced
		"ISBN 0-19-953592-3",         // bad ISBN-10 checksum
		"ISBN 978-0-19-953592-8",     // bad ISBN-13 checksum
		"9771234567003",              // 13 digits, not 978 or 979 (an ISSN's EAN)
		"10.1234",
		"10.1234/",
		"doi:10.123/abc", // a registrant of three digits
		"see page 10.1000 and figure 10.2",
		"IP 192.168.10.1/24",
		"price 1234.5678 and 2019.12345",
		"0704.12345",       // five digits before 2015
		"1501.1234",        // four digits after 2014
		"0703.1234",        // before the new scheme began
		"2113.01234",       // month 13
		"foo/0309136",      // not an arXiv archive
		"math/0313136",     // month 13
		"hep-th/99010011",  // eight digits
		"xhep-th/9901001",  // part of a longer word
		"1.2106.09685",     // part of a longer number
		"2106.09685.3",     // the same
		"2106.09685v0",     // versions start at 1
		"12345678",         // a bare number is not a PMID
		"PMID: 1234567890", // too long
		"PMID: 0",
		"PMC",
		"PMID",
		"EuropePMC12345",
		"abc10.1000/xyz",
	} {
		if got := Find(in); len(got) != 0 {
			t.Errorf("Find(%q) = %+v, want nothing", in, got)
		}
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) gave no error", in)
		}
	}
}

// TestFindMany: several identifiers in one paste, a line each or in running text, repeated
// ones reported once.
func TestFindMany(t *testing.T) {
	tests := []struct {
		name, in string
		want     []found
	}{
		{"lines", "10.1000/a\r\n\n  2106.09685\t\n\nhep-th/9901001\nPMID: 123\n0-19-953592-2\n",
			[]found{doi("10.1000/a"), arxiv("2106.09685"), arxiv("hep-th/9901001"), pmid("123"), isbn("9780199535927")}},
		{"paragraph", "As shown by Hu et al. (arXiv:2106.09685) and in the survey (https://doi.org/10.1000/abc), see also PMC8371605.",
			[]found{arxiv("2106.09685"), doi("10.1000/abc"), {Kind: PMCID, Value: "PMC8371605"}}},
		{"no-break spaces", "10.1000/a\u00a010.1000/b\u202f2106.09685", []found{doi("10.1000/a"), doi("10.1000/b"), arxiv("2106.09685")}},
		{"comma-separated DOIs", "10.1000/a,10.1000/b;doi:10.1000/c", []found{doi("10.1000/a"), doi("10.1000/b"), doi("10.1000/c")}},
		{"DOI cut after slash", "Nature.\nhttps://doi.org/10.1038/\nnature14539\n", []found{doi("10.1038/nature14539")}},
		{"DOI cut after dash", "doi:10.1038/s41586-\n021-03819-2.", []found{doi("10.1038/s41586-021-03819-2")}},
		{"DOI ends a sentence before a line", "doi:10.1000/abc.\nNext reference", []found{doi("10.1000/abc")}},
		{"duplicates", "10.1000/ABC 10.1000/abc https://doi.org/10.1000/Abc 2106.09685v1 arXiv:2106.09685v2 ISBN 0199535922 978-0-19-953592-7",
			[]found{doi("10.1000/ABC"), {ArXiv, "2106.09685", 1}, isbn("9780199535927")}},
		{"ISBN in a DOI", "10.1007/978-3-540-74958-5_5", []found{doi("10.1007/978-3-540-74958-5_5")}},
		{"ISBN-10s listed on a line", "0199535922, 0-8044-2957-X; 10.1000/x", []found{isbn("9780199535927"), isbn("9780804429573"), doi("10.1000/x")}},
		{"ISBN-10 beside words", "see 0199535922 for more", nil},
		{"ISBN-13 beside words", "see 9780199535927 for more", []found{isbn("9780199535927")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, kinds(Find(tt.in))); diff != "" {
				t.Errorf("Find(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"hello", "not a DOI, arXiv id, ISBN, PMID or PMCID"},
		{"10.1234", `"10.1234" has no /`},
		{"10.5.2", `"10.5.2" has no /`},
		{"10.1234/", "nothing follows the /"},
		{"doi:10.123/abc", "four or more digits"},
		{"10/aabbe", "short DOIs"},
		{"0-19-953592-3", "ISBN-10 checksum fails (the check digit would be 2)"},
		{"ISBN 978-0-19-953592-8", "ISBN-13 checksum fails (the check digit would be 7)"},
		{"9771234567003", "starts with 978 or 979"},
		{"ISBN 12345", "10 or 13 digits, not 5"},
		{"12345678", "a bare number is not read as a PMID: write PMID: 12345678"},
		{"PMID: abc", "not a PMID"},
		{"PMC0", "not a PMCID"},
		{"2113.01234", "2113 is not a year and month"},
		{"0704.12345", "four digits after the dot"},
		{"1501.1234", "five digits after the dot"},
		{"0612.1234", "begin in April 2007"},
		{"foo/0309136", `"foo" is not an archive`},
		{"hep-th/991", "old-scheme id"},
		{"10.1000/a 10.1000/b", "holds 2 identifiers (DOI 10.1000/a, DOI 10.1000/b): give one"},
		{"see 10.1000/a please", "other text beside the DOI 10.1000/a"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Input != tt.in || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want a *ParseError saying %q", tt.in, err, tt.want)
		}
	}
}

func TestParseOffset(t *testing.T) {
	id, err := Parse("  (doi:10.1000/x).\n")
	if err != nil || id.Offset != 3 || id.Text != "doi:10.1000/x" {
		t.Errorf("Parse = %+v, %v; want Text doi:10.1000/x at 3", id, err)
	}
}

func TestUnrecognised(t *testing.T) {
	in := "10.1145/3368089.3409741\nnot an id\n\n  2106.09685v2  \n978-0-19-953592-8\n10.1000/x\n10.1000/x\nhttps://doi.org/10.1038/\nnature14539\n12345678"
	want := []string{"not an id", "978-0-19-953592-8", "12345678"}
	if diff := cmp.Diff(want, Unrecognised(in)); diff != "" {
		t.Errorf("Unrecognised (-want +got):\n%s", diff)
	}
	if got := Unrecognised(" \n\t\n"); got != nil {
		t.Errorf("Unrecognised(blank) = %q, want nothing", got)
	}
}

func TestStringAndURL(t *testing.T) {
	tests := []struct {
		in, str, url, key string
	}{
		{"https://doi.org/10.1000/ABC", "10.1000/ABC", "https://doi.org/10.1000/ABC", "10.1000/abc"},
		{sici, sici, "https://doi.org/10.1002/1096-9128(200005)12:6%3C375::AID-CPE480%3E3.0.CO;2-M", strings.ToLower(sici)},
		{"https://doi.org/10.1000/a%23b%3Fc", "10.1000/a#b?c", "https://doi.org/10.1000/a%23b%3Fc", "10.1000/a#b?c"},
		{"arXiv:2106.09685v2", "arXiv:2106.09685v2", "https://arxiv.org/abs/2106.09685v2", "2106.09685"},
		{"math.GT/0309136", "arXiv:math/0309136", "https://arxiv.org/abs/math/0309136", "math/0309136"},
		{"0-19-953592-2", "ISBN 9780199535927", "https://openlibrary.org/isbn/9780199535927", "9780199535927"},
		{"PMID: 34265844", "PMID: 34265844", "https://pubmed.ncbi.nlm.nih.gov/34265844/", "34265844"},
		{"PMCID: PMC8371605", "PMC8371605", "https://pmc.ncbi.nlm.nih.gov/articles/PMC8371605/", "PMC8371605"},
	}
	for _, tt := range tests {
		id, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if id.String() != tt.str || id.URL() != tt.url || id.Key() != tt.key {
			t.Errorf("Parse(%q): String %q, URL %q, Key %q; want %q, %q, %q", tt.in, id.String(), id.URL(), id.Key(), tt.str, tt.url, tt.key)
		}
		back, err := Parse(id.String())
		if err != nil || back.Kind != id.Kind || back.Value != id.Value || back.Version != id.Version {
			t.Errorf("Parse(%q) = %+v, %v; want %v back", id.String(), back, err, id)
		}
	}
	for k, want := range map[Kind]string{DOI: "DOI", ArXiv: "arXiv", ISBN: "ISBN", PMID: "PMID", PMCID: "PMCID", 0: "Kind(0)"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
}
