// # Citation keys
//
// A [KeyPattern] makes the citation key of a new entry. Patterns use the bracket syntax of
// JabRef, which Better BibTeX also used before its formulas: literal text, and markers in square
// brackets, each optionally followed by modifiers.
//
//	pattern  = item { item } .
//	item     = literal | marker .
//	literal  = keychar { keychar } .
//	keychar  = "A"…"Z" | "a"…"z" | "0"…"9" | "-" | "_" | "." | ":" | "+" .
//	marker   = "[" name { ":" modifier } "]" .
//	name     = special | field .                 (special: see the table below)
//	field    = "A"…"Z" { "A"…"Z" | "0"…"9" | "_" | "-" } .
//	modifier = "lower" | "upper" | "capitalize" | "abbr" [ number ] | "truncate" number | number .
//	number   = "0"…"9" { "0"…"9" } .
//
// Special markers are written in lower (camel) case. N and M are numbers from 1 up, except that
// M in shorttitleN_M may be 0. The examples are for
// Vaswani, Shazeer, Parmar and others, "Attention Is All You Need", 2017, pages 5998--6008, in
// Advances in Neural Information Processing Systems.
//
//	[auth]            first author's last name                          Vaswani
//	[authN]           its first N letters                               [auth3]: Vas
//	[authN_M]         first N letters of the Mth author's last name     [auth3_2]: Sha
//	[authors]         every last name, EtAl for "and others"            VaswaniShazeerParmarEtAl
//	[authorsN]        the first N last names, EtAl if there are more    [authors1]: VaswaniEtAl
//	[authEtAl]        A alone, AB for two authors, AEtAl for more       VaswaniEtAl
//	[auth.etal]       A alone, A.B for two authors, A.etal for more     Vaswani.etal
//	[auth.auth.ea]    A alone, A.B for two, A.B.ea for more             Vaswani.Shazeer.ea
//	[authorLast]      last author's last name                           Parmar
//	[edtr]            first editor's last name
//	[editors]         every editor's last name, EtAl for "and others"
//	[year]            the four-digit year, from year or else date       2017
//	[shortyear]       its last two digits                               17
//	[title]           every title word, significant ones capitalised    AttentionIsAllYouNeed
//	[camel]           every title word capitalised                      AttentionIsAllYouNeed
//	[shorttitle]      the first 3 significant title words, capitalised  AttentionAllYou
//	[shorttitleN]     the first N significant words, capitalised        [shorttitle2]: AttentionAll
//	[shorttitleN_M]   the first N, of which the first M capitalised
//	[veryshorttitle]  the first significant title word, capitalised     Attention
//	[firstpage]       the first number in pages                         5998
//	[lastpage]        the last number in pages                          6008
//	[journal]         initials of journal (or journaltitle)
//	[venue]           initials of journal, journaltitle, booktitle,     ANIPS
//	                  publisher, howpublished, school or institution
//	[VOLUME]          the value of any field, named in upper case
//
// For a title in sentence case, "Deep residual learning for image recognition", [shorttitle] gives
// DeepResidualLearning and [shorttitle3_1] Deepresiduallearning.
//
// Modifiers apply left to right: lower, upper, capitalize (each word's first letter upper case,
// the rest lower case), abbr (each word's first letter), abbrN (each word's first N letters), and
// truncateN or just N (the first N characters, not counting the spaces between words, which no
// key keeps). [auth:lower] gives vaswani, [venue:lower] anips, [TITLE:abbr] AIAYN, [title:12]
// AttentionIsA.
//
// # Text in keys
//
// A key holds only ASCII letters, digits and - _ . : +. That is stricter than BibTeX, which
// refuses only spaces and , { } ( ) % # " ' = \ ~, because keys also travel through \cite, file
// names and Pandoc's @key. A marker's text is turned from LaTeX into plain text with [Plain],
// folded with [Fold] (G{\"o}del and Gödel give Godel, Ørsted Orsted, Łukasiewicz Lukasiewicz,
// ß ss, æ ae, the ligature ﬁ fi), and Greek letters are spelt by name (α alpha); what has no
// ASCII form, and any other character, is dropped.
// Literal text in a pattern must already be made of those characters: ParsePattern refuses
// anything else rather than let it vanish silently.
//
// Names follow BibTeX: [SplitNames] on "and", then the "von Last" part of "First von Last",
// "von Last, First" and "von Last, Jr, First", and "{Braced Corporate Name}" as one word. As in
// JabRef's [auth], the von part is dropped (Ludwig van Beethoven gives Beethoven; JabRef's
// authFirstFull would keep it): the von part ends at the last word before the final one that
// starts with an ASCII lower-case letter, which is BibTeX's rule. The words of a last name are
// joined (de la Vallée Poussin gives ValleePoussin), and a corporate name keeps all its words
// (WorldHealthOrganization; [auth:abbr] gives WHO). "and others" counts as more authors than
// are listed. The author markers use the editors when an entry has no author.
//
// Title words are split at spaces, colons and slashes, and keep only their letters and digits
// (Pre-training gives Pretraining, {$k$}-Means kMeans). Capitalising a word upper-cases its first
// letter and leaves the rest alone, so BERT and ImageNet survive. A word is significant unless it
// is one letter long (a digit is kept) or one of these, in any case:
//
//	a ab aboard about above across after against al along amid among an and anti around as at
//	before behind below beneath beside besides between beyond but by d da das de dei del dell
//	della delle dello dem den der des despite die do down du during ein eine einem einen einer
//	eines el en et except for from gli i il in inside into is l la las le les like lo los near
//	nor of off on onto or over past per plus round save since so some sur than the through to
//	toward towards un una unas under underneath une unlike uno unos until up upon versus via von
//	while with within without yet zu zum
//
// That is Better BibTeX's default list, so PatternBetterBibTeX makes the keys Better BibTeX makes
// for ordinary titles. It holds all of JabRef's function words, and adds more prepositions
// (after, as, over, via...), "is", "some", and French, German, Italian and Spanish articles and
// particles. Venue initials skip the same words, keep an all-capital word
// whole (IEEE Transactions on Pattern Analysis and Machine Intelligence gives IEEETPAMI), keep a
// lone capital letter (Physical Review B gives PRB) and skip words that start with a digit.
//
// When every marker of a pattern comes out empty (no author, no year, ...), the key is the first
// significant word of the title followed by the year, or "key" if there is neither.
//
// # Clashes
//
// Keys are compared case-insensitively throughout Bibshelf, with the ASCII letters folded only
// ([FoldKey], [SameKey]), as BibTeX does and as the library's NOCASE key column does, so
// [UniqueKey]'s taken function should compare that way too. On a clash the new key gets a
// suffix a, b, ... z, aa, ab, ..., as in JabRef and Better BibTeX; an existing key never changes,
// because users cite keys in finished papers.
package bib

