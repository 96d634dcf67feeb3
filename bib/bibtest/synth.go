package bibtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Synthetic writes n BibTeX entries generated from seed; the same n and seed always give the same bytes.
//
// The library it writes is shaped like a researcher's own: mostly articles and conference papers,
// a few authors per entry with a long tail, names from many cultures (some with LaTeX accents,
// some in raw UTF-8, some with von particles), venues that many entries share, abstracts on most
// entries, and about 2% near-duplicates of earlier entries (same title and authors, another key).
// It is meant for benchmarks and tests at sizes no real file in the repository has.
//
// Every value is braced and the output has no @string, no # and no %, and no @ outside entry
// heads, so that this package's parser and github.com/nickng/bibtex both read every entry.
func Synthetic(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	g := &synthGen{
		// The second PCG word is fixed so that seed alone names the library.
		r:    rand.NewPCG(seed, 0x62696273_68656c66),
		keys: make(map[string]struct{}, min(max(n, 0), 1<<20)),
	}
	for i := range n {
		g.buf = g.buf[:0]
		if i > 0 {
			g.buf = append(g.buf, '\n')
		}
		g.entry()
		if _, err := bw.Write(g.buf); err != nil {
			return fmt.Errorf("write synthetic library: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write synthetic library: %w", err)
	}
	return nil
}

// synthDupRate is the share of entries that repeat an earlier one, for duplicate detection.
const synthDupRate = 0.02

// synthPoolSize bounds the earlier entries a near-duplicate may copy: a reservoir sample keeps
// memory flat at any n while letting a duplicate reach back to any earlier entry.
const synthPoolSize = 1024

type synthGen struct {
	r    *rand.PCG // not rand.Rand: its interface call per draw is a fifth of the run time
	buf  []byte
	keys map[string]struct{}
	kb   []byte
	cur  synthRecord
	pool []synthRecord
	seen int // entries offered to pool
	bits uint64
	half bool // the upper half of bits is still unused
}

// synthRecord is what a near-duplicate copies from the entry it repeats.
type synthRecord struct {
	typ       string
	authors   []synthName
	others    bool
	comma     bool // "Family, Given" rather than "Given Family"
	title     []string
	titleCase int
	year      int
	venue     string
	address   string
	doi       []byte
}

type synthName struct {
	given    string
	initials bool
	middle   byte
	von      string
	last     string
	keyLast  string // last in LaTeX or plain ASCII, which citation keys are folded from
	jr       string
}

const (
	synthSentenceCase = iota
	synthTitleCase
	synthUpperCase
	synthLowerCase
)

// u32 hands out the two halves of each PCG output in turn: the generator draws tens of random
// numbers per entry, most of them small, and this halves the cost of drawing them.
func (g *synthGen) u32() uint32 {
	if !g.half {
		g.bits = g.r.Uint64()
	}
	g.half = !g.half
	v := uint32(g.bits)
	g.bits >>= 32
	return v
}

// intn returns a number in [0, n). Its bias, at most n/2^32, does not matter here.
func (g *synthGen) intn(n int) int { return int(uint64(g.u32()) * uint64(n) >> 32) }

func (g *synthGen) chance(p float64) bool { return float64(g.u32()) < p*(1<<32) }

func (g *synthGen) pick(s []string) string { return s[g.intn(len(s))] }

// skewed favours the front of a list, where the pools keep their most common names, so that
// some names recur as often as Wang or Smith do in a real library.
func (g *synthGen) skewed(n int) int {
	u := float64(g.u32()) / (1 << 32)
	return int(u * u * float64(n))
}

// weighted returns i with probability w[i]/sum(w).
func (g *synthGen) weighted(w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	x := g.intn(total)
	for i, wi := range w {
		if x < wi {
			return i
		}
		x -= wi
	}
	return len(w) - 1
}

var (
	synthTypes       = []string{"article", "inproceedings", "book", "incollection", "phdthesis", "techreport", "misc"}
	synthTypeWeights = []int{450, 350, 50, 40, 30, 30, 50}
	// synthAuthorWeights is the number of authors, 1 to 12, per mille: median 3, long tail.
	synthAuthorWeights = []int{120, 200, 220, 160, 100, 70, 40, 30, 20, 15, 12, 13}
	synthEditorWeights = []int{30, 35, 20, 15}
)

func (g *synthGen) entry() {
	rec := &g.cur
	if len(g.pool) > 0 && g.chance(synthDupRate) {
		src := &g.pool[g.intn(len(g.pool))]
		rec.typ, rec.others, rec.comma, rec.year = src.typ, src.others, src.comma, src.year
		rec.venue, rec.address = src.venue, src.address
		rec.authors = append(rec.authors[:0], src.authors...)
		rec.title = append(rec.title[:0], src.title...)
		rec.titleCase = src.titleCase
		if g.chance(0.6) {
			rec.titleCase = (src.titleCase + 1 + g.intn(3)) % 4
		}
		// A copy from another source often lacks the DOI, or has one where the first had none.
		rec.doi = rec.doi[:0]
		switch {
		case len(src.doi) > 0 && g.chance(0.6):
			rec.doi = append(rec.doi, src.doi...)
		case len(src.doi) == 0 && g.chance(0.5):
			rec.doi = g.appendDOI(rec.doi, rec)
		}
	} else {
		g.fresh(rec)
		g.offer(rec)
	}
	g.write(rec)
}

func (g *synthGen) fresh(rec *synthRecord) {
	rec.typ = synthTypes[g.weighted(synthTypeWeights)]
	rec.year = g.year()
	rec.comma = g.chance(0.55)
	rec.titleCase = synthSentenceCase
	if g.chance(0.45) {
		rec.titleCase = synthTitleCase
	}
	n := 1 + g.weighted(synthAuthorWeights)
	switch rec.typ {
	case "phdthesis":
		n = 1
	case "book":
		n = min(n, 4)
	}
	rec.authors = rec.authors[:0]
	for range n {
		rec.authors = append(rec.authors, g.name())
	}
	rec.others = n >= 3 && g.chance(0.04)
	lo, hi := 4, 18
	if rec.typ == "book" {
		hi = 10
	}
	rec.title = g.title(rec.title[:0], lo, hi)
	rec.venue, rec.address = "", ""
	switch rec.typ {
	case "article":
		rec.venue = g.pick(synthJournals)
	case "inproceedings":
		rec.venue = g.pick(synthConferences)
	case "incollection":
		rec.venue = g.bookTitle()
	case "phdthesis":
		p := synthSchools[g.intn(len(synthSchools))]
		rec.venue, rec.address = p[0], p[1]
	case "techreport":
		p := synthInstitutions[g.intn(len(synthInstitutions))]
		rec.venue, rec.address = p[0], p[1]
	}
	rec.doi = rec.doi[:0]
	if g.chance(synthDOIShare[rec.typ]) {
		rec.doi = g.appendDOI(rec.doi, rec)
	}
}

// synthDOIShare is the share of entries with a DOI, per type: about half of all entries.
var synthDOIShare = map[string]float64{
	"article": 0.62, "inproceedings": 0.5, "book": 0.15, "incollection": 0.35,
	"phdthesis": 0.1, "techreport": 0.1, "misc": 0.2,
}

// offer keeps rec in the reservoir of entries that later duplicates may copy.
func (g *synthGen) offer(rec *synthRecord) {
	g.seen++
	i := len(g.pool)
	if i >= synthPoolSize {
		i = g.intn(g.seen)
		if i >= synthPoolSize {
			return
		}
	} else {
		g.pool = append(g.pool, synthRecord{})
	}
	p := &g.pool[i]
	authors, title, doi := p.authors[:0], p.title[:0], p.doi[:0]
	*p = *rec
	p.authors = append(authors, rec.authors...)
	p.title = append(title, rec.title...)
	p.doi = append(doi, rec.doi...)
}

// synthFirstYear and synthLastYear bound the years. The last is fixed, not the clock's, so
// that the output does not change with the date.
const (
	synthFirstYear = 1950
	synthLastYear  = 2026
)

// year is skewed to recent work, as in a working library (median about 2019), with a uniform
// tail back to 1950 for the classics every library cites.
func (g *synthGen) year() int {
	if g.chance(0.1) {
		return synthFirstYear + g.intn(synthLastYear-synthFirstYear+1)
	}
	for {
		// The 0.7 makes the last year rarer than the one before: a library holds only part of
		// the current year's work.
		u := (float64(g.u32()) + 1) / (1 << 32)
		y := synthLastYear - int(-math.Log(u)*8+0.7)
		if y >= synthFirstYear {
			return y
		}
	}
}

func (g *synthGen) name() synthName {
	var n synthName
	accents := -1 // 0: LaTeX, 1: UTF-8
	if x := g.intn(100); x < 10 {
		accents = x / 5
	}
	family := accents >= 0 && g.chance(0.7)
	if family {
		p := synthAccentedFamily[g.intn(len(synthAccentedFamily))]
		n.last, n.keyLast = p[accents], p[0]
	} else if g.chance(0.03) {
		p := synthVonFamily[g.intn(len(synthVonFamily))]
		n.von, n.last, n.keyLast = p[0], p[1], p[1]
	} else {
		n.last = synthFamily[g.skewed(len(synthFamily))]
		n.keyLast = n.last
	}
	if accents >= 0 && (!family || g.chance(0.3)) {
		n.given = synthAccentedGiven[g.intn(len(synthAccentedGiven))][accents]
	} else {
		n.given = synthGiven[g.skewed(len(synthGiven))]
		n.initials = g.chance(0.2)
	}
	if g.chance(0.15) {
		n.middle = 'A' + byte(g.intn(26))
	}
	if g.chance(0.01) {
		n.jr = g.pick([]string{"Jr.", "Jr", "III", "II"})
	}
	return n
}

func (g *synthGen) appendName(b []byte, n *synthName, comma bool) []byte {
	if comma || n.jr != "" {
		if n.von != "" {
			b = append(b, n.von...)
			b = append(b, ' ')
		}
		b = append(b, n.last...)
		if n.jr != "" {
			b = append(b, ", "...)
			b = append(b, n.jr...)
		}
		b = append(b, ", "...)
		return synthAppendGiven(b, n)
	}
	b = synthAppendGiven(b, n)
	b = append(b, ' ')
	if n.von != "" {
		b = append(b, n.von...)
		b = append(b, ' ')
	}
	return append(b, n.last...)
}

func synthAppendGiven(b []byte, n *synthName) []byte {
	if n.initials {
		// Jean-Pierre becomes J.-P., as BibTeX styles abbreviate it.
		start := true
		for i := 0; i < len(n.given); i++ {
			c := n.given[i]
			switch {
			case c == '-':
				b = append(b, '-')
				start = true
			case start:
				b = append(b, c, '.')
				start = false
			}
		}
	} else {
		b = append(b, n.given...)
	}
	if n.middle != 0 {
		b = append(b, ' ', n.middle, '.')
	}
	return b
}

func (g *synthGen) appendPeople(b []byte, people []synthName, others, comma bool) []byte {
	for i := range people {
		if i > 0 {
			b = append(b, " and "...)
		}
		b = g.appendName(b, &people[i], comma)
	}
	if others {
		b = append(b, " and others"...)
	}
	return b
}

// title appends the words of a title of lo to hi words. Words that carry capitals (acronyms,
// proper names) are kept as single tokens so that they can be braced and never recased; ":"
// and math are tokens of their own.
func (g *synthGen) title(toks []string, lo, hi int) []string {
	target := lo + g.intn((hi-lo)/2+1) + g.intn((hi-lo+1)/2+1)
	n := 0
	switch {
	case g.chance(0.08):
		toks = append(toks, g.pick(synthAcronyms), ":")
		n = 1
	case g.chance(0.15):
		p := g.pick(synthTitlePrefixes)
		for p != "" {
			var w string
			w, p, _ = strings.Cut(p, " ")
			toks = append(toks, w)
			n++
		}
	}
	var m *[3]string
	if g.chance(0.03) {
		m = &synthMath[g.intn(len(synthMath))]
		n += 2 + strings.Count(m[1], " ")
		if m[2] != "" {
			n++
		}
	}
	toks = g.chain(toks, max(target-n, 2), nil)
	if m != nil {
		toks = append(toks, m[0], m[1])
		if m[2] != "" {
			toks = append(toks, m[2])
		}
	}
	return toks
}

// chain appends exactly words words of noun phrases joined by connectors, ending on a noun.
// The first link is a verb from verbs when verbs is not nil, which makes it a clause.
func (g *synthGen) chain(toks []string, words int, verbs []string) []string {
	for words > 0 {
		if words <= 3 {
			return g.phrase(toks, words)
		}
		m := 1 + g.intn(min(3, words-2))
		toks = g.phrase(toks, m)
		if verbs != nil {
			toks = append(toks, g.pick(verbs))
			verbs = nil
		} else {
			toks = append(toks, g.pick(synthConnectors))
		}
		words -= m + 1
	}
	return toks
}

// phrase appends a noun phrase: adjectives, then nouns. Words are most of the output, so each
// takes a single 32-bit draw: the low bits choose its kind and the high bits pick it.
func (g *synthGen) phrase(toks []string, words int) []string {
	for i := range words {
		v := g.u32()
		var pool []string
		switch adj := i < words-1 && (i == 0 && words == 3 || v&0xff < 154); {
		case adj && v>>8&0xff < 20:
			pool = synthProper
		case adj:
			pool = synthAdjectives
		case v>>8&0xff < 15:
			pool = synthAcronyms
		default:
			pool = synthNouns
		}
		toks = append(toks, pool[int(v>>16)*len(pool)>>16])
	}
	return toks
}

func (g *synthGen) bookTitle() string {
	b := []byte(g.pick(synthBookPrefixes))
	toks := g.chain(nil, 1+g.intn(4), nil)
	for _, t := range toks {
		b = append(b, ' ')
		b = synthTitleWord(b, t, synthTitleCase, false)
	}
	return string(b)
}

func synthIsMinor(w string) bool {
	switch w {
	case "a", "an", "the", "of", "for", "with", "via", "in", "on", "and", "or", "to", "from",
		"under", "over", "by", "at", "as", "across", "through", "without", "towards":
		return true
	}
	return false
}

func synthHasUpper(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 'A' && w[i] <= 'Z' {
			return true
		}
	}
	return false
}

