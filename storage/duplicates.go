package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// This file finds entries that describe the same work and merges them. Two entries are
// duplicates when they share an ISBN, a DOI, an arXiv id or a title key, in that order of
// confidence, as Zotero compares items. The four values are kept in columns of entries (see
// migration 0003) so that a library of 100,000 entries is grouped by indexes, not by comparing
// every pair.

// identity is what duplicate detection compares an entry by. A field is empty when the entry has
// no such value.
type identity struct {
	// DOI is lower-case, without a resolver prefix: "10.1000/abc".
	DOI string
	// ArXiv is the arXiv id without its version: "2101.00001", or "hep-th/9901001" for the old
	// scheme (whose subject class, as in math.GT/0309136, is not part of the id).
	ArXiv string
	// ISBN is the ISBN-13 of a book, digits only; an ISBN-10 is converted. Chapters and papers
	// in a collection or proceedings have none: the ISBN they carry is the container's, which
	// every other chapter of the book shares.
	ISBN string
	// TitleKey is the folded title, the year and the folded last name of the first author (or
	// editor), joined by "|"; empty without a title.
	TitleKey string
}

// identify returns what duplicate detection compares an entry by.
func identify(e *bib.Entry) identity { return identifyListed(e, listingOf(e)) }

// identifyListed is identify with the entry's listing (listingOf) given.
func identifyListed(e *bib.Entry, l listing) identity {
	id := identity{DOI: normDOI(e.Get("doi")), ArXiv: normArXiv(e), TitleKey: titleKeyOf(l)}
	if id.DOI == "" && isDOIURL(e.Get("url")) {
		id.DOI = normDOI(e.Get("url"))
	}
	if !partOfContainer[e.Type] {
		id.ISBN = normISBN(e.Get("isbn"))
	}
	return id
}

// partOfContainer lists the entry types (BibTeX and BibLaTeX) that are part of a larger work:
// an isbn field in them names the book or volume, which other parts share.
var partOfContainer = map[string]bool{
	"inbook": true, "incollection": true, "inproceedings": true, "conference": true,
	"inreference": true, "bookinbook": true, "suppbook": true, "suppcollection": true,
	"suppperiodical": true, "article": true,
}

func isDOIURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.HasPrefix(s, "doi.org/") || strings.HasPrefix(s, "dx.doi.org/") || strings.HasPrefix(s, "www.doi.org/")
}

// latexEscapes undoes the escapes a .bib file puts in DOIs and URLs, so that 10.1000/a\_b
// matches 10.1000/a_b.
var latexEscapes = strings.NewReplacer(`\_`, "_", `\%`, "%", `\&`, "&", `\#`, "#", "{", "", "}", "")

// normDOI returns a DOI in the form duplicates are compared in: without "https://doi.org/",
// "doi:" and the like, lower-case (DOIs ignore ASCII case), without trailing punctuation. It
// returns "" for text that is not a DOI, so that placeholders such as "n/a" match nothing.
func normDOI(s string) string {
	if strings.ContainsAny(s, `\{}`) { // Replace makes a copy even when there is nothing to undo
		s = latexEscapes.Replace(s)
	}
	s = strings.ToLower(strings.TrimSpace(s))
	fromURL := false
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(s, p) {
			s, fromURL = s[len(p):], true
		}
	}
	for _, p := range []string{"dx.doi.org/", "www.doi.org/", "doi.org/"} {
		if strings.HasPrefix(s, p) {
			s, fromURL = s[len(p):], true
		}
	}
	for _, p := range []string{"doi:", "doi "} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	if fromURL && strings.Contains(s, "%") {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i] // a second DOI, or a comment after it
	}
	s = strings.TrimRight(s, ".,;:'\"")
	if !strings.HasPrefix(s, "10.") || !strings.Contains(s, "/") || strings.HasSuffix(s, "/") {
		return ""
	}
	return s
}

var (
	arxivNew = regexp.MustCompile(`^(\d{4}\.\d{4,5})(?:v\d+)?(?:[^0-9]|$)`)
	arxivOld = regexp.MustCompile(`^(?i)([a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(\d{7})(?:v\d+)?(?:[^0-9]|$)`)
)

// arxivID returns the arXiv id that s starts with, without its version, or "".
func arxivID(s string) string {
	s = strings.TrimSpace(s)
	if m := arxivNew.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := arxivOld.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1]) + "/" + m[2]
	}
	return ""
}

