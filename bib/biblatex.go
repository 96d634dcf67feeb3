package bib

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// biblatexFields maps BibTeX field names to their BibLaTeX names.
var biblatexFields = map[string]string{
	"journal": "journaltitle",
	"address": "location",
	"school":  "institution",
	"annote":  "annotation",
}

// notOnline reports whether f is a field that biblatex's data model does not allow in @online
// (biber --validate-datamodel says "Invalid field"): a @misc with one stays @misc.
func notOnline(f Field) bool {
	switch f.Name {
	case "howpublished", "institution", "school", "location", "address", "number", "pages", "publisher", "series", "type":
		return true
	}
	return false
}

// biblatexTypes maps BibTeX entry types to a BibLaTeX type and the value of its type field.
var biblatexTypes = map[string][2]string{
	"phdthesis":     {"thesis", "phdthesis"},
	"mastersthesis": {"thesis", "mathesis"},
	"techreport":    {"report", "techreport"},
	"conference":    {"inproceedings", ""},
	"electronic":    {"online", ""},
	"www":           {"online", ""},
}

// SpeaksBibLaTeX reports whether an entry is written in BibLaTeX's terms: it has a field that
// toBibLaTeX makes of a BibTeX one (journaltitle, location, date), or a type BibTeX styles do
// not know (online, thesis, report). Another entry's fields, compared or merged with this one,
// are then mapped to BibLaTeX first (Prepare with the BibLaTeX dialect), so that a journal is
// not set beside its journaltitle, nor a year beside its date.
func SpeaksBibLaTeX(e *Entry) bool {
	switch e.Type {
	case "online", "thesis", "report":
		return true
	}
	for _, name := range []string{"journaltitle", "location", "date"} {
		if e.Field(name) != nil {
			return true
		}
	}
	return false
}

// toBibLaTeX returns e as a BibLaTeX entry: journal becomes journaltitle, address location,
// school institution; year and month become date (2019-09); @phdthesis becomes @thesis with
// type = {phdthesis}, @techreport @report, and a @misc with a url @online (unless it has fields
// @online does not take, such as howpublished). An entry with nothing
// to change is returned as it is; otherwise the copy has no Source, so it is written in the
// canonical form.
func toBibLaTeX(e *Entry) *Entry {
	out := &Entry{Type: e.Type, Key: e.Key, Line: e.Line, Prefix: e.Prefix}
	changed := false
	typeField := ""
	if m, ok := biblatexTypes[e.Type]; ok {
		out.Type, typeField, changed = m[0], m[1], true
	} else if e.Type == "misc" && e.Field("url") != nil && !slices.ContainsFunc(e.Fields, notOnline) {
		out.Type, changed = "online", true
	}
	date, dateOK := biblatexDate(e)
	for _, f := range e.Fields {
		if to, ok := biblatexFields[f.Name]; ok && e.Field(to) == nil {
			f.Name, changed = to, true
		}
		if dateOK && (f.Name == "year" || f.Name == "month") && !f.Duplicate {
			if f.Name == "year" {
				out.Fields = append(out.Fields, Field{Name: "date", Raw: "{" + date + "}", Value: date, Line: f.Line})
			}
			changed = true
			continue
		}
		out.Fields = append(out.Fields, f)
	}
	if typeField != "" && e.Field("type") == nil {
		out.Fields = append(out.Fields, Field{Name: "type", Raw: "{" + typeField + "}", Value: typeField})
	}
	if !changed {
		return e
	}
	return out
}

// biblatexDate returns year[-month] when the entry has a plain four-digit year, no date field,
// and no month or one that names a month.
func biblatexDate(e *Entry) (string, bool) {
	year := e.Get("year")
	if len(year) != 4 || e.Field("date") != nil {
		return "", false
	}
	if _, err := strconv.Atoi(year); err != nil {
		return "", false
	}
	m := e.Field("month")
	if m == nil {
		return year, true
	}
	month := monthNumber(m.Value)
	if month == 0 {
		return "", false
	}
	return fmt.Sprintf("%s-%02d", year, month), true
}

func monthNumber(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 12 {
		return n
	}
	if len(s) < 3 {
		return 0
	}
	for i, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if s[:3] == m && (len(s) == 3 || strings.HasPrefix(strings.ToLower(months[m]), s)) {
			return i + 1
		}
	}
	return 0
}

// bibtexFields maps BibLaTeX field names to their BibTeX names.
var bibtexFields = map[string]string{
	"journaltitle": "journal",
	"location":     "address",
	"annotation":   "annote",
}