func (g *synthGen) appendTitle(b []byte, toks []string, mode int) []byte {
	first := true
	for i, t := range toks {
		if t == ":" {
			b = append(b, ':')
			first = true
			continue
		}
		if i > 0 {
			b = append(b, ' ')
		}
		b = synthTitleWord(b, t, mode, first)
		first = false
	}
	return b
}

// synthTitleWord writes one title word: capitals are braced so that styles that lower-case
// titles keep them, as careful authors write {BERT} and {Bayesian}.
func synthTitleWord(b []byte, w string, mode int, first bool) []byte {
	switch {
	case strings.IndexByte(w, '$') >= 0:
		return append(b, w...)
	case synthHasUpper(w):
		b = append(b, '{')
		b = append(b, w...)
		return append(b, '}')
	}
	switch mode {
	case synthUpperCase:
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
		return b
	case synthLowerCase:
		return append(b, w...)
	case synthTitleCase:
		if !first && synthIsMinor(w) {
			return append(b, w...)
		}
		up := true
		for i := 0; i < len(w); i++ {
			c := w[i]
			if up && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			up = c == '-'
			b = append(b, c)
		}
		return b
	}
	if first && w[0] >= 'a' && w[0] <= 'z' {
		b = append(b, w[0]-('a'-'A'))
		return append(b, w[1:]...)
	}
	return append(b, w...)
}

// key writes the citation key into g.kb: family name of the first author (or editor), year and
// the first significant title word, folded to lower-case ASCII, with a, b, ... on clashes.
func (g *synthGen) key(rec *synthRecord) string {
	kb := g.kb[:0]
	if len(rec.authors) > 0 {
		kb = synthFold(kb, rec.authors[0].keyLast)
	}
	if len(kb) == 0 {
		kb = append(kb, "anon"...)
	}
	kb = strconv.AppendInt(kb, int64(rec.year), 10)
	for _, t := range rec.title {
		if t == ":" || strings.IndexByte(t, '$') >= 0 || synthIsMinor(strings.ToLower(t)) {
			continue
		}
		n := len(kb)
		kb = synthFold(kb, t)
		if len(kb) > n {
			break
		}
	}
	base := len(kb)
	for i := 1; ; i++ {
		if _, taken := g.keys[string(kb)]; !taken {
			break
		}
		kb = synthKeySuffix(kb[:base], i)
	}
	g.kb = kb
	k := string(kb)
	g.keys[k] = struct{}{}
	return k
}

// synthKeySuffix appends a, b, ..., z, aa, ab, ... for i = 1, 2, ...
func synthKeySuffix(b []byte, i int) []byte {
	var tmp [8]byte
	j := len(tmp)
	for i > 0 {
		i--
		j--
		tmp[j] = 'a' + byte(i%26)
		i /= 26
	}
	return append(b, tmp[j:]...)
}

// synthFold appends the lower-case ASCII letters and digits of s, which is plain ASCII or
// LaTeX: accent commands are dropped and their letter kept, and \o, \l, \ss... spelt out.
func synthFold(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j == i+1 {
				i++ // a control symbol such as \" or \'
				continue
			}
			switch cmd := s[i+1 : j]; cmd {
			case "i", "j", "o", "O", "l", "L", "ss", "ae", "AE", "oe", "OE":
				b = append(b, strings.ToLower(cmd)...)
			case "aa", "AA":
				b = append(b, 'a')
			}
			i = j - 1
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		}
	}
	return b
}

func (g *synthGen) open(name string) {
	g.buf = append(g.buf, "  "...)
	g.buf = append(g.buf, name...)
	g.buf = append(g.buf, " = {"...)
}

func (g *synthGen) close() { g.buf = append(g.buf, "},\n"...) }

func (g *synthGen) field(name, value string) {
	g.open(name)
	g.buf = append(g.buf, value...)
	g.close()
}

func (g *synthGen) intField(name string, v int) {
	g.open(name)
	g.buf = strconv.AppendInt(g.buf, int64(v), 10)
	g.close()
}

