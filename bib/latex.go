package bib

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Plain turns BibTeX field text (LaTeX) into the Unicode text a reader sees, for display and
// search:
//
//   - accents become letters, precomposed (NFC) where Unicode has one, whatever the spelling;
//   - special letters and text symbols become their character;
//   - TeX's ligatures of dashes and quotes become typographic dashes and quotes;
//   - $...$ is read as math: Greek letters and common operators become their character,
//     ^ and _ stay as written;
//   - ~, \\ and \newline become a plain space, and runs of white space become one space;
//   - protecting braces go, and so does any command it does not know, keeping its argument.
//
// For example:
//
//	G{\"o}del, G\"odel, G\" odel    Gödel, Gödel, Gödel
//	\c c, \c{c}, \'{\i}, \"\i       ç, ç, í, ï
//	{\ss} {\o} \& \euro            ß ø & €
//	-- --- `` '' ` '                – — “ ” ‘ ’
//	$\alpha \leq x^2$               α ≤ x^2
//	\emph{Deep} $\mathcal{O}$       Deep O
//
// Text with nothing to convert comes back as it is, without allocating. Plain never panics.
func Plain(s string) string {
	if isPlain(s) {
		return s
	}
	p := plainer{s: s, out: make([]byte, 0, len(s)+16)}
	p.run(0, len(s), 0)
	out := p.out
	for len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	if !p.mixed || norm.NFC.QuickSpan(out) == len(out) {
		return string(out)
	}
	return string(norm.NFC.Bytes(out))
}

// isPlain reports whether Plain would return s unchanged, so that the common case of a title with
// no markup costs one pass over its bytes.
func isPlain(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !plainLook[c] {
			continue // most bytes: letters, digits, most punctuation
		}
		switch c {
		case '\\', '{', '}', '$', '~', '`', '\'', '\t', '\n', '\r', '\v', '\f':
			return false
		case '-':
			if i+1 < len(s) && s[i+1] == '-' {
				return false
			}
		case ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
		}
	}
	return ascii || norm.NFC.QuickSpanString(s) == len(s)
}

