package bib

import (
	"slices"
	"strings"
)

// Parents returns the keys of the entries whose fields e reads as its own, as written (spaces
// trimmed), each once, its crossref first: BibTeX's and biblatex's crossref, and biblatex's
// xdata, a comma-separated list. Those are the parents that Inherit completes an entry from,
// for checking which fields it lacks.
//
// An entry names other entries in more fields, which give it no fields: biblatex's xref (a
// parent kept in the bibliography but not read from), related and entryset. Those relations
// count where entries must stay together (an import keeps a file's references between its
// entries, storage's referenceFields), not where an entry's fields are asked for.
//
// BibTeX reads no xdata, and Inherit gives nothing of an @xdata entry in BibTeX's dialect; the
// lookup of the keys is the caller's (BibTeX's folds ASCII letters, biber's is exact).
func Parents(e *Entry) []string {
	var out []string
	add := func(k string) {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	add(e.Get("crossref"))
	for _, k := range strings.Split(e.Get("xdata"), ",") {
		add(k)
	}
	return out
}

// Inherit returns what child reads with parent's fields: a new entry with child's fields, and
// those parent gives it that it lacks (child itself is not changed; the result has no Source).
//
// In BibTeX's dialect (and AsWritten's) a field the child lacks is copied under its own name,
// as bibtex's crossref does: a parent's title is not a child's booktitle. An @xdata parent gives
// nothing there, since BibTeX does not read xdata.
//
// In biblatex's, an @xdata parent gives every field the child lacks, and a crossref parent gives
// what biber's default data inheritance (biblatex's manual, appendix B) says: fields under
// their own name, but for ids, crossref, xref, entryset, entrysubtype, execute, label, options,
// presort, related, relatedoptions, relatedstring, relatedtype, shorthand, shorthandintro and
// sortkey; and for the common pairs of types (aliases read as biber reads them: @conference as
// @inproceedings), the parent's title as the child's booktitle
// (@proceedings to @inproceedings, @collection to @incollection, @book to @inbook...),
// maintitle (from the multi-volume types) or journaltitle (@periodical to @article), with its
// subtitle and titleaddon alike and its shorttitle, sorttitle, indextitle and indexsorttitle
// not given; and a @book's or @mvbook's author as an @inbook's bookauthor too.
func Inherit(child, parent *Entry, d Dialect) *Entry {
	out := child.Clone()
	out.Source, out.Standalone = "", false
	// has holds the names of out's fields in lower case, as Field compares them: looking each
	// name up in out.Fields made a parent of 40,000 fields take seconds.
	has := make(map[string]bool, len(out.Fields))
	for _, f := range out.Fields {
		has[strings.ToLower(f.Name)] = true
	}
	give := func(name string, f Field) {
		if lower := strings.ToLower(name); !has[lower] {
			has[lower] = true
			f.Name, f.Duplicate = name, false
			out.Fields = append(out.Fields, f)
		}
	}
	xdata := parent.Type == "xdata"
	if d != BibLaTeX {
		if !xdata {
			for _, f := range parent.Fields {
				if !f.Duplicate {
					give(f.Name, f)
				}
			}
		}
		return out
	}
	rules := inheritRules(parent.Type, child.Type)
	for _, f := range parent.Fields {
		if f.Duplicate {
			continue
		}
		if xdata {
			give(f.Name, f)
			continue
		}
		if noInherit[f.Name] {
			continue
		}
		targets, mapped := rules[f.Name]
		if !mapped {
			give(f.Name, f)
			continue
		}
		for _, t := range targets {
			give(t, f)
		}
	}
	return out
}

// noInherit are the fields biber's default inheritance never gives a child.
var noInherit = map[string]bool{"ids": true, "crossref": true, "xref": true, "entryset": true, "entrysubtype": true,
	"execute": true, "label": true, "options": true, "presort": true, "related": true, "relatedoptions": true,
	"relatedstring": true, "relatedtype": true, "shorthand": true, "shorthandintro": true, "sortkey": true}

// inheritRule is one row of biblatex's default inheritance: for parents of the types from and
// children of the types to, the fields a parent's field is given as (none: not given).
type inheritRule struct {
	from, to []string
	fields   map[string][]string
}

// titleAs maps a parent's title fields to the child's prefix's (booktitle, maintitle,
// journaltitle...), its short and sorting titles to nothing.
func titleAs(prefix string) map[string][]string {
	return map[string][]string{"title": {prefix + "title"}, "subtitle": {prefix + "subtitle"},
		"titleaddon": {prefix + "titleaddon"}, "shorttitle": nil, "sorttitle": nil, "indextitle": nil, "indexsorttitle": nil}
}

var defaultInheritance = []inheritRule{
	{[]string{"mvbook", "book"}, []string{"inbook", "bookinbook", "suppbook"}, map[string][]string{"author": {"author", "bookauthor"}}},
	{[]string{"mvbook"}, []string{"book", "inbook", "bookinbook", "suppbook"}, titleAs("main")},
	{[]string{"mvcollection", "mvreference"}, []string{"collection", "reference", "incollection", "inreference", "suppcollection"}, titleAs("main")},
	{[]string{"mvproceedings"}, []string{"proceedings", "inproceedings"}, titleAs("main")},
	{[]string{"book"}, []string{"inbook", "bookinbook", "suppbook"}, titleAs("book")},
	{[]string{"collection", "reference"}, []string{"incollection", "inreference", "suppcollection"}, titleAs("book")},
	{[]string{"proceedings"}, []string{"inproceedings"}, titleAs("book")},
	{[]string{"periodical"}, []string{"article", "suppperiodical"}, map[string][]string{"title": {"journaltitle"}, "subtitle": {"journalsubtitle"},
		"shorttitle": nil, "sorttitle": nil, "indextitle": nil, "indexsorttitle": nil}},
}

// inheritRules returns the field mappings of the rows for a parent's and a child's types, the
// aliases (conference, phdthesis...) read as the types biber reads them as.
func inheritRules(from, to string) map[string][]string {
	if t, ok := biblatexTypes[from]; ok {
		from = t[0]
	}
	if t, ok := biblatexTypes[to]; ok {
		to = t[0]
	}
	out := map[string][]string{}
	for _, r := range defaultInheritance {
		if slices.Contains(r.from, from) && slices.Contains(r.to, to) {
			for k, v := range r.fields {
				out[k] = v
			}
		}
	}
	return out
}