import (
	"fmt"
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Ready-made patterns. Each is a valid argument to ParsePattern.
const (
	// PatternJabRef is JabRef's default: Vaswani2017.
	PatternJabRef = "[auth][year]"
	// PatternBetterBibTeX is Better BibTeX's default, auth.lower + shorttitle(3,3) + year, in the
	// bracket syntax Better BibTeX itself used for it: vaswaniAttentionAllYou2017.
	PatternBetterBibTeX = "[auth:lower][shorttitle3_3][year]"
	// PatternAuthorYearTitle is the style of the keys Google Scholar hands out, which users paste
	// along with the entry: vaswani2017attention.
	PatternAuthorYearTitle = "[auth:lower][year][veryshorttitle:lower]"
)

// KeyPattern is a parsed citation-key pattern. The zero value has no markers and gives every
// entry the fallback key. A KeyPattern is safe for concurrent use.
type KeyPattern struct {
	src   string
	parts []keyPart
}

// PatternError is a mistake in a key pattern, at a column counted in characters from 1.
type PatternError struct {
	Pattern string
	Col     int
	Msg     string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("key pattern %q: column %d: %s", e.Pattern, e.Col, e.Msg)
}

type keyKind int

const (
	keyLiteral keyKind = iota
	keyAuth            // n letters (0: all) of the mth author
	keyAuthors         // n names (0: all), then EtAl
	keyAuthEtAl
	keyAuthDotEtal
	keyAuthAuthEa
	keyAuthorLast
	keyEdtr
	keyEditors
	keyYear
	keyShortYear
	keyTitle
	keyCamel
	keyShortTitle // n significant words, the first m capitalised
	keyFirstPage
	keyLastPage
	keyJournal
	keyVenue
	keyField
)

type keyPart struct {
	kind keyKind
	text string // the literal, or the field name
	n, m int
	mods []keyMod
}

type keyModKind int

const (
	keyModLower keyModKind = iota
	keyModUpper
	keyModCapitalize
	keyModAbbr     // first n letters of each word
	keyModTruncate // first n characters
)

type keyMod struct {
	kind keyModKind
	n    int
}

// keySpecials are the special markers that take no number.
var keySpecials = map[string]keyPart{
	"auth":           {kind: keyAuth, m: 1},
	"authors":        {kind: keyAuthors},
	"authEtAl":       {kind: keyAuthEtAl},
	"auth.etal":      {kind: keyAuthDotEtal},
	"auth.auth.ea":   {kind: keyAuthAuthEa},
	"authorLast":     {kind: keyAuthorLast},
	"edtr":           {kind: keyEdtr},
	"editors":        {kind: keyEditors},
	"year":           {kind: keyYear},
	"shortyear":      {kind: keyShortYear},
	"title":          {kind: keyTitle},
	"camel":          {kind: keyCamel},
	"shorttitle":     {kind: keyShortTitle, n: 3, m: 3},
	"veryshorttitle": {kind: keyShortTitle, n: 1, m: 1},
	"firstpage":      {kind: keyFirstPage},
	"lastpage":       {kind: keyLastPage},
	"journal":        {kind: keyJournal},
	"venue":          {kind: keyVenue},
}

// ParsePattern parses a key pattern (see the package documentation). The error, a
// *PatternError, names the column of the first mistake and what is wrong there.
func ParsePattern(s string) (*KeyPattern, error) {
	p := &KeyPattern{src: s}
	fail := func(off int, msg string) (*KeyPattern, error) {
		return nil, &PatternError{Pattern: s, Col: utf8.RuneCountInString(s[:off]) + 1, Msg: msg}
	}
	if s == "" {
		return fail(0, "empty pattern")
	}
	lit := 0 // start of the literal being read
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '[':
			if lit < i {
				p.parts = append(p.parts, keyPart{kind: keyLiteral, text: s[lit:i]})
			}
			end := strings.IndexAny(s[i+1:], "[]")
			if end < 0 || s[i+1+end] == '[' {
				return fail(i, "[ without a ] after it")
			}
			part, off, msg := parseKeyMarker(s[i+1 : i+1+end])
			if msg != "" {
				return fail(i+1+off, msg)
			}
			p.parts = append(p.parts, part)
			i += end + 2
			lit = i
		case c == ']':
			return fail(i, "] without a [ before it")
		case keyChar(c):
			i++
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			msg := fmt.Sprintf("%q cannot be part of a citation key: literal text may use ASCII letters, digits and - _ . : +", r)
			if !strings.Contains(s, "[") {
				msg += "; markers go in brackets, as in [auth][year]"
			}
			return fail(i, msg)
		}
	}
	if lit < len(s) {
		p.parts = append(p.parts, keyPart{kind: keyLiteral, text: s[lit:]})
	}
	return p, nil
}

