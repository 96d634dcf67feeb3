package csl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// CSL strings carry the rich text of citeproc-js's "HTML-like" markup: <i>, <b>, <sup>, <sub>,
// <span style="font-variant:small-caps;"> and <span class="nocase">. These are the LaTeX commands
// each becomes in BibTeX text, and back.
const (
	tagItalic    = "i"
	tagBold      = "b"
	tagSup       = "sup"
	tagSub       = "sub"
	tagSmallCaps = "sc"
	tagNoCase    = "nocase"
)

var latexOf = map[string]string{
	tagItalic:    `\textit`,
	tagBold:      `\textbf`,
	tagSup:       `\textsuperscript`,
	tagSub:       `\textsubscript`,
	tagSmallCaps: `\textsc`,
}

var openTag = map[string]string{
	tagItalic:    "<i>",
	tagBold:      "<b>",
	tagSup:       "<sup>",
	tagSub:       "<sub>",
	tagSmallCaps: `<span style="font-variant:small-caps;">`,
	tagNoCase:    `<span class="nocase">`,
}

var closeTag = map[string]string{
	tagItalic: "</i>", tagBold: "</b>", tagSup: "</sup>", tagSub: "</sub>",
	tagSmallCaps: "</span>", tagNoCase: "</span>",
}

// richToLaTeX turns a CSL string with its markup into BibTeX text: the text is escaped as
// bib.Escape does, the markup becomes \textit{...} and the like, a nocase span becomes a
// protecting brace group, and the HTML entities citeproc-js reads (&amp; &lt; &gt; &quot; &#39;
// and numeric ones) become their characters. A tag it does not know stays as text.
func richToLaTeX(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return bib.Escape(s) // which makes the white space single spaces, as Words does below
	}
	s = bib.Words(s)
	var b strings.Builder
	var stack []string // the tag of each open element; "" for a span kept as text
	text := func(t string) {
		if t == "" {
			return
		}
		t = unescapeEntities(t)
		if t[0] == ' ' {
			b.WriteByte(' ')
		}
		b.WriteString(bib.Escape(t))
		if len(t) > 1 && t[len(t)-1] == ' ' {
			b.WriteByte(' ')
		}
	}
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 {
			text(s)
			break
		}
		tag := s[:j+1]
		s = s[j+1:]
		if name, closing := tagName(tag); name != "" && !closing {
			stack = append(stack, name)
			if name == tagNoCase {
				b.WriteByte('{')
			} else {
				b.WriteString(latexOf[name] + "{")
			}
			continue
		} else if closing && len(stack) > 0 && matches(stack[len(stack)-1], name) {
			stack = stack[:len(stack)-1]
			b.WriteByte('}')
			continue
		}
		text(tag)
	}
	for range stack {
		b.WriteByte('}')
	}
	return bib.Words(b.String())
}

// matches reports whether a closing tag named name closes an element opened as open.
func matches(open, name string) bool {
	if name == "span" {
		return open == tagSmallCaps || open == tagNoCase
	}
	return open == name
}

// tagName reads a tag of the markup: the element it opens (tagItalic...), or for a closing tag
// the name written ("i", "span"), and whether it closes. It returns "" for any other tag.
func tagName(tag string) (name string, closing bool) {
	t := strings.ToLower(strings.TrimSpace(tag[1 : len(tag)-1]))
	if strings.HasPrefix(t, "/") {
		t = strings.TrimSpace(t[1:])
		switch t {
		case "i", "b", "sup", "sub", "span":
			return t, true
		}
		return "", false
	}
	switch t {
	case "i", "b", "sup", "sub":
		return t, false
	}
	if !strings.HasPrefix(t, "span ") {
		return "", false
	}
	attrs := strings.Join(strings.Fields(strings.NewReplacer(`"`, " ", `'`, " ", "=", " = ").Replace(t[5:])), " ")
	switch {
	case strings.Contains(attrs, "class = nocase"):
		return tagNoCase, false
	case strings.Contains(attrs, "font-variant:small-caps") || strings.Contains(attrs, "font-variant: small-caps"):
		return tagSmallCaps, false
	}
	return "", false
}

var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&apos;", "'", "&nbsp;", "\u00a0")

// unescapeEntities replaces the named entities citeproc-js writes and numeric ones (&#38;, &#x26;).
func unescapeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	s = entities.Replace(s)
	var b strings.Builder
	for {
		i := strings.Index(s, "&#")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], ';')
		if j < 0 || j > 10 {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		num, base := s[i+2:i+j], 10
		if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
			num, base = num[1:], 16
		}
		r, ok := parseUint(num, base)
		if !ok || !utf8.ValidRune(rune(r)) || r == 0 {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteRune(rune(r))
		s = s[i+j+1:]
	}
}

func parseUint(s string, base int) (uint32, bool) {
	if s == "" || len(s) > 8 {
		return 0, false
	}
	var n uint32
	for _, c := range s {
		d := strings.IndexRune("0123456789abcdef", unicode.ToLower(c))
		if d < 0 || d >= base {
			return 0, false
		}
		n = n*uint32(base) + uint32(d)
	}
	return n, true
}