// arxivAfter returns the arXiv id that follows the first marker found in s (case-insensitive).
func arxivAfter(s string, markers ...string) string {
	lower := strings.ToLower(s)
	for _, m := range markers {
		if i := strings.Index(lower, m); i >= 0 {
			if id := arxivID(s[i+len(m):]); id != "" {
				return id
			}
		}
	}
	return ""
}

// normArXiv returns an entry's arXiv id, without version, from wherever the usual exports put
// it: eprint with archiveprefix (BibTeX) or eprinttype (BibLaTeX) arXiv, an arxiv.org URL, an
// arXiv DOI, DBLP's journal = {CoRR} with volume = {abs/...}, or Google Scholar's
// journal = {arXiv preprint arXiv:...}.
func normArXiv(e *bib.Entry) string {
	eprint := strings.TrimSpace(e.Get("eprint"))
	if strings.EqualFold(e.Get("archiveprefix"), "arxiv") || strings.EqualFold(e.Get("eprinttype"), "arxiv") {
		if id := arxivID(strings.TrimPrefix(strings.TrimPrefix(eprint, "arXiv:"), "arxiv:")); id != "" {
			return id
		}
	}
	if id := arxivAfter(eprint, "arxiv:"); id != "" {
		return id
	}
	if id := arxivAfter(e.Get("url"), "arxiv.org/abs/", "arxiv.org/pdf/"); id != "" {
		return id
	}
	if id := arxivAfter(e.Get("doi"), "10.48550/arxiv."); id != "" {
		return id
	}
	if strings.EqualFold(strings.TrimSpace(e.Get("journal")), "corr") {
		if id := arxivAfter(e.Get("volume"), "abs/"); id != "" {
			return id
		}
	}
	for _, name := range []string{"journal", "journaltitle", "howpublished", "note"} {
		if id := arxivAfter(e.Get(name), "arxiv:"); id != "" {
			return id
		}
	}
	return ""
}

// normISBN returns the first ISBN of a field as 13 digits, an ISBN-10 converted so that both
// forms of a book's number match, or "" when the field holds none. Fields list several ISBNs
// separated by commas, semicolons or spaces, while one ISBN may itself be spaced or hyphenated.
func normISBN(s string) string {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == '\n' }) {
		if n := isbnDigits(part); n != "" {
			return n
		}
		for _, w := range strings.Fields(part) {
			if n := isbnDigits(w); n != "" {
				return n
			}
		}
	}
	return ""
}

// isbnDigits returns s as an ISBN-13 when its digits (and final X) make an ISBN-10 or -13.
func isbnDigits(s string) string {
	var d []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == 'x' || c == 'X':
			d = append(d, 'X')
		}
	}
	if x := slices.Index(d, 'X'); x >= 0 && (x != 9 || len(d) != 10) {
		return ""
	}
	switch len(d) {
	case 13:
		if string(d[:3]) != "978" && string(d[:3]) != "979" {
			return ""
		}
		return string(d)
	case 10:
		// The same book's ISBN-13 is 978, the first nine digits, and a new check digit.
		d13 := append([]byte("978"), d[:9]...)
		sum := 0
		for i, c := range d13 {
			w := 1
			if i%2 == 1 {
				w = 3
			}
			sum += w * int(c-'0')
		}
		return string(append(d13, byte('0'+(10-sum%10)%10)))
	}
	return ""
}

// titleKey returns the folded title, year and first author's last name of an entry, joined by
// "|", or "" when it has no title. Folding makes K{\"u}chlin, Küchlin and KÜCHLIN equal and
// ignores punctuation, spacing and protecting braces, which differ between exports of the
// same work.
func titleKey(e *bib.Entry) string { return titleKeyOf(listingOf(e)) }

// titleKeyOf is titleKey of the entry whose listing is l.
func titleKeyOf(l listing) string {
	t := fold(l.title)
	if t == "" {
		return ""
	}
	return t + "|" + l.year + "|" + fold(l.firstAuthor)
}

