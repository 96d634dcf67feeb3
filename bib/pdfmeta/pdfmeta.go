// Package pdfmeta finds which paper a PDF holds: its identifier (DOI, arXiv id, ISBN) from the
// XMP metadata, the document information dictionary and the text of its first pages, in that
// order, and, for a PDF that names none, the title and authors it gives, so that the entry made
// for it is never nothing.
//
// Where each identifier is: a publisher's PDF names its DOI in the metadata (Crossmark, PRISM)
// or in its first page's header or footer; an arXiv PDF carries its id stamped in the left
// margin of page one ("arXiv:2106.09685v2 [cs.CL] 16 Oct 2021"); a book has its ISBN on the
// copyright page. A page that lists many DOIs is a reference list, not the paper's own page, and
// is passed over, and a title in the metadata that is a file name ("Microsoft Word -
// draft.docx") is not taken for the paper's.
//
// The package is pure logic over what a PDF reader got out of the file (a Document): reading the
// PDF itself is bib/pdfread's job.
package pdfmeta

import (
	"bytes"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// Document is what a PDF reader got out of one PDF.
type Document struct {
	// Info is the document information dictionary, its strings decoded to UTF-8: Title,
	// Author, Subject, Keywords, Creator, Producer, and any other key a producer wrote (some
	// publishers write /doi).
	Info map[string]string
	// XMP is the document's XMP metadata packet, if it has one.
	XMP []byte
	// Pages are the first pages, in order (a reader gives MaxPages at most).
	Pages []Page
	// PageCount is the number of pages in the document.
	PageCount int
}

// Page is the text of one page.
type Page struct {
	Text string
	// Largest is the line of text set in the largest type on the page (a paper's title on its
	// first page), "" when the reader cannot tell sizes.
	Largest string
}

// A reader's errors say whether the file is a PDF: ErrNotPDF for a file that is none (no %PDF-
// header), ErrUnreadable (what errors.Is finds in its own errors) for a PDF it opened but could
// not read: encrypted, damaged, too large, too slow. Any other error (the file cannot be opened,
// the reader cannot start) says nothing of the file.
var (
	ErrNotPDF     = errors.New("not a PDF")
	ErrUnreadable = errors.New("the PDF cannot be read")
)

// LooksLikePDF reports whether a file's first bytes are a PDF's: the %PDF- header within the
// first kilobyte, where PDF readers (PDFium among them) look for it. head is the start of the
// file; more than a kilobyte of it is not looked at.
func LooksLikePDF(head []byte) bool {
	return bytes.Contains(head[:min(len(head), HeaderWindow)], []byte("%PDF-"))
}

// HeaderWindow is how much of a file's start LooksLikePDF looks at.
const HeaderWindow = 1024

// MaxPages is how many pages from the first a reader gives: a paper's identifier is on its first
// page, a book's ISBN on its copyright page (the second or fourth), and a cover sheet a
// repository adds moves both one page on.
const MaxPages = 5

// Source says where an identifier was found.
type Source int

const (
	FromXMP  Source = iota + 1 // the XMP metadata
	FromInfo                   // the document information dictionary
	FromText                   // the text of a page
)

func (s Source) String() string {
	switch s {
	case FromXMP:
		return "XMP metadata"
	case FromInfo:
		return "document information"
	case FromText:
		return "text"
	}
	return "nowhere"
}

// Paper is what a PDF says about the paper in it.
type Paper struct {
	// ID is the paper's identifier; its Kind is 0 when the PDF names none.
	ID     ident.ID
	Source Source
	Page   int // the page (from 1) ID was found on, when Source is FromText

	// Title and Authors are what the metadata says (XMP first, then the information
	// dictionary), or for the title, the first page's largest text, when the metadata has none
	// that looks like a title. Authors are names as the PDF writes them ("Jane Doe").
	Title   string
	Authors []string
}

// referenceList is how many distinct DOIs make a page a list of references: a paper's own first
// page names its DOI once or twice (its own, maybe a dataset's).
const referenceList = 4

// Identify says which paper d holds.
func Identify(d Document) Paper {
	x := parseXMP(d.XMP)
	p := Paper{Title: x.title, Authors: x.creators}
	if id, ok := firstID(x.ids); ok {
		p.ID, p.Source = id, FromXMP
	} else if id, ok := infoID(d.Info); ok {
		p.ID, p.Source = id, FromInfo
	} else {
		for i, pg := range d.Pages {
			if id, ok := pageID(pg.Text); ok {
				p.ID, p.Source, p.Page = id, FromText, i+1
				break
			}
		}
	}
	if !plausibleTitle(p.Title) {
		p.Title = ""
		if t := clean(d.Info["Title"]); plausibleTitle(t) {
			p.Title = t
		} else if len(d.Pages) > 0 && plausibleTitle(clean(d.Pages[0].Largest)) {
			p.Title = clean(d.Pages[0].Largest)
		}
	}
	if len(p.Authors) == 0 {
		p.Authors = splitAuthors(d.Info["Author"])
	}
	return p
}

// firstID returns the first DOI, arXiv id or ISBN of the identifiers found in values.
func firstID(values []string) (ident.ID, bool) {
	for _, v := range values {
		for _, id := range ident.Find(v) {
			if id.Kind == ident.DOI || id.Kind == ident.ArXiv || id.Kind == ident.ISBN {
				return id, true
			}
		}
	}
	return ident.ID{}, false
}

// infoKeys are the information dictionary's entries that name a paper's identifier, in the
// order they are read: the keys publishers and hyperref's \pdfinfo users write, then Subject
// (Elsevier's "Journal, volume (year) pages. doi:10...") and Keywords. Title and Author are not
// read: a title can cite another paper's DOI.
var infoKeys = []string{"doi", "DOI", "Doi", "prism:doi", "arXiv", "arxiv", "ISBN", "isbn", "Subject", "Keywords"}

func infoID(info map[string]string) (ident.ID, bool) {
	values := make([]string, 0, len(infoKeys))
	for _, k := range infoKeys {
		if v, ok := info[k]; ok {
			values = append(values, labelled(k, v))
		}
	}
	return firstID(values)
}

// labelled puts the key's label before a bare value under a key that names its kind, so that an
// ISBN-10, which ident.Find takes only where a line says ISBN, is found.
func labelled(key, v string) string {
	switch strings.ToLower(key) {
	case "isbn":
		return "ISBN " + v
	case "arxiv":
		return "arXiv:" + strings.TrimPrefix(strings.TrimSpace(v), "arXiv:")
	}
	return v
}

// pageID returns the identifier a page's text names as its paper's: the first DOI, arXiv id or
// ISBN, unless the page lists so many DOIs that it is a list of references.
func pageID(text string) (ident.ID, bool) {
	ids := ident.Find(text)
	dois := 0
	for _, id := range ids {
		if id.Kind == ident.DOI {
			dois++
		}
	}
	if dois >= referenceList {
		return ident.ID{}, false
	}
	for _, id := range ids {
		if id.Kind == ident.DOI || id.Kind == ident.ArXiv || id.Kind == ident.ISBN {
			return id, true
		}
	}
	return ident.ID{}, false
}

// plausibleTitle reports whether a metadata title can be the paper's: not empty, not a file
// name or a word processor's placeholder, with at least two words or one long one.
func plausibleTitle(t string) bool {
	if t == "" || utf8.RuneCountInString(t) > 500 {
		return false
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "microsoft word - ") || strings.HasPrefix(lower, "microsoft powerpoint - ") {
		return false
	}
	switch strings.TrimRight(lower, " 0123456789-_.") {
	case "untitled", "untitled document", "no title", "title", "paper title", "title of the paper", "layout", "layout 1", "document", "powerpoint presentation":
		return false
	}
	for _, ext := range []string{".pdf", ".doc", ".docx", ".tex", ".dvi", ".ps", ".odt", ".rtf", ".indd", ".qxd"} {
		if strings.HasSuffix(lower, ext) {
			return false
		}
	}
	letters := 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 4 {
		return false
	}
	words := strings.Fields(t)
	if len(words) >= 3 {
		return true
	}
	// One or two words: a file or job name (paper_v2, C:\tmp\x) is not a title; a lone short
	// word (draft, main) is not one either.
	return !strings.ContainsAny(t, `\/_`) && (len(words) == 2 || letters >= 8)
}

// splitAuthors splits an information dictionary's Author into names: producers join them with
// ";", " and ", "&" or commas ("Jane Doe, John Smith"); a single comma is a "Doe, Jane" name.
func splitAuthors(s string) []string {
	s = clean(s)
	if s == "" {
		return nil
	}
	var parts []string
	switch {
	case strings.Contains(s, ";"):
		parts = strings.Split(s, ";")
	case strings.Count(s, ",") >= 2 || strings.Contains(s, " and ") || strings.Contains(s, "&"):
		s = strings.ReplaceAll(strings.ReplaceAll(s, " and ", ","), "&", ",")
		parts = strings.Split(s, ",")
	default:
		parts = []string{s}
	}
	var out []string
	for _, p := range parts {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// clean joins a text's white space runs into single spaces and drops control characters.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
