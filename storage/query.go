package storage

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// QuerySyntax says what the search field and `bibshelf search` understand; the window's Help
// menu and the command line's help show it. Words are read as the text LaTeX shows, with
// accents folded. Any text is a valid query: what is not understood as a filter is searched as
// words, and nothing reaches SQLite except as a bound parameter or a quoted FTS5 string. A query
// may have any number of words, and at most 100 different filters (maxFilters): a search with
// more fails with ErrTooManyFilters.
const QuerySyntax = `graph neural          both words (each of three letters or more also as the start of a
                      longer word: graph finds graphs; ai finds AI only)
"graph neural"        the phrase
-survey               not this word
graph OR tree         either word; OR binds tighter than the space: a OR b c = (a OR b) AND c
author:lecun          a word in a column: author, title, venue (or journal), abstract,
                      keywords, notes, key
year:2019             the year; year:2019..2023, year:..2000 and year:2019.. are ranges
type:article          the entry type
tag:ml                the tag or any of its children (ml/contrastive); a word also finds
                      the tags it begins (tag:contrastive: "contrastive learning");
                      tag:"contrastive learning" is that tag only; in the window,
                      typing after tag: suggests the library's tags (Down, Enter)
in:"Reading group"    in every collection of that name, or one of its sub-collections
has:pdf has:notes has:abstract has:doi has:url has:attachment
is:unread is:read is:starred is:unfiled (in no collection)
added:7d              added in the last 7 days (also added:today, added:2026-11-01.. and
                      added:2026-01-01..2026-06-30, dates in local time)

Any filter can be negated with a leading -. Words are read as the text LaTeX shows, with
accents folded, so G{\"o}del, Gödel and godel find each other.`

// compiled is a query turned into SQL.
type compiled struct {
	match string   // an FTS5 expression the entry must match; empty for none
	where []string // SQL conditions on the entries row e
	args  []any    // the arguments of where, in order
	err   error    // why the query cannot be searched
}

// ftsColumns maps the column filters to the FTS5 index's columns.
var ftsColumns = map[string]string{
	"author": "authors", "authors": "authors", "title": "title", "venue": "venue",
	"journal": "venue", "booktitle": "venue", "abstract": "abstract", "keywords": "keywords",
	"keyword": "keywords", "notes": "notes", "note": "notes", "key": "key",
}

// token is one element of a query.
type token struct {
	neg    bool
	field  string // lower case, "" for plain text
	text   string
	quoted bool
	or     bool // the OR operator
}

// tokenize splits a query into tokens. An unclosed quote runs to the end.
func tokenize(q string) []token {
	var toks []token
	i := 0
	for i < len(q) {
		for i < len(q) && IsQuerySpace(q[i]) {
			i++
		}
		if i >= len(q) {
			break
		}
		var t token
		if q[i] == '-' && i+1 < len(q) && !IsQuerySpace(q[i+1]) {
			t.neg = true
			i++
		}
		// field:value, where field is letters only.
		j := i
		for j < len(q) && (q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z') {
			j++
		}
		if j > i && j < len(q) && q[j] == ':' {
			t.field = strings.ToLower(q[i:j])
			i = j + 1
		}
		if i < len(q) && q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				end = len(q) - i - 1
			}
			t.text, t.quoted = q[i+1:i+1+end], true
			i += end + 2
		} else {
			j := i
			for j < len(q) && !IsQuerySpace(q[j]) {
				j++
			}
			t.text = q[i:j]
			i = j
		}
		if t.text == "OR" && !t.neg && t.field == "" && !t.quoted {
			t = token{or: true}
		}
		toks = append(toks, t)
	}
	return toks
}

// IsQuerySpace reports whether c separates the words of a query: the window's tag suggestions
// read the word being typed by the same rule.
func IsQuerySpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// maxFilters is the most filters (year:, tag:, in: and the others that are not words) a query
// may have, a filter repeated counting once. Each is a condition of its own, and SQLite refuses
// a statement whose conditions nest 1,000 deep (a chain of ANDs does), or which has used 1,000
// tables when it comes to a recursive WITH (an in: filter's uses five). Words, excluded words
// included, are not limited: they are one search expression, and one condition.
const maxFilters = 100