// latexToRich turns BibTeX text into a CSL string: accents, symbols and dashes become Unicode as
// bib.Plain makes them; \textit, \emph, {\em ...}, {\it ...}, \textbf, {\bf ...}, \textsc,
// {\sc ...}, \textsuperscript and \textsubscript become the markup; and in a title (protect set),
// a brace group holding a word that starts in lower case becomes a nocase span, as Pandoc's
// BibTeX reader makes it (a group with no such word needs no protection from a style's case
// change). Other brace groups leave their text.
func latexToRich(s string, protect bool) string {
	if !strings.ContainsAny(s, `\{`) {
		return bib.Plain(s)
	}
	c := richer{protect: protect}
	c.run(s)
	c.flush()
	return strings.Join(strings.Fields(c.out.String()), " ")
}

type richer struct {
	protect bool
	out     strings.Builder
	pending strings.Builder // LaTeX not yet converted, given to bib.Plain whole
}

var commandTag = map[string]string{
	"textit": tagItalic, "emph": tagItalic, "textsl": tagItalic,
	"textbf":          tagBold,
	"textsc":          tagSmallCaps,
	"textsuperscript": tagSup, "textsubscript": tagSub,
}

var switchTag = map[string]string{
	"em": tagItalic, "it": tagItalic, "sl": tagItalic, "itshape": tagItalic, "slshape": tagItalic,
	"bf": tagBold, "bfseries": tagBold,
	"sc": tagSmallCaps, "scshape": tagSmallCaps,
}

func (c *richer) flush() {
	if c.pending.Len() == 0 {
		return
	}
	p := c.pending.String()
	c.pending.Reset()
	lead := p[0] == ' ' || p[0] == '\n' || p[0] == '\t'
	t := bib.Plain(p)
	if lead && t != "" && !strings.HasPrefix(t, " ") {
		c.out.WriteByte(' ')
	}
	c.out.WriteString(htmlText(t))
	if end := p[len(p)-1]; (end == ' ' || end == '\n' || end == '\t' || end == '~') && !strings.HasSuffix(t, " ") {
		c.out.WriteByte(' ')
	}
}

// htmlText keeps text that citeproc-js would read as markup from being read so.
func htmlText(t string) string {
	if !strings.Contains(t, "<") {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] == '<' && i+1 < len(t) && (isTagStart(t[i+1:])) {
			b.WriteString("&lt;")
			continue
		}
		b.WriteByte(t[i])
	}
	return b.String()
}

func isTagStart(s string) bool {
	s = strings.TrimPrefix(strings.ToLower(s), "/")
	for _, p := range []string{"i>", "b>", "sup>", "sub>", "span"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (c *richer) wrap(tag, inner string) {
	c.flush()
	c.out.WriteString(openTag[tag])
	sub := richer{protect: c.protect}
	sub.run(inner)
	sub.flush()
	c.out.WriteString(sub.out.String())
	c.out.WriteString(closeTag[tag])
}

// run converts s, a balanced piece of BibTeX text.
func (c *richer) run(s string) {
	for i := 0; i < len(s); {
		switch s[i] {
		case '\\':
			name, end := commandName(s, i)
			if tag, ok := commandTag[name]; ok {
				j := skipBlank(s, end)
				if j < len(s) && s[j] == '{' {
					k := groupEnd(s, j)
					c.wrap(tag, s[j+1:k-1])
					i = k
					continue
				}
			}
			// Any other command goes to bib.Plain with the groups that follow it: its arguments.
			c.pending.WriteString(s[i:end])
			i = end
			for i < len(s) && s[i] == '{' {
				k := groupEnd(s, i)
				c.pending.WriteString(s[i:k])
				i = k
			}
		case '{':
			k := groupEnd(s, i)
			inner := s[i+1 : max(i+1, k-1)]
			if t := strings.TrimLeft(inner, " "); strings.HasPrefix(t, `\`) {
				name, end := commandName(t, 0)
				if tag, ok := switchTag[name]; ok {
					c.wrap(tag, strings.TrimLeft(t[end:], " \t\n")) // TeX ends a control word at the space
					i = k
					continue
				}
				c.pending.WriteString(s[i:k])
				i = k
				continue
			}
			if c.protect && hasLowerWord(bib.Plain(inner)) {
				c.wrap(tagNoCase, inner)
			} else {
				c.run(inner)
			}
			i = k
		default:
			c.pending.WriteByte(s[i])
			i++
		}
	}
}

// hasLowerWord reports whether a word of t starts with a lower-case letter.
func hasLowerWord(t string) bool {
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// commandName returns the name of the command at s[i] (a backslash) and where it ends.
func commandName(s string, i int) (string, int) {
	j := i + 1
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
		j++
	}
	if j == i+1 && j < len(s) {
		_, n := utf8.DecodeRuneInString(s[j:])
		j += n
	}
	return s[i+1 : j], j
}

func skipBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
}

// groupEnd returns the index just past the brace that closes the group opening at s[i], or
// len(s) when it is not closed.
func groupEnd(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(s)
}