// fold returns the comparison text of plain text: bib.Fold's letters (accents removed, ß ss, ﬁ
// fi...) and digits, of any script, in lower case; punctuation, spacing and signs go.
func fold(s string) string {
	if ascii := foldASCII(s); ascii != nil {
		return string(ascii)
	}
	var b strings.Builder
	for _, r := range bib.Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// foldASCII is fold of an ASCII text (most titles and names): its letters in lower case and its
// digits, without the normalisation and the look-ups. It returns nil for text that is not ASCII.
func foldASCII(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return nil
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b = append(b, c)
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return b
}

// identColumn is one identity column, in the order findDuplicate tries them.
type identColumn struct {
	name  string
	value func(identity) string
	// reason says why two entries sharing the value v are duplicates.
	reason func(v string) string
}

var identColumns = []identColumn{
	{"isbn", func(id identity) string { return id.ISBN }, func(v string) string { return "same ISBN " + v }},
	{"doi", func(id identity) string { return id.DOI }, func(v string) string { return "same DOI " + v }},
	{"arxiv", func(id identity) string { return id.ArXiv }, func(v string) string { return "same arXiv id " + v }},
	{"title_key", func(id identity) string { return id.TitleKey }, func(string) string { return "same title, year and first author" }},
}

// identityColumnList names the identity columns in the order identityValues returns them, for
// an INSERT that fills them with the rest of the row. An UPDATE right after the INSERT, as
// setIdentity does, rewrites the whole row, abstract and source included, which costs most of
// what the insert did.
const identityColumnList = "doi, arxiv, isbn, title_key"

// identityValues returns the values of identityColumnList for an entry.
func identityValues(e *bib.Entry) []any { return identValues(identify(e)) }

func identValues(id identity) []any { return appendIdentValues(make([]any, 0, 4), id) }

// appendIdentValues appends the values of identityColumnList for an entry of identity id to args.
func appendIdentValues(args []any, id identity) []any {
	return append(args, id.DOI, id.ArXiv, id.ISBN, id.TitleKey)
}

// setIdentity stores the identity of the entry with the given id, as it must be after each
// insert or change of an entry's fields.
func setIdentity(ctx context.Context, tx *sql.Tx, id int64, e *bib.Entry) error {
	_, err := tx.ExecContext(ctx, `UPDATE entries SET doi = ?, arxiv = ?, isbn = ?, title_key = ? WHERE id = ?`,
		append(identityValues(e), id)...)
	if err != nil {
		return fmt.Errorf("set identity of %q: %w", e.Key, err)
	}
	return nil
}

// findDuplicate returns the key of the oldest entry not in the trash that shares e's ISBN, or
// else its DOI, its arXiv id or its title key, and why; "" when there is none. An entry with
// e's own key is not a duplicate of it, so e may already be in the library.
func findDuplicate(ctx context.Context, tx *sql.Tx, e *bib.Entry) (existingKey, reason string, err error) {
	d, err := newDupFinder(ctx, tx)
	if err != nil {
		return "", "", err
	}
	defer d.close()
	return d.find(ctx, e.Key, identify(e))
}

// dupFinder is findDuplicate with its statements prepared once, for an import that asks for
// every entry.
type dupFinder struct {
	stmts []*sql.Stmt // one per identColumns
}

func newDupFinder(ctx context.Context, tx *sql.Tx) (*dupFinder, error) {
	d := &dupFinder{}
	for _, c := range identColumns {
		// "<> ''" repeats the partial index's condition, which the planner must see to use it.
		st, err := tx.PrepareContext(ctx, `SELECT key FROM entries WHERE `+c.name+` = ? AND `+c.name+` <> ''
			AND trashed IS NULL AND key <> ? ORDER BY id LIMIT 1`)
		if err != nil {
			d.close()
			return nil, fmt.Errorf("find duplicates: %w", err)
		}
		d.stmts = append(d.stmts, st)
	}
	return d, nil
}

func (d *dupFinder) close() {
	for _, st := range d.stmts {
		st.Close()
	}
}

// find is findDuplicate for an entry with the given key and identity.
func (d *dupFinder) find(ctx context.Context, key string, ident identity) (existingKey, reason string, err error) {
	for i, c := range identColumns {
		v := c.value(ident)
		if v == "" {
			continue
		}
		err := d.stmts[i].QueryRowContext(ctx, v, key).Scan(&existingKey)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("find duplicate of %q: %w", key, err)
		}
		return existingKey, c.reason(v), nil
	}
	return "", "", nil
}

// dupHit is an entry's oldest duplicate, and why.
type dupHit struct {
	key, reason string
}

