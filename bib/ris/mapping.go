package ris

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// Targets of a tag that are not a plain BibTeX field: they collect values that finish turns
// into fields.
const (
	toAuthor       = "@author"
	toEditor       = "@editor"
	toTranslator   = "@translator"
	toCollaborator = "@collaborator"
	toKeywords     = "@keywords"
	toAnnote       = "@annote" // Zotero's notes, which BibTeX.js writes as annote
	toExtra        = "@extra"  // Zotero's extra, which BibTeX.js writes as note
	toDate         = "@date"
	toStartPage    = "@sp"
	toEndPage      = "@ep"
	toSerial       = "@sn" // ISSN or ISBN, by shape
	toDOI          = "@doi"
	toTypeOrDOI    = "@m3" // M3 of a type without a "type" field: a DOI if it holds one
	toURL          = "@url"
	toPDF          = "@file:application/pdf"
	toHTML         = "@file:text/html"
	toOther        = "@file:"
	toBackupTitle  = "@backupjournal" // RIS.js's backupPublicationTitle
	toKey          = "@key"
	toAccessed     = "@accessed"
	toKeep         = "" // no BibTeX field: kept as ris-xx
)

// deprecated lists the tags of RIS.js's degenerateImportFieldMap. RIS.js reads them after the
// other tags of the record, so that a field they share goes to the other tag: TI wins over
// T1, DA over Y1, AB over N2, whatever their order.
var deprecated = map[string]bool{
	"AD": true, "AV": true, "BT": true, "CA": true, "CR": true, "CT": true, "CY": true,
	"ED": true, "EP": true, "H1": true, "H2": true, "ID": true, "IS": true, "JA": true,
	"JF": true, "JO": true, "LB": true, "M1": true, "M2": true, "M3": true, "N2": true,
	"NV": true, "OP": true, "RI": true, "RN": true, "SE": true, "T1": true, "T2": true,
	"T3": true, "TA": true, "TT": true, "VL": true, "Y1": true,
}

// in reports whether the Zotero type zt is one of types.
func in(zt string, types ...string) bool { return slices.Contains(types, zt) }

// pubTitle is the BibTeX field of Zotero's publicationTitle for a type (BibTeX.js: booktitle
// for book sections and conference papers, journal otherwise).
func pubTitle(zt string) string {
	if in(zt, "bookSection", "conferencePaper") {
		return "booktitle"
	}
	return "journal"
}

