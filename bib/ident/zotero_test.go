package ident

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// found is what the tests compare of an identifier: its kind, value and version.
type found struct {
	Kind    Kind
	Value   string
	Version int
}

func kinds(ids []ID) []found {
	var out []found
	for _, id := range ids {
		out = append(out, found{id.Kind, id.Value, id.Version})
	}
	return out
}

func doi(v string) found   { return found{Kind: DOI, Value: v} }
func isbn(v string) found  { return found{Kind: ISBN, Value: v} }
func arxiv(v string) found { return found{Kind: ArXiv, Value: v} }
func pmid(v string) found  { return found{Kind: PMID, Value: v} }

// TestZoteroExtractIdentifiers runs the cases of Zotero's tests of extractIdentifiers:
// zotero/zotero, test/tests/utilities_internalTest.js, describe("#extractIdentifiers()").
// Where Find answers otherwise, the comment says what Zotero expects and why Find differs.
func TestZoteroExtractIdentifiers(t *testing.T) {
	tests := []struct {
		name, text string
		want       []found
	}{
		// Zotero: ISBN "0838985890". Find gives every ISBN as its ISBN-13.
		{"should extract ISBN-10", "0838985890", []found{isbn("9780838985892")}},
		{"should extract ISBN-13", "978-0838985892", []found{isbn("9780838985892")}},
		{"should extract multiple ISBN-13s", "978-0838985892 9781479347711 ", []found{isbn("9780838985892"), isbn("9781479347711")}},
		{"should extract DOI", "10.4103/0976-500X.85940", []found{doi("10.4103/0976-500X.85940")}},
		// Zotero: PMIDs 1, 24297125, 222 and 123456789, taking any bare number when the text
		// holds nothing else. Find takes only the labelled one.
		{"should extract PMID", "1 PMID:24297125,222 3-4 1234567890, 123456789", []found{pmid("24297125")}},
		// Zotero: also 0706.00441. arXiv issued five digits after the dot only from 1501 on,
		// so 0706.00441 cannot be an arXiv id.
		{"should extract multiple old and new style arXivs", "0706.0044 arXiv:0706.00441v1,12345678,hep-ex/9809001v1, math.GT/0309135.",
			[]found{arxiv("0706.0044"), {ArXiv, "hep-ex/9809001", 1}, arxiv("math/0309135")}},
		// Zotero: ADS bibcodes 2021wfc..rept....8D and 2022MSSP..16208010Y. Find does not read
		// bibcodes (the issue does not ask for them).
		{"should extract ADS bibcodes", "9 2021wfc..rept....8D, 2022MSSP..16208010Y.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, kinds(Find(tt.text))); diff != "" {
				t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestZoteroCleanDOI runs the cases of Zotero's tests of cleanDOI: zotero/utilities,
// test/tests/utilitiesTest.js, describe("#cleanDOI()").
func TestZoteroCleanDOI(t *testing.T) {
	const d = "10.1088/1748-9326/11/4/048002"
	tests := []struct {
		name, text string
		want       []found
	}{
		{"should parse a DOI", d, []found{doi(d)}},
		// Zotero: 10/aabbe. Find does not take short DOIs: in running text 10/12 is a date.
		{"should parse a short DOI", "10/aabbe", nil},
		{"should parse a DOI at the end of a sentence", "Foo bar " + d + ". Foo bar", []found{doi(d)}},
		{"should parse a DOI with URL-encoded < and >", "Foo bar 10.1002/1096-9128(200005)12:6%3C375::AID-CPE480%3E3.0.CO;2-M. Foo bar",
			[]found{doi("10.1002/1096-9128(200005)12:6<375::AID-CPE480>3.0.CO;2-M")}},
		{"should parse a DOI URL with encoded characters", "Foo bar https://doi.org/10.1002/1096-9128(200005)12:6%3C375::AID-CPE480%3E3.0.CO;2-M. Foo bar",
			[]found{doi("10.1002/1096-9128(200005)12:6<375::AID-CPE480>3.0.CO;2-M")}},
		{"should parse a DOI in parentheses", "Foo bar (" + d + ") foo bar", []found{doi(d)}},
		{"should parse a DOI in brackets", "Foo bar [" + d + "] foo bar", []found{doi(d)}},
		// Zotero returns nothing here too: the registrant 101 is too short.
		{"should parse a DOI with an invalid URI-encoded character", "https://doi.org/10.101/%E0%A4%A", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, kinds(Find(tt.text))); diff != "" {
				t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestZoteroCleanISBN runs the cases of Zotero's tests of cleanISBN and toISBN13:
// zotero/utilities, test/tests/utilitiesTest.js, describe("#cleanISBN()") and
// describe("toISBN13"). cleanISBN returns the first ISBN of a field; Find returns them all,
// as ISBN-13s. The cases with dontValidate are left out: Find always verifies the checksum.
func TestZoteroCleanISBN(t *testing.T) {
	const i13 = "9781234567897"
	tests := []struct {
		name, text string
		want       []found
	}{
		{"empty string", "", nil},
		{"non-ISBN string", "Random String 123", nil},
		{"ISBN10-looking string with X in the middle", "1234X67890", nil},
		{"ISBN13-looking string with X as check-digit", "987123456789X", nil},
		{"invalid ISBN10", "1234567890", nil},
		{"invalid ISBN13", "9871234567890", nil},
		{"valid ISBN10", "123456789X", []found{isbn(i13)}},
		{"valid ISBN10 with lower case input", "123456789x", []found{isbn(i13)}},
		{"valid ISBN13", i13, []found{isbn(i13)}},
		{"valid ISBN13 in 979 range", "9791843123391", []found{isbn("9791843123391")}},
		{"preceding string (with space)", "ISBN 9781234567897", []found{isbn(i13)}},
		{"preceding string (without space)", "ISBN:9781234567897", []found{isbn(i13)}},
		{"trailing string (with space)", "9781234567897 ISBN13", []found{isbn(i13)}},
		{"trailing string (without space)", "9781234567897(ISBN13)", []found{isbn(i13)}},
		{"surrounding string", "ISBN13:9781234567897 (print)", []found{isbn(i13)}},
		{"pseudo-ISBN prefix", "978 9781234567 897", []found{isbn(i13)}},
		{"list of valid ISBN13s", "9781234567897, 9791843123391", []found{isbn(i13), isbn("9791843123391")}},
		{"list of valid ISBN10s", "123456789X, 0199535922", []found{isbn(i13), isbn("9780199535927")}},
		{"mixed-length ISBNs, 10 first", "123456789X 9781234567897", []found{isbn(i13)}},
		{"mixed-length ISBNs, 13 first", "9781234567897 123456789X", []found{isbn(i13)}},
		{"valid and invalid ISBNs", "1234567890 9781234567897", []found{isbn(i13)}},
		{"number prefix", "1239781234567897", nil},
		{"number suffix", "9781234567897123", nil},
		{"surrounding numbers", "1239781234567897123", nil},
		{"dirty string", "<b>ISBN</b>:978-1 234\u00A056789 - 7(print)\n<b>ISBN-10</b>:123\x2D456789X (print)", []found{isbn(i13)}},
		{"toISBN13: hyphenated ISBN", "978-1234567897", []found{isbn(i13)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, kinds(Find(tt.text))); diff != "" {
				t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestZoteroISBNCharacters is Zotero's "should strip off internal characters in ISBN string":
// one dash or space inside an ISBN is read over, any other character is not. Zotero's list of
// spaces has line breaks (\r, \n, U+2028, U+2029; Find does not take U+0085 either), which in a paste separate identifiers, so
// Find does not read over them; and Zotero reads over all of the characters in a row, which
// Find does not (at most three spaces and dashes, one of them a dash).
func TestZoteroISBNCharacters(t *testing.T) {
	ignored := "\x2D\u00AD\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212" + // dashes
		" \u00A0\t\x0B\x0C\u1680\u2000\u2001\u2002\u2003\u2004\u2005" + // spaces
		"\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000\uFEFF"
	want := []found{isbn("9781234567897")}
	for _, c := range ignored {
		text := "9781" + string(c) + "234567897"
		if diff := cmp.Diff(want, kinds(Find(text))); diff != "" {
			t.Errorf("Find(%q) (-want +got):\n%s", text, diff)
		}
	}
	for c := rune(1); c < 1327; c++ {
		if strings.ContainsRune(ignored+"\r\n1234567890", c) {
			continue
		}
		text := "9781" + string(c) + "234567897"
		if got := Find(text); len(got) != 0 {
			t.Errorf("Find(%q) = %v, want nothing", text, got)
		}
	}
}