// parseKeyMarker parses the text between [ and ]. On a mistake it returns the offset in body
// where it is and a message.
func parseKeyMarker(body string) (keyPart, int, string) {
	fields := strings.Split(body, ":")
	part, msg := keyMarkerByName(fields[0])
	if msg != "" {
		return part, 0, msg
	}
	off := len(fields[0]) + 1
	for _, mod := range fields[1:] {
		m, msg := parseKeyMod(mod)
		if msg != "" {
			return part, off, msg
		}
		part.mods = append(part.mods, m)
		off += len(mod) + 1
	}
	return part, 0, ""
}

func keyMarkerByName(name string) (keyPart, string) {
	if name == "" {
		return keyPart{}, "empty marker"
	}
	if part, ok := keySpecials[name]; ok {
		return part, ""
	}
	// authors before auth, which is its prefix.
	for _, prefix := range []string{"authors", "shorttitle", "auth"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && keyIsDigit(rest, 0) {
			part, msg := keyNumbered(prefix, rest)
			if msg != "" {
				msg = fmt.Sprintf("marker %q: %s", name, msg)
			}
			return part, msg
		}
	}
	if keyFieldName(name) {
		return keyPart{kind: keyField, text: strings.ToLower(name)}, ""
	}
	msg := fmt.Sprintf("unknown marker %q", name)
	if near := keyNearest(name); near != "" {
		msg += fmt.Sprintf(" (did you mean [%s]?)", near)
	} else if keyFieldName(strings.ToUpper(name)) {
		msg += fmt.Sprintf(" (a field is named in upper case, as in [%s])", strings.ToUpper(name))
	}
	return keyPart{}, msg
}