// write appends one record as BibTeX to g.buf. It is long because it is one straight run of
// the fields in the order a real file has them, each with its own distribution; split into
// helpers it would only pass the record and the buffer around.
func (g *synthGen) write(rec *synthRecord) {
	key := g.key(rec)
	g.buf = append(g.buf, '@')
	g.buf = append(g.buf, rec.typ...)
	g.buf = append(g.buf, '{')
	g.buf = append(g.buf, key...)
	g.buf = append(g.buf, ",\n"...)

	// An edited book has its editors where the others have authors; the key comes from them alike.
	if rec.typ == "book" && g.chance(0.1) {
		g.open("editor")
	} else {
		g.open("author")
	}
	g.buf = g.appendPeople(g.buf, rec.authors, rec.others, rec.comma)
	g.close()
	if rec.typ == "incollection" && g.chance(0.7) {
		var eds [4]synthName
		n := 1 + g.weighted(synthEditorWeights)
		for i := range n {
			eds[i] = g.name()
		}
		g.open("editor")
		g.buf = g.appendPeople(g.buf, eds[:n], false, rec.comma)
		g.close()
	}
	g.open("title")
	g.buf = g.appendTitle(g.buf, rec.title, rec.titleCase)
	g.close()

	var urlP float64
	publisher, address := "", ""
	switch rec.typ {
	case "article":
		urlP = 0.25
		g.field("journal", rec.venue)
		if g.chance(0.85) {
			g.intField("volume", 1+g.intn(150))
		}
		if g.chance(0.65) {
			g.intField("number", 1+g.intn(12))
		}
		if g.chance(0.85) {
			g.pages(1+g.intn(2000), 3+g.intn(25))
		}
	case "inproceedings":
		urlP = 0.3
		g.field("booktitle", rec.venue)
		if g.chance(0.15) {
			s := synthSeries[g.intn(len(synthSeries))]
			g.field("series", s.name)
			if s.firstVolume > 0 {
				g.intField("volume", s.firstVolume+g.intn(s.firstVolume*4))
			}
		}
		if g.chance(0.75) {
			g.pages(1+g.intn(4000), 4+g.intn(12))
		}
		if g.chance(0.55) {
			p := synthProceedingsPublishers[g.intn(len(synthProceedingsPublishers))]
			publisher, address = p[0], p[1]
		}
	case "book":
		urlP = 0.15
		if g.chance(0.2) {
			g.field("series", g.pick(synthBookSeries))
			if g.chance(0.5) {
				g.intField("volume", 1+g.intn(300))
			}
		}
		if g.chance(0.15) {
			g.field("edition", g.pick([]string{"2nd", "3rd", "Second", "Third", "4th", "2"}))
		}
		p := synthPublishers[g.intn(len(synthPublishers))]
		publisher, address = p[0], p[1]
	case "incollection":
		urlP = 0.2
		g.field("booktitle", rec.venue)
		if g.chance(0.8) {
			g.pages(1+g.intn(600), 10+g.intn(30))
		}
		if g.chance(0.9) {
			p := synthPublishers[g.intn(len(synthPublishers))]
			publisher, address = p[0], p[1]
		}
	case "phdthesis":
		urlP = 0.4
		g.field("school", rec.venue)
	case "techreport":
		urlP = 0.5
		g.field("institution", rec.venue)
		if g.chance(0.6) {
			g.open("number")
			g.buf = g.reportNumber(g.buf, rec.year)
			g.close()
		}
	case "misc":
		urlP = 0.75
	}

	if rec.typ != "misc" || g.chance(0.95) {
		g.intField("year", rec.year)
	}
	if g.chance(0.3) {
		m := g.intn(12)
		if g.chance(0.6) {
			g.field("month", synthMonthAbbrevs[m])
		} else {
			g.field("month", synthMonths[m])
		}
	}
	if publisher != "" {
		g.field("publisher", publisher)
		if g.chance(0.6) {
			g.field("address", address)
		}
	}
	if rec.address != "" && g.chance(0.35) {
		g.field("address", rec.address)
	}
	if rec.typ == "book" && g.chance(0.6) || rec.typ == "incollection" && g.chance(0.2) {
		g.open("isbn")
		g.buf = g.isbn(g.buf)
		g.close()
	}

	arxiv := rec.year >= 2008 && (rec.typ == "misc" && g.chance(0.45) || rec.typ == "inproceedings" && g.chance(0.08))
	var idBuf [10]byte
	id := idBuf[:0]
	if arxiv {
		// yymm.nnnnn; arXiv numbers had four digits before 2015.
		yy, mm := rec.year%100, 1+g.intn(12)
		id = append(id, byte('0'+yy/10), byte('0'+yy%10), byte('0'+mm/10), byte('0'+mm%10), '.')
		if rec.year >= 2015 {
			id = g.digits(id, 5)
		} else {
			id = g.digits(id, 4)
		}
	}
	if rec.typ == "misc" {
		switch {
		case arxiv && g.chance(0.7):
			g.open("howpublished")
			g.buf = append(g.buf, "arXiv preprint arXiv:"...)
			g.buf = append(g.buf, id...)
			g.close()
		case g.chance(0.4):
			g.field("howpublished", g.pick(synthHowPublished))
		}
		if arxiv {
			g.open("eprint")
			g.buf = append(g.buf, id...)
			g.close()
			g.field("archiveprefix", "arXiv")
			if g.chance(0.6) {
				g.field("primaryclass", g.pick(synthArxivClasses))
			}
		}
	}

	if len(rec.doi) > 0 {
		g.open("doi")
		g.buf = append(g.buf, rec.doi...)
		g.close()
	}
	if g.chance(urlP) {
		g.open("url")
		g.buf = g.appendURL(g.buf, rec, id)
		g.close()
	}
	if g.chance(0.05) {
		g.field("note", g.pick(synthNotes))
	}
	if g.chance(0.6) {
		g.open("abstract")
		g.buf = g.abstract(g.buf)
		g.close()
	}
	if g.chance(0.4) {
		g.open("keywords")
		g.buf = g.keywords(g.buf)
		g.close()
	}
	g.buf = append(g.buf, "}\n"...)
}

func (g *synthGen) pages(start, length int) {
	g.open("pages")
	g.buf = strconv.AppendInt(g.buf, int64(start), 10)
	g.buf = append(g.buf, "--"...)
	g.buf = strconv.AppendInt(g.buf, int64(start+length), 10)
	g.close()
}

func (g *synthGen) digits(b []byte, n int) []byte {
	for range n {
		b = append(b, byte('0'+g.intn(10)))
	}
	return b
}

func (g *synthGen) reportNumber(b []byte, year int) []byte {
	switch g.intn(5) {
	case 0:
		b = append(b, "MSR-TR-"...)
		b = strconv.AppendInt(b, int64(year), 10)
		b = append(b, '-')
		return strconv.AppendInt(b, int64(1+g.intn(200)), 10)
	case 1:
		b = append(b, "CMU-CS-"...)
		b = append(b, byte('0'+year%100/10), byte('0'+year%10), '-')
		return g.digits(b, 3)
	case 2:
		b = append(b, "UCB/EECS-"...)
		b = strconv.AppendInt(b, int64(year), 10)
		b = append(b, '-')
		return strconv.AppendInt(b, int64(1+g.intn(250)), 10)
	case 3:
		b = append(b, "RR-"...)
		return g.digits(b, 4)
	}
	b = append(b, "TR-"...)
	b = strconv.AppendInt(b, int64(year), 10)
	b = append(b, '-')
	return append(b, byte('0'+g.intn(2)), byte('1'+g.intn(9)))
}

// isbn appends an ISBN-13 with a valid check digit, hyphenated as most exports write it.
func (g *synthGen) isbn(b []byte) []byte {
	var d [13]byte
	copy(d[:], "978")
	d[3] = byte('0' + synthISBNGroups[g.intn(len(synthISBNGroups))])
	for i := 4; i < 12; i++ {
		d[i] = byte('0' + g.intn(10))
	}
	sum := 0
	for i := range 12 {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(d[i]-'0')
	}
	d[12] = byte('0' + (10-sum%10)%10)
	if g.chance(0.2) {
		return append(b, d[:]...)
	}
	b = append(b, d[:3]...)
	b = append(b, '-', d[3], '-')
	b = append(b, d[4:7]...)
	b = append(b, '-')
	b = append(b, d[7:12]...)
	return append(b, '-', d[12])
}

// synthISBNGroups are ISBN groups weighted as books in a research library are: English (0, 1)
// far ahead of French (2) and German (3).
var synthISBNGroups = []byte{0, 0, 1, 1, 2, 3}

func (g *synthGen) appendDOI(b []byte, rec *synthRecord) []byte {
	switch x := g.intn(100); {
	case x < 20: // ACM
		b = append(b, "10.1145/"...)
		b = g.digits(b, 7)
		b = append(b, '.')
		return g.digits(b, 7)
	case x < 40: // IEEE
		b = append(b, "10.1109/"...)
		b = append(b, g.pick(synthIEEECodes)...)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(rec.year), 10)
		b = append(b, '.')
		return strconv.AppendInt(b, int64(1+g.intn(9999)), 10)
	case x < 58: // Springer
		if rec.typ == "article" {
			b = append(b, "10.1007/s"...)
			b = g.digits(b, 5)
			b = append(b, '-')
			b = g.digits(b, 3)
			b = append(b, '-')
			b = g.digits(b, 4)
			b = append(b, '-')
			return g.digits(b, 1)
		}
		b = append(b, "10.1007/978-3-"...)
		b = g.digits(b, 3)
		b = append(b, '-')
		b = g.digits(b, 5)
		b = append(b, '-')
		b = g.digits(b, 1)
		b = append(b, '_')
		return strconv.AppendInt(b, int64(1+g.intn(60)), 10)
	case x < 75: // Elsevier
		b = append(b, "10.1016/j."...)
		b = append(b, g.pick(synthElsevierCodes)...)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(rec.year), 10)
		b = append(b, '.')
		b = g.digits(b, 2)
		b = append(b, '.')
		return g.digits(b, 3)
	}
	b = append(b, "10."...)
	b = strconv.AppendInt(b, int64(1000+g.intn(9000)), 10)
	b = append(b, '/')
	for range 3 + g.intn(4) {
		b = append(b, byte('a'+g.intn(26)))
	}
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(rec.year), 10)
	b = append(b, '.')
	return g.digits(b, 3+g.intn(4))
}

// appendURL appends a URL; id is the entry's arXiv number, if it has one.
func (g *synthGen) appendURL(b []byte, rec *synthRecord, id []byte) []byte {
	switch {
	case len(rec.doi) > 0 && g.chance(0.4):
		b = append(b, "https://doi.org/"...)
		return append(b, rec.doi...)
	case len(id) > 0:
		b = append(b, "https://arxiv.org/abs/"...)
		return append(b, id...)
	case rec.typ == "inproceedings" && rec.year >= 2017 && g.chance(0.4):
		b = append(b, "https://openreview.net/forum?id="...)
		for range 10 {
			b = append(b, synthAlnum[g.intn(len(synthAlnum))])
		}
		return b
	}
	var last []byte
	if len(rec.authors) > 0 {
		last = synthFold(nil, rec.authors[0].keyLast)
	}
	if rec.typ == "misc" && g.chance(0.5) {
		b = append(b, "https://github.com/"...)
		b = append(b, last...)
		b = append(b, '/')
		return append(b, g.pick(synthNouns)...)
	}
	b = append(b, "https://www."...)
	b = append(b, g.pick(synthDomains)...)
	b = append(b, "/~"...)
	b = append(b, last...)
	b = append(b, "/papers/"...)
	b = strconv.AppendInt(b, int64(rec.year), 10)
	b = append(b, '-')
	b = append(b, g.pick(synthNouns)...)
	return append(b, ".pdf"...)
}