// sharedValues calls fn with each value of an identity column that several entries not in the
// trash share, and their ids in ascending order; having adds to the HAVING clause, with its
// arguments. The GROUP BY walks the column's partial index in order: no sort, no table reads.
func sharedValues(ctx context.Context, tx *sql.Tx, col, having string, args []any, fn func(v string, ids []int64)) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+col+`, group_concat(id) FROM entries
		WHERE `+col+` <> '' AND trashed IS NULL GROUP BY `+col+` HAVING count(*) > 1`+having, args...)
	if err != nil {
		return fmt.Errorf("find duplicates by %s: %w", col, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v, list string
		if err := rows.Scan(&v, &list); err != nil {
			return fmt.Errorf("find duplicates by %s: %w", col, err)
		}
		ids, err := parseIDs(list)
		if err != nil {
			return fmt.Errorf("find duplicates by %s: %w", col, err)
		}
		fn(v, ids)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find duplicates by %s: %w", col, err)
	}
	return nil
}

// bulkDuplicates returns what dupFinder.find would have said of each entry with an id above
// since, had it been asked just before the entry's insert, by entry id; entries with no
// duplicate are left out. Ids grow with each insert, so the entries older than one are those
// with smaller ids: its duplicate by a column is the smallest id sharing its value, when that is
// not its own. Grouping each identity index once, as FindDuplicates does, costs a few
// milliseconds at 100,000 entries, where four look-ups per inserted entry took a fifth of a large
// import.
func bulkDuplicates(ctx context.Context, tx *sql.Tx, since int64) (map[int64]dupHit, error) {
	type hit struct {
		first int64
		text  string
	}
	hits := map[int64]hit{}
	for _, c := range identColumns {
		err := sharedValues(ctx, tx, c.name, " AND max(id) > ?", []any{since}, func(v string, ids []int64) {
			for _, id := range ids[1:] {
				// identColumns is in order of confidence: the first column that matches wins.
				if _, seen := hits[id]; id > since && !seen {
					hits[id] = hit{ids[0], c.reason(v)}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	firsts := make([]int64, 0, len(hits))
	for _, h := range hits {
		firsts = append(firsts, h.first)
	}
	keys, err := entryKeys(ctx, tx, firsts)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	out := make(map[int64]dupHit, len(hits))
	for id, h := range hits {
		out[id] = dupHit{keys[h.first], h.text}
	}
	return out, nil
}

// identityBatch is how many entries backfillIdentity fills per transaction: small enough that a
// writer waiting for the lock is not held up for long, large enough that commits do not
// dominate.
const identityBatch = 2000

// backfillIdentity fills the identity columns of entries that have none yet, as after the
// upgrade to schema 3, one transaction per batch. It reads only those entries, so it is cheap
// to run at every Open, and it reads them first outside any write transaction: an entry with
// nothing to compare it by (no DOI, no title...) keeps empty columns, and a library with such
// entries must still open without taking the write lock.
func (l *Library) backfillIdentity(ctx context.Context) error {
	var after int64
	writing := false // once a batch had work, the rest are read in their write transactions
	for {
		var n int
		var last int64
		var err error
		if !writing {
			var todo []pendingIdentity
			todo, n, last, err = identitiesAfter(ctx, l.rdb, after)
			writing = len(todo) > 0
		}
		if err == nil && writing {
			n, last, err = l.backfillBatch(ctx, after)
		}
		if err != nil {
			return fmt.Errorf("fill in identities: %w", err)
		}
		if n < identityBatch {
			return nil
		}
		after = last
	}
}

// refoldTitleKeys rewrites the title_key column of the entries written before migration 0011
// whose key bib.Fold makes otherwise: only a title or first author with a character beyond
// ASCII can fold otherwise, so only those are read. It runs in the migration's transaction
// (migrationSteps).
func refoldTitleKeys(ctx context.Context, tx *sql.Tx) error {
	const beyondASCII = "*[^\x01-\x7f]*"
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.key, e.type, t.fields, t.source, e.title_key FROM entries e
		JOIN entry_text t ON t.id = e.id WHERE e.title_key != '' AND (e.title GLOB ? OR e.first_author GLOB ?)`,
		beyondASCII, beyondASCII)
	if err != nil {
		return fmt.Errorf("refold title keys: %w", err)
	}
	type change struct {
		id  int64
		key string
	}
	var changes []change
	for rows.Next() {
		var id int64
		var fields, old string
		var e bib.Entry
		if err := rows.Scan(&id, &e.Key, &e.Type, &fields, &e.Source, &old); err != nil {
			rows.Close()
			return fmt.Errorf("refold title keys: %w", err)
		}
		if err := decodeFields(&e, fields); err != nil {
			rows.Close()
			return fmt.Errorf("refold title keys: entry %q: %w", e.Key, err)
		}
		if k := titleKey(&e); k != old {
			changes = append(changes, change{id, k})
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("refold title keys: %w", err)
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET title_key = ? WHERE id = ?`, c.key, c.id); err != nil {
			return fmt.Errorf("refold title keys: %w", err)
		}
	}
	return nil
}

// pendingIdentity is an entry whose identity columns are to be filled.
type pendingIdentity struct {
	id int64
	e  bib.Entry
}

// querier is what identitiesAfter reads through: a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// identitiesAfter reads the next batch of entries with empty identity columns after the id
// after, and returns those that have an identity to fill in, the number of entries it read and
// the last id read.
func identitiesAfter(ctx context.Context, q querier, after int64) (todo []pendingIdentity, n int, last int64, err error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.key, e.type, t.fields, t.source FROM entries e JOIN entry_text t ON t.id = e.id
		WHERE e.doi = '' AND e.arxiv = '' AND e.isbn = '' AND e.title_key = '' AND e.id > ? ORDER BY e.id LIMIT ?`,
		after, identityBatch)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var p pendingIdentity
		var fields string
		if err := rows.Scan(&p.id, &p.e.Key, &p.e.Type, &fields, &p.e.Source); err != nil {
			return nil, 0, 0, err
		}
		if err := decodeFields(&p.e, fields); err != nil {
			return nil, 0, 0, fmt.Errorf("entry %q: %w", p.e.Key, err)
		}
		n, last = n+1, p.id
		if identify(&p.e) != (identity{}) {
			todo = append(todo, p)
		}
	}
	return todo, n, last, rows.Err()
}

// backfillBatch fills the identity columns of the batch after the id after, read again in the
// write transaction.
func (l *Library) backfillBatch(ctx context.Context, after int64) (n int, last int64, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	todo, n, last, err := identitiesAfter(ctx, tx, after)
	if err != nil {
		return 0, 0, err
	}
	for i := range todo {
		if err := setIdentity(ctx, tx, todo[i].id, &todo[i].e); err != nil {
			return 0, 0, err
		}
	}
	return n, last, tx.Commit()
}

// DuplicateGroup is a set of entries that describe the same work.
type DuplicateGroup struct {
	Keys []string // in import order
	// Reasons says what the entries share, strongest first: "same DOI 10.1000/xyz".
	Reasons []string
}

// FindDuplicates returns the groups of entries, not in the trash, that share an ISBN, a DOI, an
// arXiv id or a title key, ordered by their first entry in import order. Sharing is transitive:
// when A and B share a DOI and B and C a title, A, B and C are one group. Two entries marked
// with MarkNotDuplicate do not join a group through each other, though a third entry may still
// join them.
func (l *Library) FindDuplicates(ctx context.Context) ([]DuplicateGroup, error) {
	tx, err := l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	defer tx.Rollback()
	marked, err := notDuplicateMarks(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	uf := unionFind{}
	// Each reason is recorded with one entry that shares the value: the entry's group is known
	// only once every union is done.
	type reason struct {
		id     int64
		column int
		text   string
	}
	var reasons []reason
	for ci, c := range identColumns {
		err := sharedValues(ctx, tx, c.name, "", nil, func(v string, ids []int64) {
			text := c.reason(v)
			for _, p := range sharePairs(ids, marked) {
				uf.union(p[0], p[1])
				reasons = append(reasons, reason{p[0], ci, text})
			}
		})
		if err != nil {
			return nil, err
		}
	}

	members := map[int64][]int64{}
	var all []int64
	for id := range uf {
		root := uf.find(id)
		members[root] = append(members[root], id)
		all = append(all, id)
	}
	keys, err := entryKeys(ctx, tx, all)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	slices.SortFunc(reasons, func(a, b reason) int {
		if a.column != b.column {
			return a.column - b.column
		}
		return strings.Compare(a.text, b.text)
	})
	byRoot := map[int64][]string{}
	for _, r := range reasons {
		root := uf.find(r.id)
		if rs := byRoot[root]; len(rs) == 0 || rs[len(rs)-1] != r.text {
			byRoot[root] = append(rs, r.text)
		}
	}
	type group struct {
		first int64
		g     DuplicateGroup
	}
	var groups []group
	for root, ids := range members {
		slices.Sort(ids)
		g := DuplicateGroup{Reasons: byRoot[root]}
		for _, id := range ids {
			g.Keys = append(g.Keys, keys[id])
		}
		groups = append(groups, group{ids[0], g})
	}
	slices.SortFunc(groups, func(a, b group) int { return cmpInt64(a.first, b.first) })
	var out []DuplicateGroup
	for _, g := range groups {
		out = append(out, g.g)
	}
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseIDs(list string) ([]int64, error) {
	parts := strings.Split(list, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	slices.Sort(ids)
	return ids, nil
}

// pairKey is a not_duplicates row: the smaller id first.
type pairKey [2]int64

func pairOf(a, b int64) pairKey { return pairKey{min(a, b), max(a, b)} }

// notDuplicateMarks returns the pairs marked as not duplicates, by entry.
func notDuplicateMarks(ctx context.Context, tx *sql.Tx) (map[int64][]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a, b FROM not_duplicates`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	marked := map[int64][]int64{}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		marked[a] = append(marked[a], b)
		marked[b] = append(marked[b], a)
	}
	return marked, rows.Err()
}

// sharePairs returns pairs of the entries sharing a value that, joined, connect them as the
// marks allow: a chain through the sorted ids when no pair among them is marked, which is
// nearly always; otherwise every unmarked pair.
func sharePairs(ids []int64, marked map[int64][]int64) [][2]int64 {
	var out [][2]int64
	var cut map[pairKey]bool
	for _, a := range ids {
		for _, b := range marked[a] {
			if _, in := slices.BinarySearch(ids, b); in {
				if cut == nil {
					cut = map[pairKey]bool{}
				}
				cut[pairOf(a, b)] = true
			}
		}
	}
	if cut == nil {
		for i := 1; i < len(ids); i++ {
			out = append(out, [2]int64{ids[0], ids[i]})
		}
		return out
	}
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if !cut[pairOf(a, b)] {
				out = append(out, [2]int64{a, b})
			}
		}
	}
	return out
}