// plainLook marks the bytes isPlain must look at more closely.
var plainLook = func() (t [256]bool) {
	for _, c := range []byte("\\{}$~`'\t\n\r\v\f- ") {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	return t
}()

// maxDepth bounds the nesting of accent and \frac arguments that Plain follows, so that hostile
// input cannot grow the stack; deeper accents are dropped and their argument kept.
const maxDepth = 32

type plainer struct {
	s    string
	out  []byte
	math bool
	// mixed is set once out holds text that may not be NFC: non-ASCII input, or a mark that
	// did not compose with its letter.
	mixed bool
}

// run converts s[i:end]. end is the end of the argument being read, so that a ligature or a
// command never reaches past the closing brace of an accent's argument.
func (p *plainer) run(i, end, depth int) {
	s := p.s
	for i < end {
		c := s[i]
		switch c {
		case '{', '}':
			i++
		case '$':
			p.math = !p.math
			i++
		case '~', ' ', '\t', '\n', '\r', '\v', '\f':
			p.space()
			i++
		case '\\':
			i = p.command(i+1, end, depth)
		case '-':
			n := 1
			for !p.math && n < 3 && i+n < end && s[i+n] == '-' {
				n++
			}
			p.out = append(p.out, [...]string{"", "-", "–", "—"}[n]...)
			i += n
		case '`', '\'', '!', '?':
			i = p.quote(i, end)
		default:
			p.out = append(p.out, c)
			p.mixed = p.mixed || c >= utf8.RuneSelf
			i++
		}
	}
}

// quote converts TeX's quote ligatures, which only exist outside math; in math ' is a prime.
func (p *plainer) quote(i, end int) int {
	s := p.s
	c := s[i]
	next := byte(0)
	if i+1 < end {
		next = s[i+1]
	}
	switch {
	case p.math && c == '\'' && next == '\'':
		p.out = append(p.out, "″"...)
		return i + 2
	case p.math && c == '\'':
		p.out = append(p.out, "′"...)
	case p.math:
		p.out = append(p.out, c)
	case c == '`' && next == '`':
		p.out = append(p.out, "“"...)
		return i + 2
	case c == '\'' && next == '\'':
		p.out = append(p.out, "”"...)
		return i + 2
	case c == '`':
		p.out = append(p.out, "‘"...)
	case c == '\'':
		p.out = append(p.out, "’"...)
	case c == '!' && next == '`':
		p.out = append(p.out, "¡"...)
		return i + 2
	case c == '?' && next == '`':
		p.out = append(p.out, "¿"...)
		return i + 2
	default:
		p.out = append(p.out, c)
	}
	return i + 1
}

// space writes one space, unless the text so far is empty or already ends with one.
func (p *plainer) space() {
	if n := len(p.out); n > 0 && p.out[n-1] != ' ' {
		p.out = append(p.out, ' ')
	}
}

// command converts the command whose name starts at s[i], just after its backslash, and returns
// where the text after it starts.
func (p *plainer) command(i, end, depth int) int {
	s := p.s
	if i >= end {
		return end
	}
	c := s[i]
	if !isLetter(c) {
		if c >= utf8.RuneSelf {
			return i // a backslash before a non-ASCII letter means nothing: keep the letter
		}
		if a, ok := accentNamed[s[i:i+1]]; ok {
			return p.accent(a, i+1, end, depth)
		}
		switch {
		case isBlank(c) || strings.IndexByte(`\\,;:>`, c) >= 0:
			p.space()
		case strings.IndexByte("-/@!", c) >= 0:
			// A discretionary hyphen, an italic correction, a space factor, a negative space.
		case c == '(' || c == '[':
			p.math = true
		case c == ')' || c == ']':
			p.math = false
		default:
			p.out = append(p.out, c) // \& \% \$ \# \_ \{ \}
		}
		return i + 1
	}
	j := i + 1
	for j < end && isLetter(s[j]) {
		j++
	}
	name := s[i:j]
	// TeX skips the spaces after a control word: Stra\ss e is Straße. In math TeX ignores
	// spaces and sets its own, so the writer's spacing is the better guide: $a \leq b$ is a ≤ b.
	k := skipBlanks(s, j, end)
	after := k
	if p.math {
		after = j
	}
	if a, ok := accentNamed[name]; ok {
		return p.accent(a, k, end, depth)
	}
	if w, ok := plainWords[name]; ok {
		if w == " " {
			p.space()
		} else {
			p.out = append(p.out, w...)
		}
		return after
	}
	switch name {
	case "url", "path", "nolinkurl", "doi":
		return p.verbatim(k, end)
	case "frac", "dfrac", "tfrac", "cfrac":
		if depth >= maxDepth {
			return k
		}
		k = p.arg(k, end, depth+1)
		p.out = append(p.out, '/')
		return p.arg(skipBlanks(s, k, end), end, depth+1)
	case "enquote", "mkbibquote":
		if depth >= maxDepth {
			return k
		}
		p.out = append(p.out, "“"...)
		k = p.arg(k, end, depth+1)
		p.out = append(p.out, "”"...)
		return k
	case "verb":
		return p.verb(j, end)
	case "char":
		return p.char(k, end)
	case "hspace":
		p.space()
		return skipGroup(s, skipStar(s, k, end), end)
	case "hskip", "vskip", "mskip":
		p.space()
		return skipDimen(s, k, end)
	case "kern", "mkern", "raise", "lower":
		// Logos such as T\kern-.1667em\lower.5ex\hbox{E}X move letters about: drop the distance.
		return skipDimen(s, k, end)
	case "href", "noopsort", "SortNoop", "sortnoop", "label", "index", "vspace", "begin", "end",
		"color", "textcolor", "phantom", "hphantom", "vphantom":
		// The first argument is a URL, a sort key, a colour or a length: not shown as text.
		return skipGroup(s, skipStar(s, k, end), end)
	}
	return after
}

// verb copies the argument of \verb|...|, delimited by the character at s[i].
func (p *plainer) verb(i, end int) int {
	s := p.s
	if i >= end || isLetter(s[i]) || isBlank(s[i]) || s[i] >= utf8.RuneSelf {
		return i
	}
	stop := strings.IndexByte(s[i+1:end], s[i])
	if stop < 0 {
		stop = end - i - 1
	}
	p.verbatimText(i+1, i+1+stop)
	return min(i+2+stop, end)
}

// char writes the character of \char98, \char'142, \char"62 or \char`b, when it is printable
// ASCII: above that a font's code table is not Unicode.
func (p *plainer) char(i, end int) int {
	s := p.s
	base := 10
	if i < end {
		switch s[i] {
		case '\'':
			base, i = 8, i+1
		case '"':
			base, i = 16, i+1
		case '`':
			if i+1 < end {
				i++
				if s[i] == '\\' && i+1 < end {
					i++
				}
				_, n := utf8.DecodeRuneInString(s[i:end])
				p.out = append(p.out, s[i:i+n]...)
				p.mixed = p.mixed || n > 1
				return i + n
			}
			return end
		}
	}
	code, j := 0, i
	for ; j < end && j-i < 8; j++ {
		d := strings.IndexByte("0123456789ABCDEF", s[j])
		if d < 0 || d >= base {
			break
		}
		code = code*base + d
	}
	if j > i && code >= ' ' && code < 0x7f {
		p.out = append(p.out, byte(code))
	}
	if j < end && s[j] == ' ' {
		j++ // the space that ends a number is TeX's, not the text's
	}
	return j
}

// skipDimen returns the index after the TeX length at s[i], as in -.1667em or 2pt.
func skipDimen(s string, i, end int) int {
	if i < end && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < end && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ',') {
		j++
	}
	if j == i {
		return i
	}
	j = skipBlanks(s, j, end)
	if j+1 < end && isLetter(s[j]) && isLetter(s[j+1]) {
		j += 2
	}
	return skipBlanks(s, j, end)
}

// accent reads the argument of an accent command at s[i] and puts the accent on its first letter.
func (p *plainer) accent(a accent, i, end, depth int) int {
	if depth >= maxDepth {
		return i
	}
	start := len(p.out)
	i = p.arg(skipBlanks(p.s, i, end), end, depth+1)
	p.mark(start, a)
	return i
}