// abstract appends 50 to 300 words (175 on average) in sentences of 8 to 35 words.
func (g *synthGen) abstract(b []byte) []byte {
	target := 50 + g.intn(126) + g.intn(126)
	var toks [40]string
	for done := 0; done < target; {
		rem := target - done
		n := 10 + g.intn(10) + g.intn(10)
		if rem-n < 8 {
			n = rem
		}
		done += n
		s := toks[:0]
		words := n
		if g.chance(0.4) {
			o := g.pick(synthOpeners)
			s = append(s, o)
			words -= 1 + strings.Count(o, " ")
			s = g.chain(s, words, nil)
		} else {
			s = g.chain(s, words, synthVerbs)
		}
		if done > n {
			b = append(b, ' ')
		}
		for i, t := range s {
			if i > 0 {
				b = append(b, ' ')
			}
			if i == 0 && t[0] >= 'a' && t[0] <= 'z' {
				b = append(b, t[0]-('a'-'A'))
				t = t[1:]
			}
			b = append(b, t...)
		}
		b = append(b, '.')
	}
	return b
}

func (g *synthGen) keywords(b []byte) []byte {
	var chosen [5]int
	n := 2 + g.intn(4)
	for i := 0; i < n; {
		k := g.skewed(len(synthKeywords))
		dup := false
		for _, c := range chosen[:i] {
			dup = dup || c == k
		}
		if dup {
			continue
		}
		chosen[i] = k
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, synthKeywords[k]...)
		i++
	}
	return b
}

const synthAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Months are written braced like every other value, never as bare macros (jan), which
// nickng/bibtex would have to expand.
var synthMonthAbbrevs = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
	"oct", "nov", "dec"}

var synthMonths = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// Names: the first entries of synthFamily and synthGiven are the most common, see skewed.
var synthFamily = []string{
	"Wang", "Li", "Zhang", "Liu", "Chen", "Kim", "Lee", "Smith", "Yang", "Park", "Huang", "Kumar",
	"Zhao", "Singh", "Wu", "Johnson", "Zhou", "Nguyen", "Xu", "Brown", "Sun", "Tanaka", "Ma",
	"Williams", "Zhu", "Choi", "Hu", "Jones", "Guo", "Sharma", "Miller", "Lin", "Gupta", "Suzuki",
	"He", "Gao", "Davis", "Patel", "Luo", "Schmidt", "Wilson", "Jung", "Silva", "Rossi", "Taylor",
	"Anderson", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
	"Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
	"Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell",
	"Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
	"Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ward", "Richardson",
	"Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Foster", "Ross",
	"Reddy", "Rao", "Agarwal", "Iyer", "Nair", "Mehta", "Joshi", "Chatterjee", "Banerjee",
	"Mukherjee", "Das", "Ghosh", "Bose", "Krishnan", "Subramanian", "Srinivasan", "Menon",
	"Pillai", "Desai", "Kapoor", "Malhotra", "Bhattacharya", "Raman",
	"Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida",
	"Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Ikeda",
	"Hashimoto", "Sato", "Okada", "Fujita", "Ogawa",
	"Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
	"Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Hartmann", "Lange",
	"Werner", "Krause", "Lehmann", "Kaiser", "Fuchs", "Vogel", "Keller", "Huber",
	"Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
	"Laurent", "Michel", "Garnier", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
	"Fontaine", "Rousseau", "Vincent", "Lefebvre", "Mercier", "Blanc", "Chevalier", "Perrin",
	"Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
	"Bruno", "Gallo", "Conti", "Costa", "Giordano", "Mancini", "Lombardi", "Moretti", "Barbieri",
	"Santos", "Oliveira", "Souza", "Pereira", "Ferreira", "Alves", "Ribeiro", "Carvalho",
	"Almeida", "Gomes", "Torres", "Ramos", "Castro", "Vargas", "Morales", "Ortiz", "Reyes",
	"Cruz", "Flores", "Rivera", "Herrera", "Medina", "Mendoza", "Navarro", "Romero", "Ruiz",
	"Jansen", "Visser", "Bakker", "Smit", "Meijer", "Mulder", "Bos", "Dekker", "Johansson",
	"Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsen", "Hansen", "Pedersen",
	"Nielsen", "Christensen", "Lindqvist", "Virtanen", "Korhonen", "Nieminen", "Laine",
	"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev", "Kozlov", "Novikov",
	"Morozov", "Petrov", "Volkov", "Pavlov", "Nowak", "Kowalski", "Kaminski", "Lewandowski",
	"Zielinski", "Szymanski", "Wozniak", "Horvat", "Popescu", "Ionescu", "Georgiev", "Dimitrov",
	"Shevchenko", "Kovalenko", "Papadopoulos", "Georgiou", "Nikolaidis", "Pappas", "Vlachos",
	"Kaya", "Demir", "Yildiz", "Aydin", "Arslan", "Dogan", "Haddad", "Khalil", "Hassan", "Ali",
	"Ahmed", "Ibrahim", "Mansour", "Rahman", "Hussain", "Karimi", "Hosseini", "Ahmadi",
	"Mohammadi", "Rezaei", "Sadeghi", "Cohen", "Levi", "Mizrahi", "Friedman", "Katz", "Shapiro",
	"Goldberg", "Rosenberg", "Ben-David", "Tran", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui",
	"Ngo", "Shin", "Han", "Oh", "Seo", "Kwon", "Hwang", "Song", "Jeon", "Deng", "Feng", "Cao",
	"Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang", "Yu", "Du", "Ye",
	"Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao", "Tang", "Fang",
	"Okafor", "Adeyemi", "Okonkwo", "Balogun", "Mensah", "Owusu", "Boateng", "Kamau", "Otieno",
	"Mwangi", "Abebe", "Tesfaye", "Nkosi", "Dlamini", "Ndlovu", "Diallo", "Traore", "Keita",
	"Nagy", "Kovacs", "Toth", "Szabo", "Horvath", "Varga", "Molnar", "Farkas",
	"O'Brien", "O'Connor", "McDonald", "MacLeod", "Murray", "Fraser", "Byrne", "Walsh", "Ryan",
	"Lopez-Paz", "Al-Rashid", "Garcia-Molina",
}

var synthGiven = []string{
	"Wei", "Jing", "Yang", "Jun", "Hao", "Lei", "Xin", "Yan", "Min", "John", "David", "Michael",
	"Li", "Ying", "Tao", "Yu", "Hui", "Jie", "Ming", "James", "Robert", "Daniel", "Anna", "Maria",
	"Rahul", "Amit", "Priya", "Hiroshi", "Takeshi", "Thomas", "Peter", "Andrew", "Sarah",
	"Xiaoming", "Xiaoyu", "Yifan", "Zhiwei", "Jianfeng", "Haoran", "Zihan", "Yuxuan", "Jiahao",
	"Shuai", "Qiang", "Hong", "Kai", "Rui", "Xiang", "Peng", "Lin", "Fang", "Yue", "Bo", "Ling",
	"Minjun", "Jiwoo", "Hyunwoo", "Jaehyun", "Sungmin", "Jisoo", "Eunji", "Seungwoo", "Dongho",
	"Hyejin", "Younghoon", "Kenji", "Yuki", "Haruto", "Satoshi", "Akira", "Naoki", "Takumi",
	"Kazuki", "Yusuke", "Daisuke", "Shota", "Aiko", "Sakura", "Hana", "Masashi", "Koji", "Ryo",
	"Anil", "Sanjay", "Vijay", "Arjun", "Rohan", "Deepak", "Suresh", "Ramesh", "Ananya", "Kavya",
	"Aditya", "Vikram", "Sunita", "Lakshmi", "Pooja", "Nikhil", "Siddharth", "Karthik",
	"Abhishek", "Neha", "Shreya", "William", "Richard", "Joseph", "Charles", "Christopher",
	"Matthew", "Anthony", "Mark", "Steven", "Paul", "Joshua", "Kevin", "Brian", "George",
	"Timothy", "Jason", "Ryan", "Jacob", "Eric", "Jonathan", "Stephen", "Justin", "Scott",
	"Benjamin", "Samuel", "Gregory", "Alexander", "Patrick", "Jack", "Mary", "Patricia",
	"Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Karen", "Lisa", "Nancy",
	"Margaret", "Emily", "Michelle", "Amanda", "Melissa", "Rebecca", "Laura", "Amy", "Emma",
	"Olivia", "Sophia", "Grace", "Claire", "Rachel", "Hannah", "Hans", "Klaus", "Wolfgang",
	"Stefan", "Andreas", "Matthias", "Tobias", "Florian", "Sebastian", "Julia", "Katharina",
	"Anja", "Sabine", "Ulrike", "Jan", "Pieter", "Sander", "Joost", "Maarten", "Lars", "Erik",
	"Henrik", "Nils", "Anders", "Ingrid", "Astrid", "Sven", "Mikko", "Juha", "Antti", "Pierre",
	"Jean", "Jean-Pierre", "Jean-Luc", "Philippe", "Nicolas", "Julien", "Antoine", "Mathieu",
	"Guillaume", "Olivier", "Vincent", "Camille", "Marie", "Sophie", "Isabelle", "Nathalie",
	"Claude", "Yves", "Laurent", "Marco", "Giuseppe", "Luca", "Francesco", "Alessandro",
	"Andrea", "Matteo", "Giovanni", "Paolo", "Chiara", "Giulia", "Francesca", "Carlos", "Juan",
	"Luis", "Javier", "Miguel", "Pablo", "Diego", "Alejandro", "Manuel", "Fernando", "Ana",
	"Carmen", "Lucia", "Pedro", "Rafael", "Paulo", "Tiago", "Bruno", "Gabriel", "Felipe",
	"Mariana", "Beatriz", "Ivan", "Dmitry", "Sergey", "Alexei", "Andrei", "Mikhail", "Nikolai",
	"Vladimir", "Olga", "Natalia", "Elena", "Tatiana", "Anastasia", "Piotr", "Tomasz",
	"Krzysztof", "Katarzyna", "Agnieszka", "Marek", "Pavel", "Petr", "Martin", "Milan",
	"Dragan", "Nikola", "Bogdan", "Mihai", "Radu", "Ioana", "Georgios", "Dimitrios",
	"Konstantinos", "Ioannis", "Nikos", "Eleni", "Christos", "Panagiotis", "Mohammed", "Ahmed",
	"Omar", "Ali", "Hassan", "Youssef", "Khalid", "Fatima", "Aisha", "Layla", "Amir", "Reza",
	"Mehdi", "Hossein", "Sara", "Maryam", "Mehmet", "Mustafa", "Emre", "Burak", "Elif", "Zeynep",
	"Yosef", "Avi", "Noam", "Yael", "Tamar", "Itai", "Shai", "Minh", "Anh", "Duc", "Hung",
	"Thanh", "Huong", "Linh", "Quang", "Tuan", "Trang", "Chinedu", "Oluwaseun", "Adebayo",
	"Ngozi", "Kwame", "Kofi", "Ama", "Wanjiru", "Amara", "Tendai", "Thabo", "Sipho", "Mamadou",
	"Fatou", "Yaw",
}