// unionFind maps an entry id to its parent in a forest of groups; a root is its own parent.
type unionFind map[int64]int64

func (u unionFind) find(x int64) int64 {
	if _, ok := u[x]; !ok {
		u[x] = x
	}
	root := x
	for u[root] != root {
		root = u[root]
	}
	for u[x] != root {
		u[x], x = root, u[x]
	}
	return root
}

func (u unionFind) union(a, b int64) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		// The smaller id becomes the root, so that the result does not depend on map order.
		u[max(ra, rb)] = min(ra, rb)
	}
}

// entryKeys returns the keys of entries by id.
func entryKeys(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]string, error) {
	keys := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return keys, nil
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.key FROM json_each(?) j JOIN entries e ON e.id = j.value`, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		keys[id] = key
	}
	return keys, rows.Err()
}

// mergeEntry is an entry as Merge reads it.
type mergeEntry struct {
	id            int64
	e             bib.Entry
	read, starred bool
	rating        int
	trashed       bool
	note          string
}

func loadMergeEntry(ctx context.Context, tx *sql.Tx, key string) (*mergeEntry, error) {
	m := &mergeEntry{}
	var fields string
	var trashed sql.NullInt64
	var note sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT e.id, e.key, e.type, t.fields, t.source, e.read, e.starred, e.rating, e.trashed, n.body
		FROM entries e JOIN entry_text t ON t.id = e.id LEFT JOIN notes n ON n.entry_id = e.id WHERE e.key = ?`, key).
		Scan(&m.id, &m.e.Key, &m.e.Type, &fields, &m.e.Source, &m.read, &m.starred, &m.rating, &trashed, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := decodeFields(&m.e, fields); err != nil {
		return nil, fmt.Errorf("entry %q: %w", key, err)
	}
	m.trashed, m.note = trashed.Valid, note.String
	return m, nil
}