// arg converts one macro argument at s[i]: a braced group, a command or one character.
func (p *plainer) arg(i, end, depth int) int {
	s := p.s
	switch {
	case i >= end || s[i] == '}':
		return i
	case s[i] == '{':
		m := matchBrace(s, i, end)
		p.run(i+1, m, depth)
		return min(m+1, end)
	case s[i] == '\\':
		return p.command(i+1, end, depth)
	}
	_, n := utf8.DecodeRuneInString(s[i:end])
	p.run(i, i+n, depth)
	return i + n
}

// mark puts accent a on the first letter written since start, after the marks it already has so
// that \={\"u} gives ǖ (u, diaeresis, macron) and not u, macron, diaeresis.
func (p *plainer) mark(start int, a accent) {
	j := start
	for j < len(p.out) && p.out[j] == ' ' {
		j++
	}
	if j == len(p.out) {
		p.out = append(p.out, a.alone...)
		return
	}
	r, n := utf8.DecodeRune(p.out[j:])
	// \'{\i} and \'\i are how LaTeX writes í: the accent replaces the dot.
	switch r {
	case 'ı':
		r = 'i'
	case 'ȷ':
		r = 'j'
	}
	if r < utf8.RuneSelf && n > 1 {
		p.out = slices.Replace(p.out, j, j+n, byte(r))
		n = 1
	}
	k := j + n
	if m, _ := utf8.DecodeRune(p.out[k:]); !unicode.Is(unicode.Mn, m) {
		if c, ok := composed[[2]rune{r, a.mark}]; ok {
			var buf [utf8.UTFMax]byte
			p.out = slices.Replace(p.out, j, k, buf[:utf8.EncodeRune(buf[:], c)]...)
			return
		}
	}
	for k < len(p.out) {
		r, n := utf8.DecodeRune(p.out[k:])
		if !unicode.Is(unicode.Mn, r) {
			break
		}
		k += n
	}
	// No precomposed letter, or marks in an order NFC changes: Plain normalizes at the end.
	p.mixed = true
	var buf [utf8.UTFMax]byte
	p.out = slices.Insert(p.out, k, buf[:utf8.EncodeRune(buf[:], a.mark)]...)
}

// verbatim copies the braced argument of \url and its kind as written: ~ and % are part of a URL.
func (p *plainer) verbatim(i, end int) int {
	s := p.s
	if i >= end || s[i] != '{' {
		return i
	}
	m := matchBrace(s, i, end)
	p.verbatimText(i+1, m)
	return min(m+1, end)
}

func (p *plainer) verbatimText(i, end int) {
	for ; i < end; i++ {
		if c := p.s[i]; isBlank(c) {
			p.space()
		} else {
			p.out = append(p.out, c)
			p.mixed = p.mixed || c >= utf8.RuneSelf
		}
	}
}