// keyNumbered parses the N or N_M after the name of a numbered marker.
func keyNumbered(prefix, rest string) (keyPart, string) {
	nText, mText, hasM := strings.Cut(rest, "_")
	if prefix == "authors" {
		nText, hasM = rest, false
	}
	n, msg := keyNumber(nText, 1)
	if msg != "" {
		return keyPart{}, msg
	}
	switch prefix {
	case "authors":
		return keyPart{kind: keyAuthors, n: n}, ""
	case "shorttitle":
		m := n
		if hasM {
			m, msg = keyNumber(mText, 0)
		}
		return keyPart{kind: keyShortTitle, n: n, m: m}, msg
	}
	m := 1
	if hasM {
		m, msg = keyNumber(mText, 1)
	}
	return keyPart{kind: keyAuth, n: n, m: m}, msg
}

func parseKeyMod(mod string) (keyMod, string) {
	switch mod {
	case "lower":
		return keyMod{kind: keyModLower}, ""
	case "upper":
		return keyMod{kind: keyModUpper}, ""
	case "capitalize":
		return keyMod{kind: keyModCapitalize}, ""
	case "abbr":
		return keyMod{kind: keyModAbbr, n: 1}, ""
	case "":
		return keyMod{}, "empty modifier"
	}
	kind, rest := keyModTruncate, strings.TrimPrefix(mod, "truncate")
	if r, ok := strings.CutPrefix(mod, "abbr"); ok {
		kind, rest = keyModAbbr, r
	}
	if keyIsDigit(rest, 0) {
		n, msg := keyNumber(rest, 1)
		if msg != "" {
			msg = fmt.Sprintf("modifier %q: %s", mod, msg)
		}
		return keyMod{kind: kind, n: n}, msg
	}
	return keyMod{}, fmt.Sprintf("unknown modifier %q (use lower, upper, capitalize, abbr, abbrN, truncateN or N)", mod)
}

