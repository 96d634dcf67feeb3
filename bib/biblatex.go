package bib

import (
	"fmt"
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

// biblatexTypes maps BibTeX entry types to a BibLaTeX type and the value of its type field.
var biblatexTypes = map[string][2]string{
	"phdthesis":     {"thesis", "phdthesis"},
	"mastersthesis": {"thesis", "mathesis"},
	"techreport":    {"report", "techreport"},
	"conference":    {"inproceedings", ""},
	"electronic":    {"online", ""},
	"www":           {"online", ""},
}

// ToBibLaTeX returns e as a BibLaTeX entry: journal becomes journaltitle, address location,
// school institution; year and month become date (2019-09); @phdthesis becomes @thesis with
// type = {phdthesis}, @techreport @report, and a @misc with a url @online. An entry with nothing
// to change is returned as it is; otherwise the copy has no Source, so it is written in the
// canonical form.
func ToBibLaTeX(e *Entry) *Entry {
	out := &Entry{Type: e.Type, Key: e.Key, Line: e.Line}
	changed := false
	typeField := ""
	if m, ok := biblatexTypes[e.Type]; ok {
		out.Type, typeField, changed = m[0], m[1], true
	} else if e.Type == "misc" && e.Field("url") != nil {
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