// ErrTooManyFilters is the error of a search whose query has more than maxFilters filters.
var ErrTooManyFilters = fmt.Errorf("a query may have at most %d filters (such as year:, tag: or in:)", maxFilters)

// compile turns a filter and a query into SQL: an entry must match both.
func compile(f Filter, q string) compiled {
	c := compileQuery(q)
	conds, args := f.conds(time.Now())
	c.where = append(conds, c.where...)
	c.args = append(args, c.args...)
	return c
}

// compileQuery turns a query into SQL. It fails (c.err) only when the query has more than
// maxFilters filters.
func compileQuery(q string) compiled {
	var c compiled
	var groups [][]string // each group's terms are ORed; the groups are ANDed
	var excluded []string // the terms of excluded words
	filters := map[token]bool{}
	orNext := false
	for _, t := range tokenize(q) {
		if t.or {
			orNext = len(groups) > 0
			continue
		}
		if t.field != "" && !ftsField(t.field) {
			if cond, args, ok := filter(t.field, t.text, t.quoted); ok {
				if filters[t] {
					orNext = false
					continue
				}
				filters[t] = true
				if t.neg {
					cond = "NOT (" + cond + ")"
				}
				c.where = append(c.where, cond)
				c.args = append(c.args, args...)
				orNext = false
				continue
			}
			// Not a filter we know: search its words, the field name included.
			t.text = t.field + " " + t.text
			t.field = ""
		}
		term := ftsTerm(t)
		if term == "" {
			continue
		}
		if t.neg {
			excluded = append(excluded, term)
			orNext = false
			continue
		}
		if orNext {
			groups[len(groups)-1] = append(groups[len(groups)-1], term)
		} else {
			groups = append(groups, []string{term})
		}
		orNext = false
	}
	var parts []string
	for _, g := range groups {
		if len(g) == 1 {
			parts = append(parts, g[0])
		} else {
			parts = append(parts, "("+strings.Join(g, " OR ")+")")
		}
	}
	c.match = strings.Join(parts, " AND ")
	if len(excluded) > 0 {
		c.where = append(c.where, "e.id NOT IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
		c.args = append(c.args, strings.Join(excluded, " OR "))
	}
	if len(filters) > maxFilters {
		c.err = fmt.Errorf("the query has %d filters: %w", len(filters), ErrTooManyFilters)
	}
	return c
}

func ftsField(f string) bool { _, ok := ftsColumns[f]; return ok }

// minPrefix is the length from which a word also finds the words it begins. A word of one or
// two letters begins a large part of any library's words: ranking them all takes 100 ms at
// 100,000 entries, for a result no one reads, while the typing goes on; whole, such a word
// (AI, ML, 3D) finds what it names.
const minPrefix = 3

// ftsTerm returns the FTS5 expression for a word, a phrase or a column term; "" when the text
// has no letters or digits. Words are prefixes (as you type); a quoted phrase is exact.
func ftsTerm(t token) string {
	words := strings.FieldsFunc(bib.Plain(t.text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return ""
	}
	// Every word is letters and digits only, so it is safe inside an FTS5 string.
	term := `"` + strings.Join(words, " ") + `"`
	if !t.quoted && utf8.RuneCountInString(words[len(words)-1]) >= minPrefix {
		term += "*"
	}
	if col := ftsColumns[t.field]; col != "" {
		term = col + " : " + term
	}
	return term
}

// filter returns the SQL condition of a field:value filter, or false when field is not one;
// quoted says the value was written in quotes.
func filter(field, value string, quoted bool) (string, []any, bool) {
	v := strings.TrimSpace(value)
	switch field {
	case "year":
		lo, hi, ok := yearRange(v)
		if !ok {
			return "", nil, false
		}
		if lo == hi {
			return "e.year = ?", []any{strconv.Itoa(lo)}, true
		}
		return "e.year GLOB '[0-9][0-9][0-9][0-9]*' AND CAST(substr(e.year, 1, 4) AS INTEGER) BETWEEN ? AND ?", []any{lo, hi}, true
	case "type":
		if v == "" {
			return "", nil, false
		}
		return "e.type = ?", []any{strings.ToLower(v)}, true
	case "tag":
		if v == "" {
			return "", nil, false
		}
		if quoted {
			return hasTag(), tagArgs(v), true
		}
		// A word that is not quoted is also the first word of a tag of several: tag:contrastive
		// finds "contrastive learning", which the space would otherwise keep out of reach.
		return `(` + hasTag() + ` OR e.id IN (SELECT et.entry_id FROM entry_tags et JOIN tags t ON t.id = et.tag_id
			WHERE t.name LIKE ? ESCAPE '\'))`, append(tagArgs(v), likeEscape(v)+" %"), true
	case "in":
		if v == "" {
			return "", nil, false
		}
		// Typed text names a collection by its name: every collection of that name, at any level.
		return inCollectionTree("SELECT id FROM collections WHERE name = ? COLLATE NOCASE"), []any{v}, true
	case "has":
		switch strings.ToLower(v) {
		case "pdf":
			return `e.id IN (SELECT entry_id FROM attachments WHERE lower(path) GLOB '*.pdf')`, nil, true
		case "attachment", "attachments", "file":
			return `e.id IN (SELECT entry_id FROM attachments)`, nil, true
		case "notes", "note":
			return `e.id IN (SELECT entry_id FROM notes)`, nil, true
		case "abstract":
			return `EXISTS (SELECT 1 FROM entry_text t WHERE t.id = e.id AND t.abstract <> '')`, nil, true
		case "doi", "url", "isbn", "eprint", "crossref", "keywords":
			// Either form of the fields column (see fields.go): a list of fields, or an object
			// whose "fields" is one.
			return `EXISTS (SELECT 1 FROM entry_text t, json_each(t.fields, CASE WHEN t.fields LIKE '{%' THEN '$.fields' ELSE '$' END)
				WHERE t.id = e.id AND json_extract(value, '$.name') = ?)`, []any{strings.ToLower(v)}, true
		}
	case "is":
		switch strings.ToLower(v) {
		case "unread":
			return unreadCond, nil, true
		case "read":
			return "e.read = 1", nil, true
		case "starred":
			return starredCond, nil, true
		case "unfiled":
			return unfiledCond, nil, true
		}
	case "added":
		lo, hi, ok := addedRange(v, time.Now())
		if !ok {
			return "", nil, false
		}
		return addedCond, []any{lo, hi}, true
	}
	return "", nil, false
}

// addedRange reads Nd (the last N days, today included), today, a date, and ranges of dates
// (2026-01-01..2026-06-30, 2026-11-01.., ..2025-12-31) as Unix milliseconds [lo, hi).
func addedRange(v string, now time.Time) (lo, hi int64, ok bool) {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	end := day(now).AddDate(0, 0, 1)
	switch v = strings.ToLower(v); {
	case v == "today":
		return day(now).UnixMilli(), end.UnixMilli(), true
	case strings.HasSuffix(v, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n < 1 || n > 100000 {
			return 0, 0, false
		}
		return end.AddDate(0, 0, -n).UnixMilli(), end.UnixMilli(), true
	}
	parse := func(s string) (time.Time, bool) {
		t, err := time.ParseInLocation("2006-01-02", s, now.Location())
		return t, err == nil
	}
	from, to, isRange := strings.Cut(v, "..")
	if !isRange {
		to = from
	}
	lo, hi = math.MinInt64, math.MaxInt64
	if from != "" {
		t, ok := parse(from)
		if !ok {
			return 0, 0, false
		}
		lo = t.UnixMilli()
	}
	if to != "" {
		t, ok := parse(to)
		if !ok {
			return 0, 0, false
		}
		hi = t.AddDate(0, 0, 1).UnixMilli()
	}
	return lo, hi, from != "" || to != ""
}

// yearRange reads 2019, 2019..2023, ..2000 and 2019.. as an inclusive range.
func yearRange(v string) (int, int, bool) {
	from, to, isRange := strings.Cut(v, "..")
	if !isRange {
		y, err := strconv.Atoi(v)
		return y, y, err == nil && y >= 0 && y <= 9999
	}
	lo, hi := 0, 9999
	var err error
	if from != "" {
		if lo, err = strconv.Atoi(from); err != nil {
			return 0, 0, false
		}
	}
	if to != "" {
		if hi, err = strconv.Atoi(to); err != nil {
			return 0, 0, false
		}
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, true
}

func (c compiled) String() string {
	return fmt.Sprintf("match %q where %q args %v", c.match, c.where, c.args)
}

// likeEscape makes s match itself in a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
