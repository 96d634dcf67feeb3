package ris

import "strings"

// zoteroTypes maps a TY value to the Zotero item type RIS.js reads it as: its importTypeMap,
// with the reverse of its exportTypeMap added. Two entries are Bibshelf's own: GEN (Generic)
// is a "document" (RIS.js reads it as a journal article, so that a @misc written as GEN would
// come back as an @article), and UNPB (the RIS specification's unpublished work, which RIS.js
// does not list and JabRef reads as @unpublished) is a manuscript like UNPD.
var zoteroTypes = map[string]string{
	// exportTypeMap, reversed
	"ART": "artwork", "SOUND": "audioRecording", "BILL": "bill", "BLOG": "blogPost",
	"BOOK": "book", "CHAP": "bookSection", "CASE": "case", "COMP": "computerProgram",
	"CONF": "conferencePaper", "DICT": "dictionaryEntry", "ENCYC": "encyclopediaArticle",
	"ICOMM": "email", "DATA": "dataset", "MPCT": "film", "HEAR": "hearing",
	"JOUR": "journalArticle", "PCOMM": "letter", "MGZN": "magazineArticle",
	"MANSCPT": "manuscript", "MAP": "map", "NEWS": "newspaperArticle", "PAT": "patent",
	"SLIDE": "presentation", "RPRT": "report", "STAT": "statute", "THES": "thesis",
	"VIDEO": "videoRecording", "ELEC": "webpage",
	// importTypeMap
	"ABST": "journalArticle", "ADVS": "film", "AGGR": "document", "ANCIENT": "document",
	"CHART": "artwork", "CLSWK": "book", "CPAPER": "conferencePaper", "CTLG": "magazineArticle",
	"DBASE": "dataset", "EBOOK": "book", "ECHAP": "bookSection", "EDBOOK": "book",
	"EJOUR": "journalArticle", "EQUA": "document", "FIGURE": "artwork", "GEN": "document",
	"GOVDOC": "report", "GRNT": "document", "INPR": "manuscript", "JFULL": "journalArticle",
	"LEGAL": "case", "MULTI": "videoRecording", "MUSIC": "audioRecording", "PAMP": "manuscript",
	"SER": "book", "STAND": "report", "UNBILL": "manuscript", "UNPD": "manuscript",
	"WEB": "webpage", "UNPB": "manuscript",
}

// defaultZoteroType is RIS.js's DEFAULT_IMPORT_TYPE, for a record without TY or with a TY it
// does not know.
const defaultZoteroType = "journalArticle"

// bibtexTypes maps a Zotero item type to the BibTeX entry type Zotero's BibTeX export
// (BibTeX.js, zotero2bibtexTypeMap) writes; every other type is @misc there. A thesis is
// @mastersthesis when its type (M3) says so (see mastersThesis).
var bibtexTypes = map[string]string{
	"book": "book", "bookSection": "incollection", "journalArticle": "article",
	"magazineArticle": "article", "newspaperArticle": "article", "thesis": "phdthesis",
	"letter": "misc", "manuscript": "unpublished", "patent": "patent", "interview": "misc",
	"film": "misc", "artwork": "misc", "webpage": "misc", "conferencePaper": "inproceedings",
	"report": "techreport",
}

func bibtexType(zt string) string {
	if t, ok := bibtexTypes[zt]; ok {
		return t
	}
	return "misc"
}

// mastersThesis reports whether a thesis type names a master's thesis, by BibTeX.js's rule:
// lower case, spaces, dots, "thesis" and "unpublished" removed, it is one of master, masters,
// master's, ms, msc or ma.
func mastersThesis(typ string) bool {
	t := strings.ToLower(typ)
	for _, cut := range []string{"thesis", "unpublished", " ", "\t", "."} {
		t = strings.ReplaceAll(t, cut, "")
	}
	switch t {
	case "master", "masters", "master's", "master’s", "ms", "msc", "ma":
		return true
	}
	return false
}

// risTypes maps a BibTeX entry type to the TY that Write writes: the Zotero item type that
// BibTeX.js reads it as (bibtex2zoteroTypeMap), then RIS.js's exportTypeMap. @misc is GEN and
// @dataset DATA, which read back as the same type (see zoteroTypes).
var risTypes = map[string]string{
	"article": "JOUR", "book": "BOOK", "booklet": "BOOK", "manual": "BOOK", "proceedings": "BOOK",
	"collection": "BOOK", "mvbook": "BOOK", "inbook": "CHAP", "incollection": "CHAP",
	"inproceedings": "CONF", "conference": "CONF", "phdthesis": "THES", "mastersthesis": "THES",
	"thesis": "THES", "techreport": "RPRT", "report": "RPRT", "unpublished": "MANSCPT",
	"patent": "PAT", "online": "ELEC", "electronic": "ELEC", "www": "ELEC", "software": "COMP",
	"dataset": "DATA", "movie": "MPCT", "artwork": "ART", "letter": "PCOMM", "audio": "SOUND",
	"video": "VIDEO", "legislation": "BILL", "jurisdiction": "CASE", "inreference": "ENCYC",
	"misc": "GEN",
}

func risType(bibtexType string) string {
	if t, ok := risTypes[strings.ToLower(bibtexType)]; ok {
		return t
	}
	return "GEN"
}