// toBibTeX returns e as a BibTeX entry, the reverse of toBibLaTeX: journaltitle becomes journal,
// location address; a date of the form YYYY or YYYY-MM becomes year and month (a bare month
// macro); @thesis becomes @phdthesis or @mastersthesis by its type field (and institution
// school), @report @techreport, and @online @misc. An entry with nothing to change is returned as
// it is; otherwise the copy has no Source and is written in the canonical form.
func toBibTeX(e *Entry) *Entry {
	out := &Entry{Type: e.Type, Key: e.Key, Line: e.Line, Prefix: e.Prefix}
	dropType := false
	switch typ := strings.ToLower(e.Get("type")); e.Type {
	case "thesis":
		switch typ {
		case "phdthesis", "phd":
			out.Type, dropType = "phdthesis", true
		case "mathesis", "mastersthesis", "ma":
			out.Type, dropType = "mastersthesis", true
		default:
			out.Type = "phdthesis"
		}
	case "report":
		out.Type, dropType = "techreport", typ == "techreport"
	case "online", "electronic", "www":
		out.Type = "misc"
	}
	changed := out.Type != e.Type
	isThesis := out.Type == "phdthesis" || out.Type == "mastersthesis"
	year, month, dateOK := bibtexDate(e)
	for _, f := range e.Fields {
		to, ok := bibtexFields[f.Name]
		if f.Name == "institution" && isThesis {
			to, ok = "school", true
		}
		if ok && e.Field(to) == nil {
			f.Name, changed = to, true
		}
		switch {
		case dropType && f.Name == "type" && !f.Duplicate:
			changed = true
			continue
		case dateOK && f.Name == "date" && !f.Duplicate:
			out.Fields = append(out.Fields, Field{Name: "year", Raw: "{" + year + "}", Value: year, Line: f.Line})
			if month != "" {
				out.Fields = append(out.Fields, Field{Name: "month", Raw: month, Value: months[month], Line: f.Line})
			}
			changed = true
			continue
		}
		out.Fields = append(out.Fields, f)
	}
	if !changed {
		return e
	}
	return out
}

// bibtexDate splits a date field of the form YYYY or YYYY-MM (or YYYY-MM-DD, whose day BibTeX
// cannot hold and which is then left alone) when the entry has no year.
func bibtexDate(e *Entry) (year, month string, ok bool) {
	d := e.Get("date")
	if e.Field("year") != nil || (len(d) != 4 && len(d) != 7) {
		return "", "", false
	}
	if _, err := strconv.Atoi(d[:4]); err != nil {
		return "", "", false
	}
	if len(d) == 4 {
		return d, "", true
	}
	m, err := strconv.Atoi(d[5:])
	if d[4] != '-' || err != nil || m < 1 || m > 12 {
		return "", "", false
	}
	return d[:4], []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}[m-1], true
}

// biblatexRequired lists the fields biblatex's data model requires of each entry type, as groups
// of which one field must be there, from the biblatex manual §2.1.1 (version 3.20); the aliases
// of §2.1.2 (conference, electronic, mastersthesis, phdthesis, techreport, www) read as the type
// they stand for. A group holds a field's BibTeX name beside its biblatex one (journal beside
// journaltitle, school beside institution), which biber reads as the same field (§2.2.5).
var biblatexRequired = map[string][][]string{
	"article":        {{"author"}, {"title"}, {"journaltitle", "journal"}, {"year", "date"}},
	"book":           {{"author"}, {"title"}, {"year", "date"}},
	"mvbook":         {{"author"}, {"title"}, {"year", "date"}},
	"inbook":         {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"bookinbook":     {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"suppbook":       {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"booklet":        {{"author", "editor"}, {"title"}, {"year", "date"}},
	"collection":     {{"editor"}, {"title"}, {"year", "date"}},
	"mvcollection":   {{"editor"}, {"title"}, {"year", "date"}},
	"incollection":   {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"suppcollection": {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"dataset":        {{"author", "editor"}, {"title"}, {"year", "date"}},
	"manual":         {{"author", "editor"}, {"title"}, {"year", "date"}},
	"misc":           {{"author", "editor"}, {"title"}, {"year", "date"}},
	"online":         {{"author", "editor"}, {"title"}, {"year", "date"}, {"doi", "eprint", "url"}},
	"patent":         {{"author"}, {"title"}, {"number"}, {"year", "date"}},
	"periodical":     {{"editor"}, {"title"}, {"year", "date"}},
	"suppperiodical": {{"author"}, {"title"}, {"journaltitle", "journal"}, {"year", "date"}},
	"proceedings":    {{"title"}, {"year", "date"}},
	"mvproceedings":  {{"title"}, {"year", "date"}},
	"inproceedings":  {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"reference":      {{"editor"}, {"title"}, {"year", "date"}},
	"mvreference":    {{"editor"}, {"title"}, {"year", "date"}},
	"inreference":    {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"report":         {{"author"}, {"title"}, {"type"}, {"institution", "school"}, {"year", "date"}},
	"software":       {{"author", "editor"}, {"title"}, {"year", "date"}},
	"thesis":         {{"author"}, {"title"}, {"type"}, {"institution", "school"}, {"year", "date"}},
	"unpublished":    {{"author"}, {"title"}, {"year", "date"}},
	// The aliases: their type field is implied (mathesis, phdthesis, techreport).
	"conference":    {{"author"}, {"title"}, {"booktitle"}, {"year", "date"}},
	"electronic":    {{"author", "editor"}, {"title"}, {"year", "date"}, {"doi", "eprint", "url"}},
	"www":           {{"author", "editor"}, {"title"}, {"year", "date"}, {"doi", "eprint", "url"}},
	"mastersthesis": {{"author"}, {"title"}, {"institution", "school"}, {"year", "date"}},
	"phdthesis":     {{"author"}, {"title"}, {"institution", "school"}, {"year", "date"}},
	"techreport":    {{"author"}, {"title"}, {"institution", "school"}, {"year", "date"}},
}

// MissingBibLaTeX is Missing for biblatex: the groups of fields biblatex's data model requires of
// the entry's type (biblatexRequired) of which the entry has none, each written as its fields
// joined by " or ". A type biblatex does not define (@set, @xdata, @custom...) requires nothing.
func MissingBibLaTeX(e *Entry) []string {
	return missing(e, biblatexRequired[strings.ToLower(e.Type)])
}