// target says where the value of tag goes in an entry read from a record of Zotero type zt:
// a BibTeX field, one of the to* targets, or toKeep. It follows RIS.js's fieldMap and
// degenerateImportFieldMap for the Zotero field, then BibTeX.js's export of that field (its
// inputFieldMap for the BibLaTeX names it reads: eventtitle, shortjournal, pagetotal, version).
// Zotero fields BibTeX.js does not write (archive, callNumber, libraryCatalog, ...) are kept.
// One departure: T2 of a conference paper is its booktitle, not the conference name that
// RIS.js reads (and BibTeX.js drops): EndNote, Scopus, IEEE Xplore and JabRef put the
// proceedings' title there, and BibTeX styles need a booktitle.
//
// It is longer than a function should be because it is a table: one case per tag, in RIS.js's
// order, so that each can be checked against RIS.js's entry for that tag.
func target(zt, tag string) string {
	switch tag {
	case "TI", "T1", "CT":
		return "title"
	case "AU", "A1":
		return toAuthor
	case "ED":
		return toEditor
	case "A2":
		switch {
		case in(zt, "journalArticle", "bookSection", "conferencePaper", "dictionaryEntry", "document", "encyclopediaArticle", "book", "report"):
			return toEditor
		case in(zt, "bill", "audioRecording", "presentation", "interview", "email", "instantMessage", "letter"):
			return toCollaborator
		}
	case "A3":
		switch {
		case in(zt, "book", "bookSection", "conferencePaper", "dictionaryEntry", "encyclopediaArticle", "map"):
			return toEditor
		case in(zt, "thesis", "bill", "film", "tvBroadcast", "videoRecording", "radioBroadcast"):
			return toCollaborator
		}
	case "A4":
		if in(zt, "case", "conferencePaper", "film", "dataset") {
			return toCollaborator
		}
		return toTranslator
	case "C1":
		switch {
		case zt == "conferencePaper":
			return "address"
		case in(zt, "radioBroadcast", "tvBroadcast", "videoRecording"):
			return toCollaborator
		}
	case "C2":
		if in(zt, "bookSection", "blogPost") {
			return toCollaborator
		}
	case "C3":
		switch zt {
		case "conferencePaper":
			return "booktitle"
		case "patent":
			return "nationality"
		}
	case "C4":
		if in(zt, "audioRecording", "patent") {
			return toCollaborator
		}
	case "T2":
		switch {
		case in(zt, "bookSection", "conferencePaper"):
			return "booktitle"
		case in(zt, "journalArticle", "magazineArticle", "newspaperArticle", "blogPost", "webpage",
			"dictionaryEntry", "encyclopediaArticle", "forumPost", "radioBroadcast", "tvBroadcast"):
			return "journal"
		case in(zt, "book", "computerProgram", "map", "report"):
			return "series"
		case in(zt, "bill", "statute", "hearing", "presentation"):
			return toKeep
		}
		return toBackupTitle
	case "T3":
		if in(zt, "bookSection", "conferencePaper", "journalArticle", "book", "audioRecording") {
			return "series"
		}
	case "BT":
		switch {
		case in(zt, "book", "manuscript"):
			return "title"
		case zt == "bookSection":
			return "booktitle"
		}
		return toBackupTitle
	case "JF":
		return pubTitle(zt)
	case "JO":
		if zt == "conferencePaper" {
			return "eventtitle"
		}
		return "shortjournal"
	case "JA", "J2":
		return "shortjournal"
	case "AB", "N2":
		return "abstract"
	case "KW":
		return toKeywords
	case "N1", "RN":
		return toAnnote
	case "M2":
		return toExtra
	case "M1":
		switch {
		case in(zt, "book", "journalArticle"):
			return "number"
		case zt == "bookSection":
			return "volumes"
		case zt == "webpage":
			return toAccessed
		case in(zt, "bill", "computerProgram", "hearing", "patent", "statute", "podcast", "radioBroadcast", "tvBroadcast"):
			return toKeep
		}
		return toExtra
	case "M3":
		if in(zt, "manuscript", "map", "report", "thesis", "blogPost", "webpage", "forumPost", "letter",
			"interview", "presentation", "artwork", "podcast") {
			return "type"
		}
		return toTypeOrDOI
	case "DA", "PY", "Y1":
		return toDate
	case "Y2":
		return toAccessed
	case "SP":
		switch {
		case in(zt, "book", "thesis", "manuscript"):
			return "pagetotal"
		case in(zt, "bill", "case", "film"):
			return toKeep
		}
		return toStartPage
	case "EP":
		return toEndPage
	case "VL":
		if in(zt, "patent", "webpage") {
			return toKeep
		}
		return "volume"
	case "IS":
		switch zt {
		case "dataset":
			return "version"
		case "bookSection":
			return "volumes"
		case "patent": // no issue: RIS.js keeps it as a note
			return toKeep
		}
		return "number"
	case "NV":
		if zt != "dataset" {
			return "volumes"
		}
	case "PB":
		switch zt {
		case "thesis":
			return "school"
		case "report":
			return "institution"
		case "patent":
			return "assignee"
		}
		return "publisher"
	case "CY":
		return "address"
	case "ET":
		switch {
		case in(zt, "computerProgram", "dataset"):
			return "version"
		case in(zt, "bill", "hearing", "statute"):
			return toKeep
		}
		return "edition"
	case "LA":
		if zt != "computerProgram" {
			return "language"
		}
	case "SE":
		if zt != "case" {
			return "chapter"
		}
	case "SN":
		if zt == "patent" {
			return "number"
		}
		return toSerial
	case "DO":
		return toDOI
	case "UR":
		return toURL
	case "L1":
		return toPDF
	case "L2":
		return toHTML
	case "L4":
		return toOther
	case "CR":
		return "copyright"
	case "ST":
		return "shorttitle"
	case "ID":
		return toKey
	}
	return toKeep
}

// rawFields are the fields whose values are not LaTeX text: they are set as they are, not
// through bib.Escape, and written as they are, not through bib.Plain.
var rawFields = map[string]bool{
	"url": true, "doi": true, "eprint": true, "file": true, "isbn": true, "issn": true,
	"ris-ur": true, "ris-do": true, "ris-l1": true, "ris-l2": true, "ris-l3": true, "ris-l4": true,
}

// keptField is the field that keeps a value of tag that has no BibTeX field of its own.
func keptField(tag string) string { return "ris-" + strings.ToLower(tag) }

// mapper builds one entry from one record.
type mapper struct {
	rec      *record
	zt, ty   string
	fields   fieldList // plain text of the fields set, first value wins
	names    [len(roles)][]string
	keywords []string
	kwTags   int
	annotes  []string
	extras   []string
	dates    [len(dateTags)]tagValue // DA, Y1 and PY: the first of each
	sp, ep   string
	files    []string
	backup   string
	key      string
	accessed string
	problems []bib.Problem
}