// Merge merges entries that describe the same work into the entry keep, in one transaction, so
// that nothing the others hold is lost:
//
//   - keep gains each field it lacks, from the first of the others that has it, placed in
//     bib.FieldOrder's order and written exactly as the other wrote it; the entry is then
//     rewritten in the canonical form. An entry that gains no field keeps its source byte for
//     byte;
//   - a field both have with another value keeps keep's value; the other's goes into keep's
//     note as "Merged from KEY: field = value", as do a different entry type and repeated
//     fields;
//   - keep's note gains a section headed "Merged from KEY" per other entry, holding those lines
//     and that entry's note;
//   - keep gains the others' tags, collections and attachments; it is read if any was, starred
//     if any was, and has the highest rating; pairs marked not duplicates carry over;
//   - the others go to the trash, where they keep everything until it is emptied.
func (l *Library) Merge(ctx context.Context, keep string, others ...string) error {
	if len(others) == 0 {
		return fmt.Errorf("merge into %q: no entries to merge", keep)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("merge into %q: %w", keep, err)
	}
	defer tx.Rollback()
	if err := merge(ctx, tx, keep, others, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// MergeEdited is Merge after the values of keep were chosen among the entries' (the merge
// dialog): keep becomes edited first, in the same transaction, and the values of keep that
// edited replaced or left out go into its note as the others' do, under "Replaced in KEY", so
// that no value of either entry is lost. edited has keep's key.
func (l *Library) MergeEdited(ctx context.Context, keep string, edited *bib.Entry, others ...string) error {
	if len(others) == 0 {
		return fmt.Errorf("merge into %q: no entries to merge", keep)
	}
	if err := checkEntry(edited); err != nil {
		return fmt.Errorf("merge into %q: %w", keep, err)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("merge into %q: %w", keep, err)
	}
	defer tx.Rollback()
	k, err := loadMergeEntry(ctx, tx, keep)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	// An edit changes the source, or leaves none (bib.Entry.SetField): the same source is the
	// same entry.
	replaced := replacedFields(&k.e, edited)
	if edited.Source == "" || edited.Source != k.e.Source {
		if err := updateEntryIn(ctx, tx, keep, edited); err != nil {
			return err
		}
	}
	if err := merge(ctx, tx, edited.Key, others, replaced); err != nil {
		return err
	}
	return tx.Commit()
}

// replacedFields returns, as note lines, the values of the entry was that the entry now has
// no more: a field it dropped or gave another value, and its entry type.
func replacedFields(was, now *bib.Entry) []string {
	var lines []string
	line := func(what string) { lines = append(lines, "- Replaced in "+was.Key+": "+what) }
	if was.Type != now.Type {
		line("entry type = " + was.Type)
	}
	for _, f := range was.Fields {
		if !slices.ContainsFunc(now.Fields, func(n bib.Field) bool { return n.Name == f.Name && n.Value == f.Value }) {
			line(f.Name + " = " + f.Raw)
		}
	}
	return lines
}

// merge is Merge inside a transaction; replaced are the note lines of keep's own values an
// edit before it replaced (MergeEdited), written before the others'.
func merge(ctx context.Context, tx *sql.Tx, keep string, others []string, replaced []string) error {
	k, err := loadMergeEntry(ctx, tx, keep)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if k.trashed {
		return fmt.Errorf("merge into %q: it is in the trash", k.e.Key)
	}
	var from []*mergeEntry
	ids := map[int64]bool{k.id: true}
	for _, key := range others {
		o, err := loadMergeEntry(ctx, tx, key)
		if err != nil {
			return fmt.Errorf("merge into %q: %w", k.e.Key, err)
		}
		if o.id == k.id {
			return fmt.Errorf("merge: cannot merge %q into itself", key)
		}
		if !ids[o.id] {
			ids[o.id] = true
			from = append(from, o)
		}
	}

	kept := k.e
	kept.Fields = slices.Clone(k.e.Fields)
	gained := false
	note := strings.TrimRight(k.note, "\n")
	if len(replaced) > 0 {
		if note != "" {
			note += "\n\n"
		}
		note += "## Replaced in " + k.e.Key + "\n\n" + strings.Join(replaced, "\n")
	}
	read, starred, rating := k.read, k.starred, k.rating
	for _, o := range from {
		lines, g := mergeFields(&kept, o)
		gained = gained || g
		section := "## Merged from " + o.e.Key
		if len(lines) > 0 {
			section += "\n\n" + strings.Join(lines, "\n")
		}
		if body := strings.TrimRight(o.note, "\n"); strings.TrimSpace(body) != "" {
			section += "\n\n" + body
		}
		if note != "" {
			note += "\n\n"
		}
		note += section
		read, starred, rating = read || o.read, starred || o.starred, max(rating, o.rating)
		if err := mergeLinks(ctx, tx, k.id, o.id, ids); err != nil {
			return fmt.Errorf("merge %q into %q: %w", o.e.Key, k.e.Key, err)
		}
	}

	now := time.Now().UnixMilli()
	if gained {
		ids := []int64{k.id}
		for _, o := range from {
			ids = append(ids, o.id)
		}
		c, err := editContext(ctx, tx, &kept, ids)
		if err != nil {
			return fmt.Errorf("merge into %q: %w", k.e.Key, err)
		}
		if err := updateEntry(ctx, tx, k.id, k.e.Key, k.e.Type, entryRow(&kept), c, now); err != nil {
			return fmt.Errorf("merge into %q: %w", k.e.Key, err)
		}
		if err := setIdentity(ctx, tx, k.id, &kept); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	if read != k.read || starred != k.starred || rating != k.rating {
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET read = ?, starred = ?, rating = ? WHERE id = ?`,
			read, starred, rating, k.id); err != nil {
			return fmt.Errorf("merge into %q: %w", k.e.Key, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notes (entry_id, body, modified) VALUES (?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body, modified = excluded.modified`,
		k.id, note, now); err != nil {
		return fmt.Errorf("merge into %q: note: %w", k.e.Key, err)
	}
	for _, o := range from {
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET trashed = ? WHERE id = ? AND trashed IS NULL`, now, o.id); err != nil {
			return fmt.Errorf("merge: move %q to the trash: %w", o.e.Key, err)
		}
	}
	return nil
}

// mergeFields gives kept the fields of o it lacks and returns, as note lines, the values of o
// it could not take; gained reports whether kept changed.
func mergeFields(kept *bib.Entry, o *mergeEntry) (lines []string, gained bool) {
	line := func(what string) { lines = append(lines, "- Merged from "+o.e.Key+": "+what) }
	if o.e.Type != kept.Type {
		line("entry type = " + o.e.Type)
	}
	var missing []bib.Field
	for _, f := range o.e.Fields {
		if f.Duplicate || kept.Field(f.Name) != nil {
			continue
		}
		if !slices.ContainsFunc(missing, func(m bib.Field) bool { return m.Name == f.Name }) {
			missing = append(missing, f)
		}
	}
	slices.SortStableFunc(missing, func(a, b bib.Field) int { return bib.FieldRank(a.Name) - bib.FieldRank(b.Name) })
	for _, f := range missing {
		if !bib.Balanced(f.Value) {
			continue // the loop below notes it
		}
		// The other's own form: a macro (jan, jacm) stays a macro.
		kept.SetField(bib.Field{Name: f.Name, Raw: f.Raw, Value: f.Value})
		gained = true
	}
	for _, f := range o.e.Fields {
		if !slices.ContainsFunc(kept.Fields, func(k bib.Field) bool { return k.Name == f.Name && k.Value == f.Value }) {
			line(f.Name + " = " + f.Raw)
		}
	}
	return lines, gained
}

// mergeLinks gives the entry keep the tags, collections and attachments of the entry from, and
// its not-duplicate marks with entries outside the merge (merging is the user's own word that
// the entries in it are duplicates). from keeps its own, for a restore from the trash.
func mergeLinks(ctx context.Context, tx *sql.Tx, keep, from int64, merging map[int64]bool) error {
	for _, q := range []string{
		`INSERT OR IGNORE INTO entry_tags (entry_id, tag_id) SELECT ?, tag_id FROM entry_tags WHERE entry_id = ?`,
		`INSERT OR IGNORE INTO collection_entries (entry_id, collection_id) SELECT ?, collection_id FROM collection_entries WHERE entry_id = ?`,
		`INSERT OR IGNORE INTO attachments (entry_id, path, added) SELECT ?, path, added FROM attachments WHERE entry_id = ? ORDER BY id`,
	} {
		if _, err := tx.ExecContext(ctx, q, keep, from); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT CASE WHEN a = ?1 THEN b ELSE a END FROM not_duplicates WHERE a = ?1 OR b = ?1`, from)
	if err != nil {
		return err
	}
	var partners []int64
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		if !merging[p] {
			partners = append(partners, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range partners {
		pk := pairOf(keep, p)
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO not_duplicates (a, b) VALUES (?, ?)`, pk[0], pk[1]); err != nil {
			return err
		}
	}
	return nil
}