// keyNumber parses the number in a marker or modifier name.
func keyNumber(s string, least int) (int, string) {
	if s == "" {
		return 0, "a number is missing"
	}
	for i := range len(s) {
		if !keyIsDigit(s, i) {
			return 0, fmt.Sprintf("%q is not a number", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Sprintf("%s is too large", s)
	}
	if n < least {
		return 0, fmt.Sprintf("the number must be at least %d", least)
	}
	return n, ""
}

func keyIsDigit(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }

func keyFieldName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || keyIsDigit(s, i) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// keyNearest returns the special marker a misspelt name was probably meant to be, or "".
func keyNearest(name string) string {
	if len(name) > 20 {
		return ""
	}
	best, bestDist := "", 3
	for known := range keySpecials {
		d := keyEditDistance(strings.ToLower(name), strings.ToLower(known))
		if d < bestDist || d == bestDist && known < best {
			best, bestDist = known, d
		}
	}
	if bestDist >= len(name) {
		return ""
	}
	return best
}

func keyEditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// String returns the pattern as it was written.
func (p *KeyPattern) String() string {
	if p == nil {
		return ""
	}
	return p.src
}

// Key returns the citation key the pattern gives e. It is never empty, holds only ASCII letters,
// digits and - _ . : +, and does not depend on any other entry: pass it to UniqueKey.
func (p *KeyPattern) Key(e *Entry) string {
	if e == nil {
		e = &Entry{}
	}
	var b strings.Builder
	markers, filled := 0, 0
	if p != nil {
		for _, part := range p.parts {
			if part.kind == keyLiteral {
				b.WriteString(part.text)
				continue
			}
			markers++
			v := part.value(e)
			for _, m := range part.mods {
				v = m.apply(v)
			}
			v = strings.ReplaceAll(v, " ", "")
			if v != "" {
				filled++
			}
			b.WriteString(v)
		}
	}
	if b.Len() == 0 || markers > 0 && filled == 0 {
		k := strings.ReplaceAll(keyShortTitleOf(e, 1, 1), " ", "") + Year(e)
		if k == "" {
			return "key"
		}
		return cutKey(k)
	}
	return cutKey(b.String())
}

// maxMadeKey is the longest key a pattern makes, in bytes: a title of one 100 MB word made a
// key of 100 MB, which each problem of the entry then printed. The pattern [title] of a long
// title makes 150.
const maxMadeKey = 256

// cutKey cuts a key made by a pattern to maxMadeKey bytes, at a character's start.
func cutKey(k string) string {
	if len(k) <= maxMadeKey {
		return k
	}
	n := maxMadeKey
	for n > 0 && !utf8.RuneStart(k[n]) {
		n--
	}
	return k[:n]
}

// UniqueKey returns base if taken reports it free, and otherwise the first free one of base+"a",
// ... base+"z", base+"aa", base+"ab", ... Only the new key is suffixed: an existing key never
// changes. Bibshelf compares keys case-insensitively, so taken should too. taken must report
// some candidate free, as it does for any finite set of keys; a nil taken takes nothing.
func UniqueKey(base string, taken func(string) bool) string {
	for k := range KeyVariants(base) {
		if taken == nil || !taken(k) {
			return k
		}
	}
	panic("unreachable")
}

// KeyVariants yields base, then base with a, b, ... z, aa, ab ... added: the keys UniqueKey
// tries, in its order.
func KeyVariants(base string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for n := 0; ; n++ {
			if !yield(KeyVariant(base, n)) {
				return
			}
		}
	}
}

// KeyVariant returns the nth key KeyVariants yields, from 0: base itself, then base+"a"...
func KeyVariant(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + keySuffix(n)
}

// keySuffix spells n >= 1 in bijective base 26: 1 a, 26 z, 27 aa, 702 zz, 703 aaa.
func keySuffix(n int) string {
	var buf []byte
	for n > 0 {
		n--
		buf = append(buf, byte('a'+n%26))
		n /= 26
	}
	for i, j := 0, len(buf)-1; i < j; i, j = i+1, j-1 {
		buf[i], buf[j] = buf[j], buf[i]
	}
	return string(buf)
}

// value returns a marker's text as clean words (see keyClean), before its modifiers.
func (part keyPart) value(e *Entry) string {
	switch part.kind {
	case keyAuth:
		names, _ := keyAuthorNames(e)
		if part.m > len(names) {
			return ""
		}
		return keyTruncate(names[part.m-1], part.n)
	case keyAuthors:
		names, more := keyAuthorNames(e)
		return keyNameList(names, more, part.n)
	case keyAuthEtAl, keyAuthDotEtal, keyAuthAuthEa:
		names, more := keyAuthorNames(e)
		sep, etal := "", "EtAl"
		switch part.kind {
		case keyAuthDotEtal:
			sep, etal = ".", ".etal"
		case keyAuthAuthEa:
			sep, etal = ".", ".ea"
		}
		switch {
		case len(names) == 0:
			return ""
		case len(names) == 1 && !more:
			return names[0]
		case len(names) == 2 && !more:
			return names[0] + sep + names[1]
		case part.kind == keyAuthAuthEa && len(names) >= 2:
			return names[0] + sep + names[1] + etal
		}
		return names[0] + etal
	case keyAuthorLast:
		if names, _ := keyAuthorNames(e); len(names) > 0 {
			return names[len(names)-1]
		}
	case keyEdtr:
		if names, _ := keyPeople(e, "editor"); len(names) > 0 {
			return names[0]
		}
	case keyEditors:
		names, more := keyPeople(e, "editor")
		return keyNameList(names, more, 0)
	case keyYear:
		return Year(e)
	case keyShortYear:
		if y := Year(e); y != "" {
			return y[2:]
		}
	case keyTitle, keyCamel:
		words := keyTitleWords(e.Get("title"))
		for i, w := range words {
			if i == 0 || part.kind == keyCamel || keySignificant(w) {
				words[i] = keyCapital(w)
			}
		}
		return strings.Join(words, " ")
	case keyShortTitle:
		return keyShortTitleOf(e, part.n, part.m)
	case keyFirstPage, keyLastPage:
		nums := keyDigitRuns(Plain(e.Get("pages")))
		if len(nums) == 0 {
			return ""
		}
		if part.kind == keyFirstPage {
			return nums[0]
		}
		return nums[len(nums)-1]
	case keyJournal:
		return keyInitials(firstField(e, "journal", "journaltitle"))
	case keyVenue:
		return keyInitials(Venue(e))
	case keyField:
		return keyClean(keyFold(Plain(e.Get(part.text))))
	}
	return ""
}

func (m keyMod) apply(v string) string {
	switch m.kind {
	case keyModLower:
		return strings.ToLower(v)
	case keyModUpper:
		return strings.ToUpper(v)
	case keyModCapitalize:
		words := strings.Fields(v)
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
		return strings.Join(words, " ")
	case keyModAbbr:
		var b strings.Builder
		for _, w := range strings.Fields(v) {
			b.WriteString(w[:min(m.n, len(w))])
		}
		return b.String()
	case keyModTruncate:
		return keyTruncate(v, m.n)
	}
	return v
}

// keyTruncate keeps the first n characters of clean words, not counting the spaces between them,
// which the key drops; n = 0 keeps all.
func keyTruncate(v string, n int) string {
	if n <= 0 {
		return v
	}
	kept := 0
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			continue
		}
		if kept == n {
			return strings.TrimRight(v[:i], " ")
		}
		kept++
	}
	return v
}

