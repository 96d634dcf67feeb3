package ident

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Parse reads one identifier that a user typed or pasted alone, in any form Find knows, with
// signs around it ("(10.1000/x)." is 10.1000/x). Its Offset is in s. The error, a
// *ParseError, says why s is not one identifier: "ISBN-13 checksum fails (the check digit
// would be 7)", "a bare number is not read as a PMID: write PMID: 123".
func Parse(s string) (ID, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return ID{}, &ParseError{Input: s, Reason: "no identifier: the text is empty"}
	}
	ids := Find(t)
	switch {
	case len(ids) == 1 && !hasAlnum(strings.Replace(t, ids[0].Text, "", 1)):
		id := ids[0]
		id.Offset += strings.Index(s, t)
		return id, nil
	case len(ids) == 1:
		return ID{}, &ParseError{Input: s, Reason: fmt.Sprintf("holds other text beside the %s %s", ids[0].Kind, ids[0].Value)}
	case len(ids) > 1:
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = id.Kind.String() + " " + id.Value
		}
		return ID{}, &ParseError{Input: s, Reason: fmt.Sprintf("holds %d identifiers (%s): give one", len(ids), strings.Join(names, ", "))}
	}
	return ID{}, &ParseError{Input: s, Reason: whyNot(t)}
}

var (
	looksDOI      = regexp.MustCompile(`(?i)(?:^|[^0-9a-z])10(?:\.[0-9.]*)?(?:/|$|[^0-9a-z/])`)
	looksArXivNew = regexp.MustCompile(`(?i)^(?:arxiv:?\s*)?([0-9]{4})\.([0-9]+)(v[0-9]+)?$`)
	looksArXivOld = regexp.MustCompile(`(?i)^(?:arxiv:?\s*)?([a-z.-]+)/([0-9]+)(v[0-9]+)?$`)
	looksISBN     = regexp.MustCompile(`(?i)^(?:isbn(?:[- ]?1[03])?\s*:?\s*)?([0-9][0-9\s\x{a0}\x{ad}\x{2010}-\x{2015}\x{2043}\x{2212}-]*[0-9x])$`)
	looksPubMed   = regexp.MustCompile(`(?i)^(pmid|pmcid|pmc)\s*[:=-]?\s*(.*)$`)
)

// whyNot says why t, in which Find found nothing, is not an identifier: what it looks like
// and which rule it fails.
func whyNot(t string) string {
	lower := strings.ToLower(t)
	if m := looksArXivNew.FindStringSubmatch(t); m != nil {
		return whyNotArXivNew(m[1], len(m[2]), m[3])
	}
	if m := looksArXivOld.FindStringSubmatch(t); m != nil {
		if _, ok := arxivArchive(strings.ToLower(m[1])); !ok {
			return fmt.Sprintf("not an arXiv id: %q is not an archive of arXiv's old scheme (hep-th/9901001)", m[1])
		}
		if len(m[2]) != 7 || !arxivOldNumber(m[2][:4]) {
			return "not an arXiv id: an old-scheme id has a month from 9108 to 0703 and three digits (hep-th/9901001)"
		}
	}
	if m := looksPubMed.FindStringSubmatch(t); m != nil {
		what := "PMID"
		if strings.HasPrefix(strings.ToLower(m[1]), "pmc") {
			what = "PMCID"
		}
		return fmt.Sprintf("not a %s: it is a number of 1 to %d digits, not 0: %q", what, maxPubMedDigits, m[2])
	}
	if m := looksISBN.FindStringSubmatch(t); m != nil {
		if why := whyNotISBN(m[1], lower != strings.ToLower(m[1])); why != "" {
			return why
		}
	}
	if strings.HasPrefix(lower, "10/") || strings.Contains(lower, "doi.org/10/") {
		return "short DOIs (10/...) are not read: give the full DOI (10.1000/...)"
	}
	if looksDOI.MatchString(t) {
		return whyNotDOI(t)
	}
	return "not a DOI, arXiv id, ISBN, PMID or PMCID"
}

func whyNotArXivNew(yymm string, n int, version string) string {
	ym, _ := strconv.Atoi(yymm)
	switch {
	case ym%100 < 1 || ym%100 > 12:
		return fmt.Sprintf("not an arXiv id: %s is not a year and month (YYMM)", yymm)
	case ym < 704:
		return "not an arXiv id: ids of the form YYMM.NNNNN begin in April 2007 (0704)"
	case ym <= 1412 && n != 4:
		return "not an arXiv id: until 1412 an id has four digits after the dot"
	case ym >= 1501 && n != 5:
		return "not an arXiv id: since 1501 an id has five digits after the dot"
	case version != "":
		return fmt.Sprintf("not an arXiv id: the version %q is not v and a number from 1", version)
	}
	return "not an arXiv id"
}

// whyNotISBN says why the digits d (with dashes or spaces), labelled ISBN or not, are not an
// ISBN, or returns "" when they are not ISBN-like.
func whyNotISBN(d string, labelled bool) string {
	var b strings.Builder
	for _, r := range d {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'x' || r == 'X':
			b.WriteByte('X')
		}
	}
	digits := b.String()
	x := strings.IndexByte(digits, 'X')
	switch {
	case len(digits) == 10 && (x < 0 || x == 9):
		return fmt.Sprintf("ISBN-10 checksum fails (the check digit would be %c)", isbn10Check(digits))
	case len(digits) == 13 && x < 0 && !strings.HasPrefix(digits, "978") && !strings.HasPrefix(digits, "979"):
		return "not an ISBN: a 13-digit ISBN starts with 978 or 979"
	case len(digits) == 13 && x < 0:
		return fmt.Sprintf("ISBN-13 checksum fails (the check digit would be %c)", isbn13Check(digits))
	case labelled:
		return fmt.Sprintf("not an ISBN: an ISBN has 10 or 13 digits, not %d", len(digits))
	case x < 0 && len(digits) <= maxPubMedDigits && digits == d:
		return "a bare number is not read as a PMID: write PMID: " + digits
	}
	return ""
}

func whyNotDOI(t string) string {
	i := looksDOI.FindStringIndex(t)
	rest := t[i[0]:]
	if !isDigit(rest[0]) {
		rest = rest[1:]
	}
	prefix, suffix, slashed := strings.Cut(rest, "/")
	registrant := strings.TrimPrefix(prefix, "10.")
	switch {
	case !slashed:
		return fmt.Sprintf("not a DOI: a DOI is 10.<registrant>/<suffix>, and %q has no /", strings.Fields(rest)[0])
	case countDigits(registrant) < 4:
		return "not a DOI: the registrant after 10. has four or more digits (10.1000/...)"
	case strings.TrimSpace(suffix) == "":
		return "not a DOI: nothing follows the / (10.1000/<suffix>)"
	}
	return "not a DOI"
}