// mapRecord turns a record into an entry, with the problems found in it.
func mapRecord(rec *record) (*bib.Entry, []bib.Problem) {
	m := &mapper{rec: rec}
	m.zt = defaultZoteroType
	switch {
	case rec.tags[0].tag != "TY":
		m.warn(rec.line, "the record has no TY line: read as a journal article, as Zotero does")
	default:
		m.ty = strings.ToUpper(rec.tags[0].value)
		if zt, ok := zoteroTypes[m.ty]; ok {
			m.zt = zt
		} else {
			m.warn(rec.line, "unknown record type TY %q: read as a journal article, as Zotero does", m.ty)
		}
	}
	for pass := range 2 {
		for _, tv := range rec.tags {
			if tv.tag != "TY" && deprecated[tv.tag] == (pass == 1) {
				m.tag(tv)
			}
		}
	}
	return m.finish(), m.problems
}

func (m *mapper) warn(line int, format string, args ...any) {
	m.problems = append(m.problems, bib.Problem{Line: line, Severity: bib.Warning, Msg: fmt.Sprintf(format, args...)})
}

// set gives a field its first value; a different later value is kept under its tag.
func (m *mapper) set(name, value string, tv tagValue) {
	if value == "" {
		return
	}
	switch old, ok := m.fields.lookup(name); {
	case !ok:
		m.fields.put(name, value)
	case old != value:
		m.keep(tv.tag, value)
	}
}

// keep adds a value to the ris-xx field of its tag, after its earlier values.
func (m *mapper) keep(tag, value string) {
	name := keptField(tag)
	if i := m.fields.index(name); i >= 0 {
		m.fields[i].value += "; " + value
		return
	}
	m.fields.put(name, value)
}

// roles are the targets of names, in the order their fields are set.
var roles = [...]string{toAuthor, toEditor, toTranslator, toCollaborator}

// dateTags are the tags of dates, in the order they are chosen from.
var dateTags = [...]string{"DA", "Y1", "PY"}

// date1 returns the first value of a date tag.
func (m *mapper) date1(tag string) (tagValue, bool) {
	i := slices.Index(dateTags[:], tag)
	return m.dates[i], m.dates[i].tag != ""
}

// tag reads one tag of the record.
func (m *mapper) tag(tv tagValue) {
	value := strings.TrimSpace(tv.value)
	if value == "" || tv.tag == "ER" {
		return
	}
	if tv.tag != "N1" && tv.tag != "RN" && tv.tag != "AB" && strings.Contains(value, "&") {
		value = html.UnescapeString(value) // RIS.js: Zotero.Utilities.unescapeHTML
	}
	to := target(m.zt, tv.tag)
	if m.ty == "EDBOOK" && (tv.tag == "AU" || tv.tag == "A1") {
		to = toEditor // RIS.js's EndNoteCleaner: the authors of an edited book are its editors
	}
	switch to {
	case toKeep:
		m.keep(tv.tag, value)
	case toAuthor, toEditor, toTranslator, toCollaborator:
		if name := bibtexName(value); name != "" {
			i := slices.Index(roles[:], to)
			m.names[i] = append(m.names[i], name)
		}
	case toKeywords:
		m.kwTags++
		m.keywords = append(m.keywords, splitKeywords(value)...)
	case toAnnote:
		if value != m.fields.get("title") { // RIS.js: EndNote repeats the title as a note
			m.annotes = append(m.annotes, value)
		}
	case toExtra:
		m.extras = append(m.extras, value)
	case toDate:
		if i := slices.Index(dateTags[:], tv.tag); m.dates[i].tag != "" {
			m.keep(tv.tag, value)
		} else {
			m.dates[i] = tagValue{tag: tv.tag, value: value, line: tv.line}
		}
	case toStartPage:
		m.first(&m.sp, value, tv)
	case toEndPage:
		m.first(&m.ep, value, tv)
	case toSerial:
		m.set(serialField(m.zt, value), value, tv)
	case toDOI:
		if doi := cleanDOI(value); doi != "" {
			m.set("doi", doi, tv)
		} else {
			m.keep(tv.tag, value)
		}
	case toTypeOrDOI:
		if doi := cleanDOI(value); doi != "" {
			if m.fields.get("doi") != doi {
				m.set("doi", doi, tv)
			}
		} else {
			m.keep(tv.tag, value)
		}
	case toURL:
		if rest, ok := strings.CutPrefix(value, "PM:"); ok { // RIS.js: Reference Manager's PMIDs
			m.set("pmid", strings.TrimSpace(rest), tv)
		} else {
			m.set("url", value, tv)
		}
	case toPDF, toHTML, toOther:
		m.files = append(m.files, fileEntries(value, strings.TrimPrefix(to, "@file:"))...)
	case toBackupTitle:
		m.first(&m.backup, value, tv)
	case toKey:
		m.first(&m.key, value, tv)
	case toAccessed:
		m.first(&m.accessed, value, tv)
	default:
		m.set(to, value, tv)
	}
}

// first keeps the first value of a tag in *dst; a different later one is kept under its tag.
func (m *mapper) first(dst *string, value string, tv tagValue) {
	switch *dst {
	case "":
		*dst = value
	case value:
	default:
		m.keep(tv.tag, value)
	}
}