// synthAccentedFamily and synthAccentedGiven hold each name in LaTeX and in UTF-8, since real
// libraries spell the same person both ways depending on where an entry came from.
var synthAccentedFamily = [][2]string{
	{`G{\"o}del`, "Gödel"}, {`Erd{\H{o}}s`, "Erdős"}, {`Garc{\'\i}a`, "García"},
	{`M{\"u}ller`, "Müller"}, {`Sch{\"o}lkopf`, "Schölkopf"}, {`Nguy{\~{\^e}}n`, "Nguyễn"},
	{`Dvo{\v{r}}{\'a}k`, "Dvořák"}, {`H{\aa}stad`, "Håstad"}, {`Gau{\ss}`, "Gauß"},
	{`P{\'e}rez`, "Pérez"}, {`L{\'o}pez`, "López"}, {`G{\'o}mez`, "Gómez"},
	{`Jim{\'e}nez`, "Jiménez"}, {`Mart{\'\i}nez`, "Martínez"}, {`Rodr{\'\i}guez`, "Rodríguez"},
	{`Hern{\'a}ndez`, "Hernández"}, {`S{\'a}nchez`, "Sánchez"}, {`Fern{\'a}ndez`, "Fernández"},
	{`Gonz{\'a}lez`, "González"}, {`{\"O}zdemir`, "Özdemir"}, {`{\c{S}}ahin`, "Şahin"},
	{`{\c{C}}elik`, "Çelik"}, {`Y{\i}lmaz`, "Yılmaz"}, {`Kova{\v{c}}evi{\'c}`, "Kovačević"},
	{`Wr{\'o}bel`, "Wróbel"}, {`{\L}ukasiewicz`, "Łukasiewicz"}, {`Wi{\'s}niewski`, "Wiśniewski"},
	{`J{\o}rgensen`, "Jørgensen"}, {`{\AA}ngstr{\"o}m`, "Ångström"}, {`{\"O}zt{\"u}rk`, "Öztürk"},
	{`L{\'e}vy`, "Lévy"}, {`Fr{\'e}chet`, "Fréchet"}, {`Poincar{\'e}`, "Poincaré"},
	{`B{\'e}zier`, "Bézier"}, {`{\v{C}}ech`, "Čech"}, {`P{\'o}lya`, "Pólya"},
	{`R{\'e}nyi`, "Rényi"}, {`K{\H{o}}nig`, "Kőnig"}, {`Gr{\"o}bner`, "Gröbner"},
	{`Schr{\"o}dinger`, "Schrödinger"}, {`H{\"o}lder`, "Hölder"}, {`M{\"o}bius`, "Möbius"},
	{`Wei{\ss}`, "Weiß"}, {`B{\"a}ck`, "Bäck"}, {`S{\o}rensen`, "Sørensen"},
	{`Mu{\~n}oz`, "Muñoz"}, {`Pe{\~n}a`, "Peña"}, {`Concei{\c{c}}{\~a}o`, "Conceição"},
	{`Ph{\d{a}}m`, "Phạm"}, {"Tr{\\`{\\^a}}n", "Trần"}, {`L{\^e}`, "Lê"},
	{`Sch{\"u}tze`, "Schütze"}, {`D{\"o}rfler`, "Dörfler"}, {`J{\"a}ger`, "Jäger"},
	{`Kr{\"a}mer`, "Krämer"}, {`Bj{\"o}rck`, "Björck"}, {`Sch{\"a}fer`, "Schäfer"},
	{`V{\'a}zquez`, "Vázquez"}, {`Ko{\c{c}}`, "Koç"}, {`Nov{\'a}k`, "Novák"},
	{`{\v{S}}koda`, "Škoda"}, {`Tom{\'a}{\v{s}}ek`, "Tomášek"}, {`Kosti{\'c}`, "Kostić"},
	{`Jovanovi{\'c}`, "Jovanović"},
}

var synthAccentedGiven = [][2]string{
	{`Zo{\"e}`, "Zoë"}, {`{\L}ukasz`, "Łukasz"}, {`Fran{\c{c}}ois`, "François"},
	{`J{\"u}rgen`, "Jürgen"}, {`J{\"o}rg`, "Jörg"}, {`Ren{\'e}`, "René"},
	{"H{\\'e}l{\\`e}ne", "Hélène"}, {`Jos{\'e}`, "José"}, {`S{\o}ren`, "Søren"},
	{`Bj{\o}rn`, "Bjørn"}, {`{\AA}sa`, "Åsa"}, {`{\'A}d{\'a}m`, "Ádám"},
	{`L{\'a}szl{\'o}`, "László"}, {`Pawe{\l}`, "Paweł"}, {`Micha{\l}`, "Michał"},
	{`Ji{\v{r}}{\'\i}`, "Jiří"}, {`Tom{\'a}{\v{s}}`, "Tomáš"}, {`Du{\v{s}}an`, "Dušan"},
	{`I{\~n}aki`, "Iñaki"}, {`Jo{\~a}o`, "João"}, {`Andr{\'e}`, "André"},
	{`S{\'e}bastien`, "Sébastien"}, {`J{\'e}r{\^o}me`, "Jérôme"}, {`Ga{\"e}l`, "Gaël"},
	{`{\c{C}}a{\u{g}}lar`, "Çağlar"}, {`{\"U}mit`, "Ümit"}, {`Zolt{\'a}n`, "Zoltán"},
	{`M{\'o}nica`, "Mónica"}, {`In{\'e}s`, "Inés"}, {`Cl{\'e}ment`, "Clément"},
	{`Th{\'e}o`, "Théo"}, {`Bj{\"o}rn`, "Björn"}, {`G{\"u}nter`, "Günter"},
	{`Ma{\l}gorzata`, "Małgorzata"}, {`{\'E}milie`, "Émilie"}, {`Ra{\'u}l`, "Raúl"},
	{`Sebasti{\'a}n`, "Sebastián"}, {`Mar{\'\i}a`, "María"}, {`Ay{\c{s}}e`, "Ayşe"},
	{`{\DJ}or{\dj}e`, "Đorđe"},
}

// synthVonFamily is {von part, last part}; citation keys use the last part, as most tools do.
var synthVonFamily = [][2]string{
	{"van der", "Waals"}, {"van den", "Oord"}, {"de la", "Cruz"}, {"von", "Neumann"},
	{"van", "Rossum"}, {"de", "Moura"}, {"van der", "Maaten"}, {"di", "Stefano"},
	{"de", "Freitas"}, {"van", "Leeuwen"}, {"von", "Luxburg"}, {"de", "Vries"}, {"van", "Dijk"},
	{"da", "Silva"}, {"dos", "Santos"}, {"de la", "Torre"}, {"van der", "Aalst"},
	{"van den", "Broeck"}, {"van", "Gool"}, {"de", "Rijke"}, {"von", "Ahn"},
	{"van der", "Vaart"}, {"del", "Pino"}, {"de", "Boer"}, {"le", "Roux"},
}

var synthAdjectives = []string{
	"adaptive", "scalable", "robust", "efficient", "distributed", "parallel", "probabilistic",
	"stochastic", "deterministic", "approximate", "exact", "optimal", "online", "incremental",
	"hierarchical", "sparse", "dense", "low-rank", "convex", "non-convex", "nonlinear", "linear",
	"deep", "neural", "generative", "discriminative", "contrastive", "self-supervised",
	"semi-supervised", "unsupervised", "supervised", "multi-task", "multimodal", "cross-lingual",
	"multilingual", "federated", "private", "secure", "verifiable", "interpretable",
	"explainable", "fair", "causal", "temporal", "spatial", "spatio-temporal", "dynamic",
	"static", "adversarial", "variational", "latent", "implicit", "explicit", "continuous",
	"discrete", "combinatorial", "randomized", "greedy", "local", "global", "fast",
	"lightweight", "real-time", "large-scale", "high-dimensional", "fine-grained", "end-to-end",
	"zero-shot", "few-shot", "transferable", "invariant", "equivariant", "geometric",
	"topological", "algebraic", "symbolic", "logical", "formal", "functional", "concurrent",
	"asynchronous", "fault-tolerant", "energy-efficient", "memory-efficient", "compact",
	"uncertain", "noisy", "incomplete", "heterogeneous", "multi-agent", "cooperative",
	"decentralized", "quantum", "statistical", "computational", "numerical", "spectral",
	"recurrent", "convolutional", "attention-based", "graph-based", "data-driven",
	"model-based", "model-free", "provable", "certified", "practical", "unified", "modular",
	"compositional", "persistent", "reliable", "consistent", "sequential", "autoregressive",
	"visual", "textual", "semantic", "syntactic", "acoustic", "biomedical", "clinical",
	"molecular", "genomic", "social", "urban", "autonomous", "embedded", "mobile", "wireless",
	"optical", "serverless", "transactional", "relational", "neuro-symbolic", "open-domain",
}

// synthProper are capitalised adjectives and names that titles brace, as in {Bayesian}.
var synthProper = []string{
	"Bayesian", "Gaussian", "Markov", "Euclidean", "Riemannian", "Hamiltonian", "Lagrangian",
	"Boolean", "Fourier", "Hilbert", "Lipschitz", "Wasserstein", "Newton", "Krylov", "Dirichlet",
	"Poisson", "Bernoulli", "Kalman", "Laplacian", "Hessian", "Pareto", "Nash", "Turing",
	"Byzantine", "Petri", "Hebbian", "Boltzmann", "Langevin", "Shapley", "Voronoi", "Delaunay",
	"Steiner", "Hamming",
}

