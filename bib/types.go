package bib

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// EntryType is an entry type and the fields a style needs for it.
type EntryType struct {
	Name string
	// Required lists the fields the standard styles need, as groups: one field of each group
	// must be there ({"author", "editor"} takes either).
	Required [][]string
	// Optional lists the fields the standard styles also print.
	Optional []string
	// BibLaTeX marks a type only BibLaTeX knows.
	BibLaTeX bool
}

// types lists the entry types of BibTeX's standard styles (btxdoc) and the BibLaTeX types people
// use most, in the order a type chooser shows them.
var types = []EntryType{
	{Name: "article", Required: req("author", "title", "journal", "year"), Optional: []string{"volume", "number", "pages", "month", "doi", "note"}},
	{Name: "inproceedings", Required: req("author", "title", "booktitle", "year"), Optional: []string{"editor", "pages", "publisher", "address", "month", "doi", "note"}},
	{Name: "book", Required: [][]string{{"author", "editor"}, {"title"}, {"publisher"}, {"year"}}, Optional: []string{"volume", "series", "address", "edition", "month", "isbn", "note"}},
	{Name: "incollection", Required: req("author", "title", "booktitle", "publisher", "year"), Optional: []string{"editor", "pages", "address", "month", "note"}},
	{Name: "inbook", Required: [][]string{{"author", "editor"}, {"title"}, {"chapter", "pages"}, {"publisher"}, {"year"}}, Optional: []string{"volume", "series", "address", "edition", "month", "note"}},
	{Name: "phdthesis", Required: req("author", "title", "school", "year"), Optional: []string{"address", "month", "note"}},
	{Name: "mastersthesis", Required: req("author", "title", "school", "year"), Optional: []string{"address", "month", "note"}},
	{Name: "techreport", Required: req("author", "title", "institution", "year"), Optional: []string{"type", "number", "address", "month", "note"}},
	{Name: "misc", Optional: []string{"author", "title", "howpublished", "year", "month", "url", "note"}},
	{Name: "unpublished", Required: req("author", "title", "note"), Optional: []string{"year", "month"}},
	{Name: "manual", Required: req("title"), Optional: []string{"author", "organization", "address", "edition", "year", "month", "note"}},
	{Name: "booklet", Required: req("title"), Optional: []string{"author", "howpublished", "address", "year", "month", "note"}},
	{Name: "proceedings", Required: req("title", "year"), Optional: []string{"editor", "publisher", "organization", "address", "month", "note"}},
	{Name: "online", Required: [][]string{{"author", "editor"}, {"title"}, {"year", "date"}, {"url"}}, Optional: []string{"urldate", "note"}, BibLaTeX: true},
	{Name: "thesis", Required: [][]string{{"author"}, {"title"}, {"type"}, {"institution"}, {"year", "date"}}, BibLaTeX: true},
	{Name: "report", Required: [][]string{{"author"}, {"title"}, {"type"}, {"institution"}, {"year", "date"}}, Optional: []string{"number"}, BibLaTeX: true},
	{Name: "software", Required: [][]string{{"author", "editor"}, {"title"}, {"year", "date"}}, Optional: []string{"version", "url"}, BibLaTeX: true},
	{Name: "dataset", Required: [][]string{{"author", "editor"}, {"title"}, {"year", "date"}}, Optional: []string{"version", "url", "doi"}, BibLaTeX: true},
}

func req(names ...string) [][]string {
	g := make([][]string, len(names))
	for i, n := range names {
		g[i] = []string{n}
	}
	return g
}

// Types returns the entry types of BibTeX's standard styles (btxdoc) and the BibLaTeX types
// people use most, in the order a type chooser shows them: a new slice each call.
func Types() []EntryType { return slices.Clone(types) }

// TypeOf returns the entry type of that name (case-insensitive), and whether it is one of Types.
func TypeOf(name string) (EntryType, bool) {
	for _, t := range types {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return EntryType{Name: strings.ToLower(name)}, false
}

// Missing returns the groups of the entry type's required fields of which the entry has none,
// each written as its fields joined by " or ".
func Missing(e *Entry) []string { return missing(e, false) }

// MissingBibLaTeX is Missing as biblatex reads the entry: a field given under its BibLaTeX name
// (journaltitle for journal, location for address, institution for school) counts, and a date
// counts as the year.
func MissingBibLaTeX(e *Entry) []string { return missing(e, true) }

func missing(e *Entry, biblatex bool) []string {
	t, _ := TypeOf(e.Type)
	var out []string
	for _, group := range t.Required {
		found := false
		for _, name := range group {
			if strings.TrimSpace(e.Get(name)) != "" {
				found = true
				break
			}
			if !biblatex {
				continue
			}
			alias := biblatexFields[name]
			if name == "year" {
				alias = "date"
			}
			if alias != "" && strings.TrimSpace(e.Get(alias)) != "" {
				found = true
				break
			}
		}
		if !found {
			out = append(out, strings.Join(group, " or "))
		}
	}
	return out
}

// IsRequired reports whether a field is required by the entry type, alone or as one of a group.
func IsRequired(typ, field string) bool {
	t, _ := TypeOf(typ)
	for _, group := range t.Required {
		for _, name := range group {
			if strings.EqualFold(name, field) {
				return true
			}
		}
	}
	return false
}

// CheckKey returns an error saying why a citation key cannot be used, or nil. BibTeX reads a key
// up to the first comma or white space; LaTeX's \cite breaks on braces, %, # and backslashes.
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("the key is empty")
	}
	for _, r := range key {
		switch {
		case r <= ' ' || unseen(r):
			return fmt.Errorf("key %q holds white space or a control or invisible character", key)
		case strings.ContainsRune(`,{}()"#%'=\~`, r):
			return fmt.Errorf("key %q holds %q, which BibTeX or \\cite cannot take", key, r)
		}
	}
	return nil
}

// unseen reports whether r is a character that cannot be seen, typed or cited: a control
// character (C0, DEL, C1) or an invisible one that formats text (Unicode's Cf: direction
// overrides, zero-width spaces, the byte-order mark, the soft hyphen).
func unseen(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// CheckType returns an error saying why an entry type cannot be used, or nil: BibTeX reads a
// type as a name of letters, digits and a few marks.
func CheckType(typ string) error {
	if typ == "" {
		return fmt.Errorf("the entry type is empty")
	}
	for _, r := range typ {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == ':' || r == '.') {
			return fmt.Errorf("entry type %q holds %q", typ, r)
		}
	}
	return nil
}