// keyAuthorNames returns the last names of the entry's authors, or of its editors when it has no
// author, and whether "and others" stands for more.
func keyAuthorNames(e *Entry) ([]string, bool) {
	if names, more := keyPeople(e, "author"); len(names) > 0 {
		return names, more
	}
	return keyPeople(e, "editor")
}

func keyPeople(e *Entry, field string) (names []string, more bool) {
	for _, name := range SplitNames(e.Get(field)) {
		if strings.EqualFold(name, "others") {
			more = true
			continue
		}
		if last := keyLastName(name); last != "" {
			names = append(names, last)
		}
	}
	return names, more
}

// keyNameList returns up to n (0: all) names, then EtAl if there are more.
func keyNameList(names []string, more bool, n int) string {
	if len(names) == 0 {
		return ""
	}
	if n > 0 && n < len(names) {
		names, more = names[:n], true
	}
	s := strings.Join(names, " ")
	if more {
		s += " EtAl"
	}
	return s
}

// keyLastName returns the Last part of one BibTeX name, without its von part, as clean words.
func keyLastName(name string) string {
	words := splitDepth0(lastName(name), func(c byte) bool {
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '~'
	})
	// BibTeX's von part runs to the last lower-case word before the final word; BibTeX judges
	// case on ASCII letters only, and a braced word has none.
	start := 0
	for i := len(words) - 2; i >= 0; i-- {
		if w := words[i]; w[0] >= 'a' && w[0] <= 'z' {
			start = i + 1
			break
		}
	}
	return keyClean(keyFold(Plain(strings.Join(words[start:], " "))))
}

func keyDigitRuns(s string) []string {
	var runs []string
	for i := 0; i < len(s); {
		if !keyIsDigit(s, i) {
			i++
			continue
		}
		j := i
		for keyIsDigit(s, j) {
			j++
		}
		runs = append(runs, s[i:j])
		i = j
	}
	return runs
}