var synthNouns = []string{
	"networks", "models", "learning", "inference", "optimization", "estimation",
	"representation", "representations", "embeddings", "graphs", "trees", "algorithms",
	"systems", "framework", "approach", "analysis", "method", "methods", "architectures",
	"transformers", "agents", "policies", "games", "equilibria", "markets", "auctions",
	"mechanisms", "protocols", "consensus", "storage", "databases", "queries", "indexing",
	"search", "retrieval", "ranking", "recommendation", "classification", "regression",
	"clustering", "segmentation", "detection", "recognition", "tracking", "reconstruction",
	"rendering", "synthesis", "generation", "translation", "summarization", "parsing",
	"reasoning", "planning", "control", "scheduling", "allocation", "routing", "caching",
	"compression", "coding", "encryption", "authentication", "verification", "testing",
	"debugging", "compilation", "programs", "languages", "semantics", "types", "logic",
	"proofs", "theorems", "bounds", "complexity", "approximation", "sampling", "kernels",
	"processes", "fields", "flows", "dynamics", "diffusion", "attention", "memory", "features",
	"signals", "images", "video", "speech", "text", "documents", "knowledge", "ontologies",
	"data", "datasets", "benchmarks", "evaluation", "robustness", "generalization",
	"uncertainty", "calibration", "privacy", "fairness", "security", "attacks", "defenses",
	"adaptation", "transfer", "distillation", "pruning", "quantization", "training",
	"pretraining", "fine-tuning", "regularization", "convergence", "gradients", "descent",
	"matrices", "tensors", "factorization", "decomposition", "manifolds", "geometry",
	"topology", "spaces", "operators", "equations", "solvers", "simulation", "meshes",
	"shapes", "scenes", "objects", "robots", "manipulation", "navigation", "localization",
	"mapping", "perception", "sensors", "devices", "circuits", "processors", "accelerators",
	"compilers", "runtimes", "workloads", "clusters", "datacenters", "traffic", "channels",
	"spectrum", "antennas", "proteins", "genes", "cells", "molecules", "drugs", "diseases",
	"patients", "diagnosis", "health", "climate", "energy", "transportation", "mobility",
	"cities", "users", "interfaces", "interaction", "visualization", "crowdsourcing",
	"communities", "opinions", "sentiment", "dialogue", "questions", "answers",
	"explanations", "counterfactuals", "interventions", "effects", "causality",
	"time-series", "trajectories", "sequences", "streams", "events", "logs", "anomalies",
	"outliers", "errors", "faults", "failures", "recovery", "replication", "transactions",
	"concurrency", "synchronization", "locks", "threads", "resources", "budgets", "costs",
	"rewards", "exploration", "bandits", "regret", "risk", "decisions", "preferences",
	"choices", "voting", "coalitions", "contracts", "blockchains", "ledgers", "software",
	"code", "repositories", "bugs", "vulnerabilities", "patches", "specifications",
	"requirements", "constraints", "satisfiability", "heuristics", "metaheuristics",
	"evolution", "populations", "swarms", "hypergraphs", "polytopes", "lattices", "codes",
}

// synthAcronyms are braced in titles ({BERT}, {GPU}, {3D}) and written bare in abstracts.
var synthAcronyms = []string{
	"BERT", "GPU", "3D", "2D", "CNN", "RNN", "LSTM", "GAN", "VAE", "SGD", "MCMC", "SAT", "SMT",
	"SQL", "NoSQL", "RDF", "MPI", "FPGA", "IoT", "5G", "LiDAR", "RGB-D", "ImageNet", "PageRank",
	"MapReduce", "GPT", "LLM", "NLP", "DNA", "RNA", "MRI", "CT", "EEG", "HPC", "CPU", "TPU",
	"DRAM", "SSD", "TCP", "HTTP", "DNS", "P2P", "API", "UML", "XML", "JSON", "SPARQL", "OWL",
	"LTL", "BDD", "ILP", "MIP", "PDE", "ODE", "PCA", "SVD", "SVM", "AUC", "QoS", "MIMO", "OFDM",
	"UAV", "SLAM", "AR", "VR", "Transformers", "Adam", "Python", "Java", "Rust", "Linux",
	"Android", "Ethereum", "Bitcoin", "WebAssembly", "CUDA",
}

// synthConnectors lists the commonest connectors twice, which doubles their weight.
var synthConnectors = []string{
	"for", "of", "with", "via", "in", "on", "and", "under", "using", "from", "over", "through",
	"without", "towards", "across", "for", "of", "with", "in", "and",
}

var synthTitlePrefixes = []string{
	"towards", "on the", "revisiting", "rethinking", "understanding", "learning", "a survey of",
	"a note on", "an empirical study of", "a framework for", "improving", "scaling",
	"benchmarking", "characterizing",
}

// synthMath is {connector, math, noun}: a title phrase with inline math.
var synthMath = [][3]string{
	{"in", `$O(n \log n)$`, "time"}, {"with", `$\ell_1$`, "regularization"},
	{"for", `$k$-means`, "clustering"}, {"in", `$\mathbb{R}^d$`, ""},
	{"with", `$O(\sqrt{T})$`, "regret"}, {"via", `$\epsilon$-nets`, ""},
	{"for", `$\ell_p$`, "norms"}, {"in", `$O(\log n)$`, "rounds"},
	{"with", `$\tilde{O}(n^2)$`, "complexity"}, {"on", `$k$-uniform`, "hypergraphs"},
	{"for", `$\lambda$-calculus`, ""}, {"under", `$(\epsilon, \delta)$-differential`, "privacy"},
	{"of", `$\mathcal{H}_\infty$`, "control"}, {"for", `$\mathsf{NP}$-hard`, "problems"},
}

var synthVerbs = []string{
	"improves", "outperforms", "reduces", "enables", "achieves", "requires", "yields",
	"extends", "generalizes", "captures", "exploits", "combines", "preserves", "supports",
	"accelerates", "guarantees", "approximates", "predicts", "learns", "estimates",
	"characterizes", "identifies", "mitigates", "simplifies", "unifies", "matches",
	"complements", "leverages", "balances", "outlines",
}

var synthOpeners = []string{
	"In this paper, we propose", "We present", "We introduce", "We show that",
	"This work studies", "We study", "Our approach combines", "Experiments show that",
	"Moreover,", "However,", "In addition,", "Finally, we evaluate", "Unlike prior work,",
	"To this end, we develop", "Empirically,", "Theoretically, we prove that",
	"We further analyze", "Our results suggest that", "Existing methods for",
	"We demonstrate that", "In particular,", "As a result,", "We also release",
	"Extensive experiments on", "We formalize", "Building on",
}

var synthKeywords = []string{
	"machine learning", "deep learning", "neural networks", "optimization",
	"reinforcement learning", "computer vision", "natural language processing",
	"graph neural networks", "Bayesian inference", "probabilistic models", "databases",
	"distributed systems", "security", "privacy", "formal verification", "program analysis",
	"compilers", "software engineering", "human-computer interaction", "information retrieval",
	"recommender systems", "data mining", "clustering", "classification", "robotics",
	"control theory", "signal processing", "wireless networks", "cloud computing",
	"high-performance computing", "parallel algorithms", "approximation algorithms",
	"complexity theory", "cryptography", "blockchain", "game theory", "mechanism design",
	"causal inference", "time series", "anomaly detection", "transfer learning",
	"self-supervised learning", "contrastive learning", "representation learning",
	"generative models", "diffusion models", "large language models", "transformers",
	"attention", "interpretability", "explainability", "fairness", "robustness",
	"adversarial examples", "federated learning", "differential privacy", "uncertainty",
	"calibration", "active learning", "semi-supervised learning", "few-shot learning",
	"meta-learning", "continual learning", "knowledge graphs", "semantic web", "ontologies",
	"question answering", "machine translation", "summarization", "speech recognition",
	"image segmentation", "object detection", "3D reconstruction", "point clouds", "SLAM",
	"motion planning", "multi-agent systems", "bioinformatics", "genomics",
	"protein structure", "drug discovery", "medical imaging", "healthcare", "epidemiology",
	"climate modeling", "energy systems", "smart grids", "transportation", "urban computing",
	"social networks", "crowdsourcing", "visualization", "computer graphics", "rendering",
	"geometry processing", "numerical methods", "linear algebra", "sparse matrices",
	"stochastic gradient descent", "convex optimization", "non-convex optimization",
	"kernel methods", "Gaussian processes", "Monte Carlo methods", "MCMC",
	"variational inference", "information theory", "coding theory", "compressed sensing",
	"statistics", "hypothesis testing", "econometrics", "operations research", "scheduling",
	"combinatorial optimization", "integer programming", "SAT solving", "model checking",
	"type systems", "programming languages", "concurrency", "operating systems", "storage",
	"file systems", "networking", "edge computing", "Internet of Things", "embedded systems",
	"FPGA", "GPU computing", "hardware accelerators", "energy efficiency", "benchmarking",
	"reproducibility", "open source", "education", "ethics", "quantum computing",
	"quantum algorithms", "topological data analysis", "manifold learning",
	"dimensionality reduction", "matrix factorization", "tensor decomposition", "sampling",
	"streaming algorithms", "graph algorithms", "computational geometry", "string algorithms",
}