// matchBrace returns the index of the brace that closes the one at s[i], or end if none does.
func matchBrace(s string, i, end int) int {
	depth := 0
	for j := i; j < end; j++ {
		switch s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return end
}

// skipStar skips the star of \vspace* and its kind.
func skipStar(s string, i, end int) int {
	if i < end && s[i] == '*' {
		return skipBlanks(s, i+1, end)
	}
	return i
}

// skipGroup returns the index just after the braced group at s[i], or i if there is none.
func skipGroup(s string, i, end int) int {
	if i < end && s[i] == '{' {
		return min(matchBrace(s, i, end)+1, end)
	}
	return i
}

func skipBlanks(s string, i, end int) int {
	for i < end && isBlank(s[i]) {
		i++
	}
	return i
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ToLaTeX rewrites every non-ASCII character of s as LaTeX that old BibTeX toolchains read, for
// export to an ASCII .bib file. Accented letters are wrapped in braces so that BibTeX's purify$
// and sorting see one special character, and a letter written as a base letter followed by
// combining marks is converted like its precomposed form:
//
//	é  {\'e}        –  --       α  {$\alpha$}
//	í  {\'\i}       —  ---      ≤  {$\leq$}
//	ç  {\c{c}}      ‘  `        ×  {$\times$}
//	ǖ  {\={\"u}}    ’  '        €  {\euro}
//	ß  {\ss}        “  ``       no-break space  ~
//	ø  {\o}         ”  ''
//
// ASCII text, existing LaTeX included, is left as it is, and braces stay balanced; so is the
// argument of \url, \path, \doi and \href in a note. Inside $...$ math symbols lose their
// dollars and text symbols go into \mbox. A character with no LaTeX form is left as it is:
// ToLaTeXReport says which. Plain gives back what ToLaTeX converts, except that it shows spaces
// of other widths as a plain space, drops soft hyphens and spells out ligatures such as ﬁ.
//
// Callers must not apply it to fields that are not LaTeX text, such as url, doi, eprint and file:
// there a backslash or a brace would change the value.
func ToLaTeX(s string) string {
	out, _ := ToLaTeXReport(s)
	return out
}

// ToLaTeXReport is ToLaTeX that also returns the characters it could not convert and left in the
// output, each once, in the order they first appear (in NFC form), so that the caller can warn
// that the exported file is not pure ASCII.
func ToLaTeXReport(s string) (string, []rune) {
	if isASCII(s) {
		return s, nil
	}
	s = norm.NFC.String(s)
	var l latexer
	l.b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := clusterEnd(s, i, i+n)
		single := j == i+n
		switch {
		case r == '\\' && verbatimEnd(s, i) > 0:
			// A URL in a note stays as written, non-ASCII or not.
			j = verbatimEnd(s, i)
			l.keep(s[i:j])
		case single && r < utf8.RuneSelf:
			j = l.ascii(s, i)
		case single && ligatures[r] != "":
			l.ligature(r, s[j:])
		case single && latexSymbols[r].name != "":
			l.symbol(latexSymbols[r])
		case single && exportOnly[r] != "":
			l.text(exportOnly[r])
		default:
			l.cluster(s[i:j])
		}
		i = j
	}
	return l.b.String(), l.left
}

// latexer is ToLaTeXReport's output: the LaTeX written so far, the characters left as they
// were, and whether the text is in math mode.
type latexer struct {
	b    strings.Builder
	left []rune
	seen map[rune]bool
	math bool
}

// clusterEnd returns the end of the character that starts at i and whose first rune ends at j:
// the combining marks after it belong to it, and the tie of \t{oo} joins the next letter too.
func clusterEnd(s string, i, j int) int {
	for j < len(s) {
		m, n := utf8.DecodeRuneInString(s[j:])
		if !unicode.Is(unicode.Mn, m) {
			break
		}
		j += n
	}
	if m, _ := utf8.DecodeLastRuneInString(s[i:j]); m == '\u0361' && j < len(s) && isLetter(s[j]) {
		j++
	}
	return j
}

// keep writes raw as it is and notes its non-ASCII characters as left.
func (l *latexer) keep(raw string) {
	l.b.WriteString(raw)
	for _, r := range raw {
		if r >= utf8.RuneSelf && !l.seen[r] {
			if l.seen == nil {
				l.seen = map[rune]bool{}
			}
			l.seen[r] = true
			l.left = append(l.left, r)
		}
	}
}

// last returns the last byte written, or 0.
func (l *latexer) last() byte {
	if l.b.Len() == 0 {
		return 0
	}
	return l.b.String()[l.b.Len()-1]
}

// ascii copies the ASCII character at s[i], following $ and \( \) in and out of math, and returns
// where the next character starts: an escaped character is copied with its backslash, so that
// \$ does not start math.
func (l *latexer) ascii(s string, i int) int {
	c := s[i]
	l.b.WriteByte(c)
	j := i + 1
	switch {
	case c == '$':
		l.math = !l.math
	case c == '\\' && j < len(s) && s[j] < utf8.RuneSelf:
		l.b.WriteByte(s[j])
		switch s[j] {
		case '(':
			l.math = true
		case ')':
			l.math = false
		}
		j++
	}
	return j
}

// ligature writes a dash or quote ligature; rest is the text after it.
func (l *latexer) ligature(r rune, rest string) {
	if l.math {
		l.b.WriteString(`\mbox{` + mathLigatures[r] + `}`)
		return
	}
	lig := ligatures[r]
	nextByte := byte(0)
	if rest != "" {
		next, _ := utf8.DecodeRuneInString(rest)
		if next < utf8.RuneSelf {
			nextByte = byte(next)
		} else if lg := ligatures[next]; lg != "" {
			nextByte = lg[0]
		}
	}
	// Braces keep TeX from joining this ligature with the characters around it.
	if joins(l.last(), lig[0]) || joins(lig[len(lig)-1], nextByte) {
		lig = "{" + lig + "}"
	}
	l.b.WriteString(lig)
}

// symbol writes a symbol command, in math or in text as it needs and as the text is.
func (l *latexer) symbol(sym symbol) {
	switch {
	case sym.math && l.math:
		l.b.WriteString(`{\` + sym.name + `}`)
	case sym.math:
		l.b.WriteString(`{$\` + sym.name + `$}`)
	case l.math:
		l.b.WriteString(`\mbox{{\` + sym.name + `}}`)
	default:
		l.b.WriteString(`{\` + sym.name + `}`)
	}
}

// text writes LaTeX text, in an \mbox in math.
func (l *latexer) text(t string) {
	if l.math {
		t = `\mbox{` + t + `}`
	}
	l.b.WriteString(t)
}

// cluster writes a letter and its combining marks: as a negated relation, as accent commands,
// or as it is when LaTeX has no form for it.
func (l *latexer) cluster(c string) {
	nfd := norm.NFD.String(c)
	if form, ok := negated(nfd); ok {
		if l.math {
			l.b.WriteString(`{` + form + `}`)
		} else {
			l.b.WriteString(`{$` + form + `$}`)
		}
	} else if form, ok := accented(nfd); ok {
		l.text(form)
	} else {
		l.keep(c)
	}
}

// verbatimEnd returns the index just after the argument of the \url (or \path, \nolinkurl,
// \doi, \href) command at s[i], or 0 if there is none.
func verbatimEnd(s string, i int) int {
	j := i + 1
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	switch s[i+1 : j] {
	case "url", "path", "nolinkurl", "doi", "href":
		j = skipBlanks(s, j, len(s))
		if j < len(s) && s[j] == '{' {
			return min(matchBrace(s, j, len(s))+1, len(s))
		}
	}
	return 0
}

// joins reports whether TeX would join the characters a and b into a ligature, as in -- or !`.
func joins(a, b byte) bool {
	switch b {
	case '-', '\'':
		return a == b
	case '`':
		return a == '`' || a == '!' || a == '?'
	}
	return false
}

// negated writes a relation struck through (NFD: the relation, then U+0338) with \not, as in
// ≰ = \not\leq.
func negated(nfd string) (string, bool) {
	base, n := utf8.DecodeRuneInString(nfd)
	if nfd[n:] != "\u0338" {
		return "", false
	}
	switch {
	case base == '<' || base == '>' || base == '=':
		return `\not` + string(base), true
	case latexSymbols[base].math:
		return `\not\` + latexSymbols[base].name, true
	}
	return "", false
}

// accented writes a letter and its combining marks (NFD) as LaTeX accents: e + acute gives
// {\'e}, i + acute {\'\i}, c + cedilla + acute {\'{\c{c}}}. It fails on a base or a mark that
// LaTeX has no command for.
func accented(nfd string) (string, bool) {
	base, n := utf8.DecodeRuneInString(nfd)
	var inner string
	switch {
	case base < utf8.RuneSelf && isLetter(byte(base)):
		inner = string(base)
	case latexSymbols[base].letter:
		inner = `\` + latexSymbols[base].name
	default:
		return "", false
	}
	var marks []accent
	above := false
	second := ""
	for _, m := range nfd[n:] {
		if m < utf8.RuneSelf && len(marks) > 0 && marks[len(marks)-1].mark == '\u0361' {
			second = string(m)
			break
		}
		a, ok := accentOf[m]
		if !ok {
			return "", false
		}
		marks = append(marks, a)
		above = above || !a.below
	}
	if len(marks) == 0 {
		return "", false
	}
	// LaTeX puts an accent above an i or a j on the dotless letter.
	if above && (base == 'i' || base == 'j') {
		inner = `\` + inner
	}
	simple := true // inner is one letter or one command, so \'e needs no braces
	for _, a := range marks {
		switch {
		case a.mark == '\u0361':
			inner = `\t{` + inner + second + `}`
		case !isLetter(a.name[0]) && simple:
			inner = `\` + a.name + inner
		default:
			inner = `\` + a.name + `{` + inner + `}`
		}
		simple = false
	}
	return "{" + inner + "}", true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// accent is a LaTeX accent command and the combining mark it puts on a letter.
type accent struct {
	name  string // after the backslash
	mark  rune
	alone string // what the accent alone shows, as in \~{}
	below bool   // under the letter, so an i keeps its dot
	math  bool   // a math-mode accent: read, never written
}

var accents = []accent{
	{name: "'", mark: '\u0301', alone: "´"},
	{name: "`", mark: '\u0300', alone: "`"},
	{name: "^", mark: '\u0302', alone: "^"},
	{name: `"`, mark: '\u0308', alone: "¨"},
	{name: "~", mark: '\u0303', alone: "~"},
	{name: "=", mark: '\u0304', alone: "¯"},
	{name: ".", mark: '\u0307', alone: "˙"},
	{name: "u", mark: '\u0306', alone: "˘"},
	{name: "v", mark: '\u030C', alone: "ˇ"},
	{name: "H", mark: '\u030B', alone: "˝"},
	{name: "r", mark: '\u030A', alone: "˚"},
	{name: "c", mark: '\u0327', alone: "¸", below: true},
	{name: "k", mark: '\u0328', alone: "˛", below: true},
	{name: "d", mark: '\u0323', below: true},
	{name: "b", mark: '\u0331', alone: "ˍ", below: true},
	{name: "textcommabelow", mark: '\u0326', below: true},
	{name: "t", mark: '\u0361'},
	{name: "acute", mark: '\u0301', math: true},
	{name: "grave", mark: '\u0300', math: true},
	{name: "hat", mark: '\u0302', math: true},
	{name: "widehat", mark: '\u0302', math: true},
	{name: "ddot", mark: '\u0308', math: true},
	{name: "tilde", mark: '\u0303', math: true},
	{name: "widetilde", mark: '\u0303', math: true},
	{name: "bar", mark: '\u0304', math: true},
	{name: "overline", mark: '\u0305', math: true},
	{name: "underline", mark: '\u0332', math: true},
	{name: "dot", mark: '\u0307', math: true},
	{name: "breve", mark: '\u0306', math: true},
	{name: "check", mark: '\u030C', math: true},
	{name: "mathring", mark: '\u030A', math: true},
	{name: "vec", mark: '\u20D7', math: true},
	{name: "not", mark: '\u0338', math: true}, // \not= is ≠, \not\in is ∉
}

var (
	// composed maps a letter and a combining mark to the letter NFC composes them into, for the
	// Latin letters and relations LaTeX accents are used on: Plain composes each accent as it
	// reads it, which is much cheaper than normalizing its output. Anything else it normalizes.
	composed = func() map[[2]rune]rune {
		m := map[[2]rune]rune{}
		for _, rg := range [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}, {0x2200, 0x22FF}} {
			for r := rg[0]; r <= rg[1]; r++ {
				d := norm.NFD.PropertiesString(string(r)).Decomposition()
				if d == nil {
					continue
				}
				mark, n := utf8.DecodeLastRune(d)
				base := norm.NFC.Bytes(d[:len(d)-n])
				if b, size := utf8.DecodeRune(base); size > 0 && size == len(base) {
					m[[2]rune{b, mark}] = r
				}
			}
		}
		return m
	}()
	accentNamed = func() map[string]accent {
		m := map[string]accent{}
		for _, a := range accents {
			m[a.name] = a
		}
		return m
	}()
	accentOf = func() map[rune]accent {
		m := map[rune]accent{}
		for _, a := range accents {
			if _, dup := m[a.mark]; !dup && !a.math {
				m[a.mark] = a
			}
		}
		return m
	}()
)

// symbol is a LaTeX command that stands for one character.
type symbol struct {
	name   string // after the backslash
	r      rune
	math   bool // only valid in math mode: written {$\name$}
	letter bool // a letter that takes accents: \'\o is ǿ
}

// symbols lists the commands Plain reads as one character. Where several name one character,
// the first is the one ToLaTeX writes.
var symbols = []symbol{
	{name: "ss", r: 'ß'}, {name: "o", r: 'ø', letter: true}, {name: "O", r: 'Ø', letter: true},
	{name: "ae", r: 'æ', letter: true}, {name: "AE", r: 'Æ', letter: true},
	{name: "oe", r: 'œ', letter: true}, {name: "OE", r: 'Œ', letter: true},
	{name: "aa", r: 'å'}, {name: "AA", r: 'Å'}, {name: "l", r: 'ł'}, {name: "L", r: 'Ł'},
	{name: "i", r: 'ı', letter: true}, {name: "j", r: 'ȷ', letter: true},
	{name: "dh", r: 'ð'}, {name: "DH", r: 'Ð'}, {name: "th", r: 'þ'}, {name: "TH", r: 'Þ'},
	{name: "ng", r: 'ŋ'}, {name: "NG", r: 'Ŋ'}, {name: "dj", r: 'đ'}, {name: "DJ", r: 'Đ'},
	{name: "ij", r: 'ĳ'}, {name: "IJ", r: 'Ĳ'},

	{name: "textendash", r: '–'}, {name: "textemdash", r: '—'},
	{name: "textquoteleft", r: '‘'}, {name: "textquoteright", r: '’'},
	{name: "textquotedblleft", r: '“'}, {name: "textquotedblright", r: '”'},
	{name: "quotesinglbase", r: '‚'}, {name: "quotedblbase", r: '„'},
	{name: "guillemotleft", r: '«'}, {name: "guillemotright", r: '»'},
	{name: "guillemetleft", r: '«'}, {name: "guillemetright", r: '»'},
	{name: "guilsinglleft", r: '‹'}, {name: "guilsinglright", r: '›'},
	{name: "ldots", r: '…'}, {name: "dots", r: '…'}, {name: "textellipsis", r: '…'},
	{name: "textexclamdown", r: '¡'}, {name: "textquestiondown", r: '¿'},
	{name: "textdegree", r: '°'}, {name: "textregistered", r: '®'},
	{name: "copyright", r: '©'}, {name: "textcopyright", r: '©'},
	{name: "texttrademark", r: '™'},
	{name: "pounds", r: '£'}, {name: "textsterling", r: '£'},
	{name: "euro", r: '€'}, {name: "texteuro", r: '€'},
	{name: "textyen", r: '¥'}, {name: "textcent", r: '¢'}, {name: "textcurrency", r: '¤'},
	{name: "S", r: '§'}, {name: "textsection", r: '§'},
	{name: "P", r: '¶'}, {name: "textparagraph", r: '¶'},
	{name: "dag", r: '†'}, {name: "textdagger", r: '†'},
	{name: "ddag", r: '‡'}, {name: "textdaggerdbl", r: '‡'},
	{name: "textbullet", r: '•'}, {name: "textperiodcentered", r: '·'},
	{name: "textonehalf", r: '½'}, {name: "textonequarter", r: '¼'},
	{name: "textthreequarters", r: '¾'}, {name: "textonesuperior", r: '¹'},
	{name: "texttwosuperior", r: '²'}, {name: "textthreesuperior", r: '³'},
	{name: "textordfeminine", r: 'ª'}, {name: "textordmasculine", r: 'º'},
	{name: "textperthousand", r: '‰'}, {name: "textmu", r: 'µ'},
	{name: "textbrokenbar", r: '¦'}, {name: "textnumero", r: '№'},
	{name: "textcelsius", r: '℃'}, {name: "textminus", r: '−'},
	{name: "textinterrobang", r: '‽'}, {name: "textmusicalnote", r: '♪'},
	{name: "textestimated", r: '℮'},

	{name: "alpha", r: 'α', math: true}, {name: "beta", r: 'β', math: true},
	{name: "gamma", r: 'γ', math: true}, {name: "delta", r: 'δ', math: true},
	{name: "epsilon", r: 'ε', math: true}, {name: "varepsilon", r: 'ε', math: true},
	{name: "zeta", r: 'ζ', math: true}, {name: "eta", r: 'η', math: true},
	{name: "theta", r: 'θ', math: true}, {name: "vartheta", r: 'ϑ', math: true},
	{name: "iota", r: 'ι', math: true}, {name: "kappa", r: 'κ', math: true},
	{name: "lambda", r: 'λ', math: true}, {name: "mu", r: 'μ', math: true},
	{name: "nu", r: 'ν', math: true}, {name: "xi", r: 'ξ', math: true},
	{name: "pi", r: 'π', math: true}, {name: "varpi", r: 'ϖ', math: true},
	{name: "rho", r: 'ρ', math: true}, {name: "varrho", r: 'ϱ', math: true},
	{name: "sigma", r: 'σ', math: true}, {name: "varsigma", r: 'ς', math: true},
	{name: "tau", r: 'τ', math: true}, {name: "upsilon", r: 'υ', math: true},
	{name: "phi", r: 'φ', math: true}, {name: "varphi", r: 'φ', math: true},
	{name: "chi", r: 'χ', math: true}, {name: "psi", r: 'ψ', math: true},
	{name: "omega", r: 'ω', math: true},
	{name: "Gamma", r: 'Γ', math: true}, {name: "Delta", r: 'Δ', math: true},
	{name: "Theta", r: 'Θ', math: true}, {name: "Lambda", r: 'Λ', math: true},
	{name: "Xi", r: 'Ξ', math: true}, {name: "Pi", r: 'Π', math: true},
	{name: "Sigma", r: 'Σ', math: true}, {name: "Upsilon", r: 'Υ', math: true},
	{name: "Phi", r: 'Φ', math: true}, {name: "Psi", r: 'Ψ', math: true},
	{name: "Omega", r: 'Ω', math: true},

	{name: "times", r: '×', math: true}, {name: "div", r: '÷', math: true},
	{name: "pm", r: '±', math: true}, {name: "mp", r: '∓', math: true},
	{name: "cdot", r: '⋅', math: true}, {name: "ast", r: '∗', math: true},
	{name: "star", r: '⋆', math: true}, {name: "circ", r: '∘', math: true},
	{name: "leq", r: '≤', math: true}, {name: "le", r: '≤', math: true},
	{name: "geq", r: '≥', math: true}, {name: "ge", r: '≥', math: true},
	{name: "neq", r: '≠', math: true}, {name: "ne", r: '≠', math: true},
	{name: "ll", r: '≪', math: true}, {name: "gg", r: '≫', math: true},
	{name: "approx", r: '≈', math: true}, {name: "sim", r: '∼', math: true},
	{name: "simeq", r: '≃', math: true}, {name: "cong", r: '≅', math: true},
	{name: "equiv", r: '≡', math: true}, {name: "propto", r: '∝', math: true},
	{name: "infty", r: '∞', math: true},
	{name: "rightarrow", r: '→', math: true}, {name: "to", r: '→', math: true},
	{name: "leftarrow", r: '←', math: true}, {name: "gets", r: '←', math: true},
	{name: "leftrightarrow", r: '↔', math: true},
	{name: "Rightarrow", r: '⇒', math: true}, {name: "Leftarrow", r: '⇐', math: true},
	{name: "Leftrightarrow", r: '⇔', math: true},
	{name: "longrightarrow", r: '⟶', math: true},
	{name: "Longrightarrow", r: '⟹', math: true}, {name: "implies", r: '⟹', math: true},
	{name: "Longleftrightarrow", r: '⟺', math: true}, {name: "iff", r: '⟺', math: true},
	{name: "mapsto", r: '↦', math: true},
	{name: "uparrow", r: '↑', math: true}, {name: "downarrow", r: '↓', math: true},
	{name: "in", r: '∈', math: true}, {name: "notin", r: '∉', math: true},
	{name: "ni", r: '∋', math: true},
	{name: "subset", r: '⊂', math: true}, {name: "subseteq", r: '⊆', math: true},
	{name: "supset", r: '⊃', math: true}, {name: "supseteq", r: '⊇', math: true},
	{name: "cup", r: '∪', math: true}, {name: "cap", r: '∩', math: true},
	{name: "setminus", r: '∖', math: true},
	{name: "emptyset", r: '∅', math: true}, {name: "varnothing", r: '∅', math: true},
	{name: "forall", r: '∀', math: true}, {name: "exists", r: '∃', math: true},
	{name: "neg", r: '¬', math: true}, {name: "lnot", r: '¬', math: true},
	{name: "textlnot", r: '¬'},
	{name: "wedge", r: '∧', math: true}, {name: "land", r: '∧', math: true},
	{name: "vee", r: '∨', math: true}, {name: "lor", r: '∨', math: true},
	{name: "oplus", r: '⊕', math: true}, {name: "otimes", r: '⊗', math: true},
	{name: "sum", r: '∑', math: true}, {name: "prod", r: '∏', math: true},
	{name: "int", r: '∫', math: true}, {name: "oint", r: '∮', math: true},
	{name: "partial", r: '∂', math: true}, {name: "nabla", r: '∇', math: true},
	{name: "surd", r: '√', math: true}, {name: "sqrt", r: '√', math: true},
	{name: "prime", r: '′', math: true},
	{name: "langle", r: '⟨', math: true}, {name: "rangle", r: '⟩', math: true},
	{name: "lceil", r: '⌈', math: true}, {name: "rceil", r: '⌉', math: true},
	{name: "lfloor", r: '⌊', math: true}, {name: "rfloor", r: '⌋', math: true},
	{name: "cdots", r: '⋯', math: true}, {name: "vdots", r: '⋮', math: true},
	{name: "ddots", r: '⋱', math: true},
	{name: "hbar", r: 'ℏ', math: true}, {name: "ell", r: 'ℓ', math: true},
	{name: "Re", r: 'ℜ', math: true}, {name: "Im", r: 'ℑ', math: true},
	{name: "aleph", r: 'ℵ', math: true}, {name: "wp", r: '℘', math: true},
	{name: "top", r: '⊤', math: true}, {name: "bot", r: '⊥', math: true},
	{name: "perp", r: '⊥', math: true},
	{name: "parallel", r: '∥', math: true}, {name: "mid", r: '∣', math: true},
	{name: "angle", r: '∠', math: true}, {name: "triangle", r: '△', math: true},
	{name: "vdash", r: '⊢', math: true}, {name: "models", r: '⊨', math: true},
	{name: "dagger", r: '†', math: true}, {name: "ddagger", r: '‡', math: true},
	{name: "checkmark", r: '✓', math: true}, {name: "Box", r: '□', math: true},
	{name: "square", r: '□', math: true}, {name: "diamond", r: '⋄', math: true},
	{name: "Vert", r: '‖', math: true},
}

// ligatures are the characters TeX makes from runs of ASCII: what ToLaTeX writes in text, and
// (mathLigatures) in math, where TeX makes no ligatures.
var (
	ligatures = map[rune]string{
		'–': "--", '—': "---", '‐': "-", '‑': "-",
		'‘': "`", '’': "'", '“': "``", '”': "''",
	}
	mathLigatures = map[rune]string{
		'–': `\textendash`, '—': `\textemdash`, '‐': "-", '‑': "-",
		'‘': `\textquoteleft`, '’': `\textquoteright`,
		'“': `\textquotedblleft`, '”': `\textquotedblright`,
	}
)

// exportOnly are characters ToLaTeX writes that Plain does not give back exactly: spaces and
// the soft hyphen show as a space or nothing, ligatures of letters as their letters.
var exportOnly = map[rune]string{
	'\u00A0': "~", '\u2009': `{\,}`, '\u202F': `{\,}`, '\u2002': `{\enspace}`,
	'\u2003': `{\quad}`, '\u00AD': `{\-}`,
	'ﬀ': "ff", 'ﬁ': "fi", 'ﬂ': "fl", 'ﬃ': "ffi", 'ﬄ': "ffl",
	'´': `{\'{}}`, '¨': `{\"{}}`, '¯': `{\={}}`, '¸': `{\c{}}`, '˘': `{\u{}}`, 'ˇ': `{\v{}}`,
	'˙': `{\.{}}`, '˝': `{\H{}}`, '˛': `{\k{}}`, '˚': `{\r{}}`,
}

var (
	// latexSymbols maps a character to the command ToLaTeX writes for it.
	latexSymbols = func() map[rune]symbol {
		m := map[rune]symbol{}
		for _, s := range symbols {
			if _, dup := m[s.r]; !dup && ligatures[s.r] == "" {
				m[s.r] = s
			}
		}
		return m
	}()
	// plainWords maps a command to its text in Plain.
	plainWords = func() map[string]string {
		m := map[string]string{
			// Logos and abbreviations, as printed.
			"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX",
			"XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
			"ConTeXt": "ConTeXt", "AmS": "AMS", "AmSTeX": "AMS-TeX", "AmSLaTeX": "AMS-LaTeX",
			"SliTeX": "SliTeX", "SLiTeX": "SLiTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX",
			"eTeX": "ε-TeX", "MF": "METAFONT", "METAFONT": "METAFONT", "MP": "MetaPost",
			"PiCTeX": "PiCTeX", "LyX": "LyX", "TikZ": "TikZ", "Xy": "Xy", "TUB": "TUGboat",
			"TUG": "TUG", "SS": "SS", "eg": "e.g.", "ie": "i.e.",
			// Dashes and slashes as commands, common in TUGboat's bibliographies.
			"Dash": "—", "emdash": "—", "endash": "–", "slash": "/", "bs": `\`, "backslash": `\`,
			// Characters TeX prints that are ASCII.
			"textbackslash": `\`, "textasciitilde": "~", "textasciicircum": "^", "textbar": "|",
			"textless": "<", "textgreater": ">", "textunderscore": "_", "textbraceleft": "{",
			"textbraceright": "}", "textdollar": "$", "lbrace": "{", "rbrace": "}",
			"vert": "|", "colon": ":", "textquotedbl": `"`, "textquotesingle": "'",
			// Spaces and line breaks.
			"newline": " ", "linebreak": " ", "par": " ", "break": " ", "quad": " ",
			"qquad": " ", "enspace": " ", "enskip": " ", "thinspace": " ", "medspace": " ",
			"thickspace": " ", "space": " ", "nobreakspace": " ", "hfill": " ",
		}
		// Operator names print as themselves: $\log n$ is log n.
		for _, op := range strings.Fields("log ln lg exp sin cos tan cot sec csc arcsin arccos " +
			"arctan sinh cosh tanh coth max min sup inf lim liminf limsup det dim ker deg gcd arg " +
			"Pr hom mod") {
			m[op] = op
		}
		m["bmod"] = "mod"
		for _, s := range symbols {
			m[s.name] = string(s.r)
		}
		return m
	}()
)