// keyTitleWords returns the words of a title in ASCII, each reduced to its letters and digits.
func keyTitleWords(title string) []string {
	var words []string
	for _, f := range strings.FieldsFunc(keyFold(Plain(title)), func(r rune) bool {
		return r == ' ' || r == ':' || r == '/'
	}) {
		w := keyAlnum(f)
		if w != "" {
			words = append(words, w)
		}
	}
	return words
}

// keyShortTitleOf returns the first n significant words of the title, the first m capitalised.
func keyShortTitleOf(e *Entry, n, m int) string {
	var words []string
	for _, w := range keyTitleWords(e.Get("title")) {
		if len(words) == n {
			break
		}
		if !keySignificant(w) {
			continue
		}
		if len(words) < m {
			w = keyCapital(w)
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func keySignificant(w string) bool {
	if len(w) == 1 && !keyIsDigit(w, 0) {
		return false
	}
	return !keySkipWords[strings.ToLower(w)]
}

func keyCapital(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

func keyAlnum(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if keyIsAlnum(rune(s[i])) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// keyInitials abbreviates a venue: the first letter of each significant word, an all-capital
// word whole, a lone capital letter kept, words starting with a digit skipped.
func keyInitials(venue string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(keyFold(Plain(venue)), func(r rune) bool { return !keyIsAlnum(r) }) {
		switch {
		case keyIsDigit(w, 0):
		case len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z':
			b.WriteString(w)
		case keySkipWords[strings.ToLower(w)]:
		case strings.ToUpper(w) == w && len(w) > 1:
			b.WriteString(w)
		default:
			b.WriteString(strings.ToUpper(w[:1]))
		}
	}
	return b.String()
}

func keyIsAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// keyChar reports whether c may appear in a generated key.
func keyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == '+'
}

// keyClean keeps the key characters of folded text, as words separated by single spaces.
func keyClean(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			space = b.Len() > 0
		case keyChar(c):
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// keyFold spells text in ASCII, for a key: Fold, then Greek letters by their names (α alpha,
// Ω Omega) and the multiplication sign as x (2×2 2x2). Anything else that is not ASCII (other
// scripts, signs) is dropped.
func keyFold(s string) string {
	f := Fold(s)
	if isASCII(f) {
		return f
	}
	var b strings.Builder
	b.Grow(len(f))
	for _, r := range f {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r >= 'α' && r <= 'ω':
			b.WriteString(keyGreek[r-'α'])
		case r >= 'Α' && r <= 'Ω':
			g := keyGreek[r-'Α']
			b.WriteString(strings.ToUpper(g[:1]) + g[1:])
		case r == '×':
			b.WriteByte('x')
		}
	}
	return b.String()
}

// keyGreek names the Greek letters α to ω (and Α to Ω); ς, and the unassigned code point
// between Ρ and Σ, are sigma.
var keyGreek = [...]string{
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
	"lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "sigma", "tau", "upsilon", "phi",
	"chi", "psi", "omega",
}

// keySkipWords are the words a short title skips: Better BibTeX's default list (see the package
// documentation).
var keySkipWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a ab aboard about above across after against al along amid among an and anti around as at
		before behind below beneath beside besides between beyond but by d da das de dei del dell
		della delle dello dem den der des despite die do down du during ein eine einem einen einer
		eines el en et except for from gli i il in inside into is l la las le les like lo los near
		nor of off on onto or over past per plus round save since so some sur than the through to
		toward towards un una unas under underneath une unlike uno unos until up upon versus via von
		while with within without yet zu zum`) {
		m[w] = true
	}
	return m
}()

// FoldKey returns a citation key with its ASCII capitals made small letters and every other
// character as it is: the form under which keys that BibTeX takes for one entry are the same
// (its key lookup and change.case$ fold ASCII letters only, as SQLite's NOCASE does), so
// Ärzte2020 and ärzte2020 stay two keys. Use it for maps of keys; SameKey to compare two.
func FoldKey(key string) string {
	i := 0
	for i < len(key) && !('A' <= key[i] && key[i] <= 'Z') {
		i++
	}
	if i == len(key) {
		return key
	}
	b := []byte(key)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// SameKey reports whether two citation keys are one for BibTeX and the library: equal once
// their ASCII letters are folded (FoldKey).
func SameKey(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