var synthJournals = []string{
	"Journal of Machine Learning Research", "Machine Learning", "Neural Computation",
	"{IEEE} Transactions on Pattern Analysis and Machine Intelligence",
	"{IEEE} Transactions on Neural Networks and Learning Systems",
	"{IEEE} Transactions on Information Theory", "{IEEE} Transactions on Signal Processing",
	"{IEEE} Transactions on Image Processing",
	"{IEEE} Transactions on Knowledge and Data Engineering",
	"{IEEE} Transactions on Software Engineering", "{IEEE} Transactions on Computers",
	"{IEEE} Transactions on Parallel and Distributed Systems",
	"{IEEE} Transactions on Automatic Control", "{IEEE} Transactions on Robotics",
	"{IEEE} Transactions on Visualization and Computer Graphics",
	"{IEEE} Transactions on Wireless Communications",
	"{IEEE} Journal on Selected Areas in Communications", "Proceedings of the {IEEE}",
	"{IEEE} Access", "Communications of the {ACM}", "Journal of the {ACM}",
	"{ACM} Computing Surveys", "{ACM} Transactions on Graphics",
	"{ACM} Transactions on Database Systems",
	"{ACM} Transactions on Programming Languages and Systems",
	"{ACM} Transactions on Software Engineering and Methodology",
	"{ACM} Transactions on Computer Systems", "{ACM} Transactions on Algorithms",
	"{ACM} Transactions on Information Systems",
	"{ACM} Transactions on Knowledge Discovery from Data",
	"{ACM} Transactions on Intelligent Systems and Technology", "{SIAM} Journal on Computing",
	"{SIAM} Journal on Optimization", "{SIAM} Journal on Scientific Computing",
	"{SIAM} Journal on Numerical Analysis", "{SIAM} Review", "Mathematical Programming",
	"Mathematics of Operations Research", "Operations Research", "Management Science",
	"Artificial Intelligence", "Journal of Artificial Intelligence Research",
	"Pattern Recognition", "Neural Networks", "Neurocomputing", "Information Sciences",
	"Knowledge-Based Systems", "Expert Systems with Applications",
	"Computer Vision and Image Understanding", "International Journal of Computer Vision",
	"Medical Image Analysis", "Computational Linguistics",
	"Transactions of the Association for Computational Linguistics",
	"Natural Language Engineering", `Information Processing \& Management`,
	"Data Mining and Knowledge Discovery", "The {VLDB} Journal",
	"Proceedings of the {VLDB} Endowment", "Theoretical Computer Science",
	"Journal of Computer and System Sciences", "Information and Computation", "Algorithmica",
	"Distributed Computing", "Journal of Parallel and Distributed Computing",
	"Journal of Systems and Software", "Empirical Software Engineering",
	"Software: Practice and Experience", "Bioinformatics", "{BMC} Bioinformatics",
	"Nucleic Acids Research", "Genome Research", "{PLOS} Computational Biology",
	"{PLOS} {ONE}", "Nature", "Science", "Nature Methods", "Nature Communications",
	"Nature Machine Intelligence", "Proceedings of the National Academy of Sciences", "Cell",
	"Physical Review Letters", "Physical Review {E}", "Journal of Computational Physics",
	"Journal of Statistical Software", "Journal of the American Statistical Association",
	"Journal of the Royal Statistical Society: Series {B} (Statistical Methodology)",
	"The Annals of Statistics", "The Annals of Applied Statistics", "Biometrika",
	"Statistics and Computing", "Bayesian Analysis", "Econometrica",
	"The American Economic Review", "Journal of Econometrics", "Annals of Mathematics",
	"Inventiones Mathematicae", "Journal of Functional Analysis",
	"Linear Algebra and its Applications", "Numerische Mathematik",
	"Journal of Optimization Theory and Applications", "Automatica",
	"Robotics and Autonomous Systems", "The International Journal of Robotics Research",
	"Computer Networks", `Computers \& Security`, "Journal of Cryptology",
	"Foundations and Trends in Machine Learning", "Entropy", "Sensors", "Remote Sensing",
}

var synthConferences = []string{
	"Advances in Neural Information Processing Systems",
	"International Conference on Machine Learning",
	"International Conference on Learning Representations",
	"Proceedings of the {AAAI} Conference on Artificial Intelligence",
	"Proceedings of the International Joint Conference on Artificial Intelligence",
	"Proceedings of the {IEEE/CVF} Conference on Computer Vision and Pattern Recognition",
	"Proceedings of the {IEEE/CVF} International Conference on Computer Vision",
	"European Conference on Computer Vision", "British Machine Vision Conference",
	"Proceedings of the Annual Meeting of the Association for Computational Linguistics",
	"Proceedings of the Conference on Empirical Methods in Natural Language Processing",
	"Proceedings of the Conference of the North American Chapter of the Association for Computational Linguistics",
	"International Conference on Computational Linguistics", "Conference on Learning Theory",
	"International Conference on Artificial Intelligence and Statistics",
	"Conference on Uncertainty in Artificial Intelligence",
	"Proceedings of the {ACM} {SIGKDD} International Conference on Knowledge Discovery and Data Mining",
	"Proceedings of the {ACM} Web Conference",
	"Proceedings of the International {ACM} {SIGIR} Conference on Research and Development in Information Retrieval",
	"Proceedings of the {ACM} International Conference on Web Search and Data Mining",
	"Proceedings of the {ACM} International Conference on Information and Knowledge Management",
	"{IEEE} International Conference on Data Mining",
	"{SIAM} International Conference on Data Mining",
	"Proceedings of the {ACM} {SIGMOD} International Conference on Management of Data",
	"International Conference on Very Large Data Bases",
	"{IEEE} International Conference on Data Engineering",
	"Proceedings of the {ACM} Symposium on Principles of Database Systems",
	"Proceedings of the {ACM} Symposium on Theory of Computing",
	"{IEEE} Symposium on Foundations of Computer Science",
	"Proceedings of the {ACM-SIAM} Symposium on Discrete Algorithms",
	"International Colloquium on Automata, Languages, and Programming",
	"Symposium on Theoretical Aspects of Computer Science", "European Symposium on Algorithms",
	"Proceedings of the {ACM} {SIGPLAN} Conference on Programming Language Design and Implementation",
	"Proceedings of the {ACM} {SIGPLAN} Symposium on Principles of Programming Languages",
	"Proceedings of the {ACM} {SIGPLAN} International Conference on Object-Oriented Programming, Systems, Languages, and Applications",
	"International Conference on Software Engineering",
	"Proceedings of the {ACM} Joint European Software Engineering Conference and Symposium on the Foundations of Software Engineering",
	"{IEEE/ACM} International Conference on Automated Software Engineering",
	"International Symposium on Software Testing and Analysis",
	"International Conference on Computer Aided Verification",
	"International Conference on Tools and Algorithms for the Construction and Analysis of Systems",
	"Proceedings of the {ACM} Symposium on Operating Systems Principles",
	"{USENIX} Symposium on Operating Systems Design and Implementation",
	"{USENIX} Symposium on Networked Systems Design and Implementation",
	"{USENIX} Annual Technical Conference", "{USENIX} Security Symposium",
	"Proceedings of the {ACM} {SIGCOMM} Conference",
	"{IEEE} {INFOCOM} Conference on Computer Communications",
	"Proceedings of the {ACM} Conference on Computer and Communications Security",
	"{IEEE} Symposium on Security and Privacy",
	"Network and Distributed System Security Symposium",
	"Annual International Cryptology Conference",
	"Annual International Conference on the Theory and Applications of Cryptographic Techniques",
	"International Symposium on Computer Architecture",
	"{IEEE/ACM} International Symposium on Microarchitecture",
	"International Conference on Architectural Support for Programming Languages and Operating Systems",
	"{IEEE} International Symposium on High Performance Computer Architecture",
	"International Conference for High Performance Computing, Networking, Storage and Analysis",
	"{IEEE} International Parallel and Distributed Processing Symposium",
	"Proceedings of the {ACM} Symposium on Principles of Distributed Computing",
	"International Conference on Distributed Computing Systems",
	"Proceedings of the {CHI} Conference on Human Factors in Computing Systems",
	"Proceedings of the {ACM} Symposium on User Interface Software and Technology",
	"Proceedings of the {ACM} Conference on Computer Supported Cooperative Work",
	"{ACM} {SIGGRAPH} Conference Proceedings", "Eurographics Symposium on Rendering",
	"{IEEE} International Conference on Robotics and Automation",
	"{IEEE/RSJ} International Conference on Intelligent Robots and Systems",
	"Robotics: Science and Systems", "Conference on Robot Learning",
	"{IEEE} International Conference on Acoustics, Speech and Signal Processing",
	"Interspeech", "{IEEE} International Symposium on Information Theory",
	"{IEEE} Conference on Decision and Control", "American Control Conference",
	"International Conference on Autonomous Agents and Multiagent Systems",
	"International Conference on Principles of Knowledge Representation and Reasoning",
	"International Conference on Theory and Applications of Satisfiability Testing",
	"International Conference on Principles and Practice of Constraint Programming",
	"International Conference on Automated Planning and Scheduling",
	"European Conference on Machine Learning and Principles and Practice of Knowledge Discovery in Databases",
	"Asian Conference on Machine Learning",
	"International Conference on Medical Image Computing and Computer-Assisted Intervention",
	"{IEEE} International Symposium on Biomedical Imaging",
	"Research in Computational Molecular Biology",
	"International Conference on Intelligent Systems for Molecular Biology",
	"Pacific Symposium on Biocomputing",
	"Proceedings of the {ACM} Conference on Recommender Systems",
	"Proceedings of the {ACM} International Conference on Multimedia",
	"{IEEE} Winter Conference on Applications of Computer Vision",
	"International Conference on {3D} Vision", "International Conference on Pattern Recognition",
	"Proceedings of the Genetic and Evolutionary Computation Conference",
	"{IEEE} Congress on Evolutionary Computation",
	"International Conference on Parallel Problem Solving from Nature",
	"Proceedings of the {ACM} Conference on Economics and Computation",
	"Conference on Web and Internet Economics", "International Semantic Web Conference",
	"Extended Semantic Web Conference",
	"International Conference on Document Analysis and Recognition",
	"Proceedings of the {ACM} Conference on Embedded Networked Sensor Systems",
	"International Conference on Information Processing in Sensor Networks",
	"Proceedings of the {ACM} on Measurement and Analysis of Computing Systems",
	"International Conference on Extending Database Technology",
	"International Conference on Database Theory",
	"Design, Automation and Test in Europe Conference",
}

// synthSeries are proceedings series; firstVolume is 0 for a series that does not number them.
var synthSeries = []struct {
	name        string
	firstVolume int
}{
	{"Lecture Notes in Computer Science", 1000},
	{"Proceedings of Machine Learning Research", 20},
	{"{ACM} International Conference Proceeding Series", 0},
	{"Leibniz International Proceedings in Informatics ({LIPIcs})", 50},
	{"{CEUR} Workshop Proceedings", 500},
}

var synthBookSeries = []string{
	"Springer Series in Statistics", "Graduate Texts in Mathematics",
	"Adaptive Computation and Machine Learning", "Lecture Notes in Mathematics",
	"Cambridge Series in Statistical and Probabilistic Mathematics",
	"Synthesis Lectures on Artificial Intelligence and Machine Learning",
	"Texts in Computer Science", "Undergraduate Topics in Computer Science",
	"Foundations and Trends in Theoretical Computer Science", "Monographs in Computer Science",
}

var synthBookPrefixes = []string{
	"Handbook of", "Advances in", "Encyclopedia of", "Foundations of", "Topics in",
	"Perspectives on", "Essays on", "Trends in", "Readings in", "Lectures on",
}

// {publisher, address}
var synthPublishers = [][2]string{
	{"Springer", "Berlin, Heidelberg"}, {"Springer", "Cham"}, {"Springer-Verlag", "New York"},
	{"Elsevier", "Amsterdam"}, {"{MIT} Press", "Cambridge, MA"},
	{"Cambridge University Press", "Cambridge, UK"}, {"Oxford University Press", "Oxford"},
	{"Wiley", "Hoboken, NJ"}, {"Addison-Wesley", "Reading, MA"},
	{"Prentice Hall", "Upper Saddle River, NJ"}, {"O'Reilly Media", "Sebastopol, CA"},
	{"Morgan Kaufmann", "San Francisco, CA"}, {"{SIAM}", "Philadelphia, PA"},
	{"Princeton University Press", "Princeton, NJ"}, {"{CRC} Press", "Boca Raton, FL"},
	{"World Scientific", "Singapore"}, {"Now Publishers", "Hanover, MA"},
	{"De Gruyter", "Berlin"}, {`Birkh{\"a}user`, "Basel"}, {"Birkhäuser", "Boston, MA"},
	{"Chapman and Hall/{CRC}", "New York"}, {"{AMS}", "Providence, RI"},
	{"Academic Press", "San Diego, CA"}, {"Pearson", "Harlow, UK"}, {"McGraw-Hill", "New York"},
	{"Dover Publications", "Mineola, NY"}, {"{IEEE} Press", "Piscataway, NJ"},
	{"{ACM} Press", "New York, NY, USA"}, {"Manning", "Shelter Island, NY"},
	{"No Starch Press", "San Francisco, CA"},
}

var synthProceedingsPublishers = [][2]string{
	{"{ACM}", "New York, NY, USA"}, {"{IEEE}", "Piscataway, NJ"},
	{"{IEEE} Computer Society", "Los Alamitos, CA"}, {"Springer", "Cham"},
	{"Springer", "Berlin, Heidelberg"}, {"Curran Associates, Inc.", "Red Hook, NY"},
	{"{PMLR}", "Online"}, {"{AAAI} Press", "Palo Alto, CA"},
	{"Association for Computational Linguistics", "Stroudsburg, PA"},
	{"{USENIX} Association", "Berkeley, CA"}, {"OpenReview.net", "Online"},
	{`Schloss Dagstuhl -- Leibniz-Zentrum f{\"u}r Informatik`, "Dagstuhl, Germany"},
}

// {school, address}
var synthSchools = [][2]string{
	{"Stanford University", "Stanford, CA"}, {"Massachusetts Institute of Technology", "Cambridge, MA"},
	{"University of California, Berkeley", "Berkeley, CA"}, {"Carnegie Mellon University", "Pittsburgh, PA"},
	{"University of Toronto", "Toronto, Canada"}, {`ETH Z{\"u}rich`, `Z{\"u}rich, Switzerland`},
	{`Technische Universit{\"a}t M{\"u}nchen`, "Munich, Germany"},
	{"Universität Stuttgart", "Stuttgart, Germany"}, {"University of Cambridge", "Cambridge, UK"},
	{"University of Oxford", "Oxford, UK"}, {"Imperial College London", "London, UK"},
	{"University of Edinburgh", "Edinburgh, UK"},
	{`{\'E}cole Polytechnique F{\'e}d{\'e}rale de Lausanne`, "Lausanne, Switzerland"},
	{"Tsinghua University", "Beijing, China"}, {"Peking University", "Beijing, China"},
	{"University of Tokyo", "Tokyo, Japan"}, {"Kyoto University", "Kyoto, Japan"},
	{"Seoul National University", "Seoul, Korea"}, {"KAIST", "Daejeon, Korea"},
	{"Indian Institute of Science", "Bangalore, India"},
	{"Indian Institute of Technology Bombay", "Mumbai, India"},
	{"National University of Singapore", "Singapore"}, {"University of Melbourne", "Melbourne, Australia"},
	{`Universidade de S{\~a}o Paulo`, `S{\~a}o Paulo, Brazil`},
	{"Universidad de Buenos Aires", "Buenos Aires, Argentina"},
	{"University of Cape Town", "Cape Town, South Africa"},
	{"Technion -- Israel Institute of Technology", "Haifa, Israel"},
	{"Weizmann Institute of Science", "Rehovot, Israel"},
	{`Universit{\'e} Paris-Saclay`, "Paris, France"}, {"Sorbonne Université", "Paris, France"},
	{"KU Leuven", "Leuven, Belgium"}, {"Delft University of Technology", "Delft, The Netherlands"},
	{"University of Amsterdam", "Amsterdam, The Netherlands"},
	{"KTH Royal Institute of Technology", "Stockholm, Sweden"},
	{"University of Copenhagen", "Copenhagen, Denmark"}, {"Aalto University", "Espoo, Finland"},
	{"University of Warsaw", "Warsaw, Poland"}, {"Charles University", "Prague, Czech Republic"},
	{"Princeton University", "Princeton, NJ"}, {"Harvard University", "Cambridge, MA"},
	{"University of Washington", "Seattle, WA"}, {"Cornell University", "Ithaca, NY"},
	{"University of Illinois at Urbana-Champaign", "Urbana, IL"},
	{"Georgia Institute of Technology", "Atlanta, GA"}, {"University of Michigan", "Ann Arbor, MI"},
	{"McGill University", `Montr{\'e}al, Canada`}, {"Université de Montréal", "Montréal, Canada"},
}

// {institution, address}
var synthInstitutions = [][2]string{
	{"Microsoft Research", "Redmond, WA"}, {"Google Research", "Mountain View, CA"},
	{"IBM Research", "Yorktown Heights, NY"}, {"Bell Laboratories", "Murray Hill, NJ"},
	{"Xerox Palo Alto Research Center", "Palo Alto, CA"},
	{"School of Computer Science, Carnegie Mellon University", "Pittsburgh, PA"},
	{"Stanford InfoLab", "Stanford, CA"},
	{"EECS Department, University of California, Berkeley", "Berkeley, CA"},
	{"MIT Computer Science and Artificial Intelligence Laboratory", "Cambridge, MA"},
	{"INRIA", "Rocquencourt, France"}, {`Max-Planck-Institut f{\"u}r Informatik`, `Saarbr{\"u}cken, Germany`},
	{"Los Alamos National Laboratory", "Los Alamos, NM"},
	{"Lawrence Livermore National Laboratory", "Livermore, CA"},
	{"Sandia National Laboratories", "Albuquerque, NM"}, {"Argonne National Laboratory", "Lemont, IL"},
	{"NASA Ames Research Center", "Moffett Field, CA"}, {"RAND Corporation", "Santa Monica, CA"},
	{"CERN", "Geneva, Switzerland"},
	{"National Institute of Standards and Technology", "Gaithersburg, MD"},
	{"Computer Laboratory, University of Cambridge", "Cambridge, UK"},
	{"DEC Systems Research Center", "Palo Alto, CA"},
	{"Courant Institute, New York University", "New York, NY"},
	{"Department of Computer Science, University of Toronto", "Toronto, Canada"},
	{"NTT Communication Science Laboratories", "Kyoto, Japan"},
	{"Technical University of Denmark", "Kongens Lyngby, Denmark"},
	{`Centrum Wiskunde \& Informatica`, "Amsterdam, The Netherlands"},
	{"Fraunhofer-Institut für Integrierte Schaltungen", "Erlangen, Germany"},
}

var synthHowPublished = []string{
	"Online", "Software", "Blog post", "Preprint", "Technical note", "Lecture notes", "Dataset",
	"Invited talk", "Manuscript", "White paper",
}

var synthArxivClasses = []string{
	"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.DS", "cs.CR", "cs.DC", "cs.SE", "cs.RO",
	"math.OC", "quant-ph", "cs.IR", "cs.NE", "eess.SP",
}

var synthNotes = []string{
	"To appear", "In press", "Extended version", "Accepted for publication",
	"Preprint", "Invited paper", "Best paper award", "Journal version in preparation",
}

var synthIEEECodes = []string{
	"CVPR", "ICCV", "TPAMI", "TIT", "TSP", "TIP", "ICDE", "SP", "FOCS", "ICRA", "IROS",
	"ICASSP", "INFOCOM", "TKDE", "TSE", "ACCESS", "LRA", "TNNLS",
}

var synthElsevierCodes = []string{
	"artint", "patcog", "neunet", "neucom", "ins", "eswa", "knosys", "cviu", "media", "tcs",
	"jcp", "jss", "jpdc", "comnet", "cose", "jcss", "ic", "laa",
}

var synthDomains = []string{
	"cs.cmu.edu", "cs.stanford.edu", "eecs.berkeley.edu", "inf.ethz.ch", "cs.ox.ac.uk",
	"cl.cam.ac.uk", "mpi-inf.mpg.de", "inria.fr", "cs.toronto.edu", "cs.washington.edu",
	"cs.princeton.edu", "csail.mit.edu", "cs.tsinghua.edu.cn", "is.s.u-tokyo.ac.jp",
	"kaist.ac.kr", "epfl.ch", "cs.uni-saarland.de", "iisc.ac.in", "cs.cornell.edu",
	"di.ens.fr",
}
