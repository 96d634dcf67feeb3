package bib

import (
	"encoding/xml"
	"html"
	"strings"
)

// markupCommands are the LaTeX commands that tags of JATS, HTML and MathML-free markup become,
// by the tag's local name (jats:italic and italic alike).
var markupCommands = map[string]string{
	"i": `\textit`, "em": `\textit`, "italic": `\textit`, "cite": `\textit`,
	"b": `\textbf`, "strong": `\textbf`, "bold": `\textbf`,
	"sub": `\textsubscript`, "inf": `\textsubscript`,
	"sup": `\textsuperscript`,
	"sc":  `\textsc`,
	"tt":  `\texttt`, "code": `\texttt`, "monospace": `\texttt`,
}

// markupBreaks are the tags that separate words: paragraphs, line breaks, sections.
var markupBreaks = map[string]bool{
	"p": true, "br": true, "sec": true, "div": true, "li": true, "title": true, "list": true,
	"list-item": true, "disp-quote": true, "abstract": true, "td": true, "tr": true,
}

// FromMarkup turns text with JATS, HTML or MathML markup (a title or an abstract from a
// registry, such as Crossref's <jats:p>... <jats:italic>in vivo</jats:italic>) into BibTeX
// text, for Entry.Set:
//
//   - <i>, <em>, <italic> become \textit{...}; <b>, <strong>, <bold> \textbf{...}; <sub>
//     \textsubscript{...}; <sup> \textsuperscript{...}; <sc> \textsc{...}; <tt>, <code>,
//     <monospace> \texttt{...}; a namespace prefix (jats:, mml:) is ignored;
//   - paragraphs (<p>), sections, line breaks and list items become a space between words
//     (a paragraph break inside a field is not safe in every style); a <title> "Abstract"
//     that opens a JATS abstract is dropped, another title (Background, Methods) is kept as
//     \textbf{...};
//   - MathML (<math>) made only of mi, mn, mo, mtext, mrow, msub, msup, msubsup, mfrac,
//     msqrt and mspace becomes $...$ math; other MathML becomes its text;
//   - every other tag (<a>, <span>, <inline-formula>) is dropped and its text kept;
//   - entities (&amp;, &#x3b1;, &eacute;) are decoded, and the text is escaped as Escape
//     escapes it, but for its braces, which become {\textbraceleft} and {\textbraceright}:
//     BibTeX counts \{ as a brace, and a text's braces need not balance; white space is
//     collapsed; non-ASCII stays as it is.
//
// Tags that do not close are closed at the end, closing tags that never opened are ignored:
// the result always has balanced braces.
func FromMarkup(s string) string {
	m := &markup{}
	m.run(s)
	for len(m.open) > 0 {
		m.close()
	}
	return collapseSpace(strings.TrimSpace(m.out.String()))
}

type markup struct {
	out  strings.Builder
	open []markupOpen
}

type markupOpen struct {
	name  string
	start int  // where the element's output starts, after its command
	cmd   bool // whether a command and its brace were written
	title bool
}

func (m *markup) run(s string) {
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			m.text(s)
			return
		}
		m.text(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 || !isTagStart(s) {
			m.text(s[:1])
			s = s[1:]
			continue
		}
		tag := s[1:j]
		s = s[j+1:]
		closing := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		selfClosing := strings.HasSuffix(tag, "/")
		tag = strings.TrimSuffix(tag, "/")
		name := localName(tag)
		switch {
		case name == "math" && !closing && !selfClosing:
			k := closingMath(s)
			if k < 0 {
				m.text(stripTags(s))
				return
			}
			end := k + strings.IndexByte(s[k:], '>') + 1
			m.math("<" + tag + ">" + s[:end])
			s = s[end:]
		case closing:
			m.closeNamed(name)
		case selfClosing:
			if markupBreaks[name] {
				m.out.WriteByte(' ')
			}
		default:
			m.openTag(name)
		}
	}
}

// isTagStart reports whether s (starting with <) starts a tag rather than a less-than sign.
func isTagStart(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[1]
	if c == '/' && len(s) > 2 {
		c = s[2]
	}
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// localName is a tag's name without attributes or namespace prefix, in lower case.
func localName(tag string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(tag), " ")
	name, _, _ = strings.Cut(name, "\t")
	name, _, _ = strings.Cut(name, "\n")
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToLower(name)
}

// markupBracesOut and markupBracesIn write the braces of text as commands, which, unlike \{
// and \}, BibTeX does not count: the braces of a text need not balance.
var (
	markupBracesOut = strings.NewReplacer("{", "\x00L", "}", "\x00R")
	markupBracesIn  = strings.NewReplacer("\x00L", `{\textbraceleft}`, "\x00R", `{\textbraceright}`)
)

// escapeText escapes plain text as Escape does, but for its braces (see markupBracesOut).
func escapeText(s string) string {
	return markupBracesIn.Replace(escapes.Replace(markupBracesOut.Replace(s)))
}

func (m *markup) text(s string) {
	m.out.WriteString(escapeText(html.UnescapeString(s)))
}

func (m *markup) openTag(name string) {
	o := markupOpen{name: name}
	if markupBreaks[name] {
		m.out.WriteByte(' ')
	}
	if name == "title" {
		o.title = true
		m.out.WriteString(`\textbf{`)
		o.cmd = true
	} else if cmd := markupCommands[name]; cmd != "" {
		m.out.WriteString(cmd + "{")
		o.cmd = true
	}
	o.start = m.out.Len()
	m.open = append(m.open, o)
}

// closeNamed closes the open element of that name and those opened inside it; a closing tag
// that matches none is ignored.
func (m *markup) closeNamed(name string) {
	for i := len(m.open) - 1; i >= 0; i-- {
		if m.open[i].name == name {
			for len(m.open) > i {
				m.close()
			}
			return
		}
	}
}

func (m *markup) close() {
	o := m.open[len(m.open)-1]
	m.open = m.open[:len(m.open)-1]
	if !o.cmd {
		if markupBreaks[o.name] {
			m.out.WriteByte(' ')
		}
		return
	}
	out := m.out.String()
	inner := out[o.start:]
	if strings.TrimSpace(inner) == "" || o.title && strings.EqualFold(strings.TrimSpace(inner), "abstract") {
		// An empty element, or the "Abstract" heading of a JATS abstract: nothing to keep.
		start := strings.LastIndex(out[:o.start], `\`)
		m.out.Reset()
		m.out.WriteString(out[:start])
		m.out.WriteByte(' ')
		return
	}
	m.out.WriteByte('}')
	if markupBreaks[o.name] {
		m.out.WriteByte(' ')
	}
}

// closingMath is where the </math> (of any prefix) that closes the math element opened
// before s starts, or -1.
func closingMath(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return -1
		}
		tag := s[i+1 : i+j]
		if localName(strings.TrimPrefix(tag, "/")) == "math" {
			switch {
			case strings.HasPrefix(tag, "/") && depth == 0:
				return i
			case strings.HasPrefix(tag, "/"):
				depth--
			case !strings.HasSuffix(tag, "/"):
				depth++
			}
		}
		i += j
	}
	return -1
}

// stripTags is the text of markup, its tags dropped.
func stripTags(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return b.String()
}

// mathNode is a MathML element read with encoding/xml.
type mathNode struct {
	XMLName xml.Name
	Nodes   []mathNode `xml:",any"`
	Text    string     `xml:",chardata"`
}

// math writes a MathML element: as $...$ when every element in it is one texMath knows,
// else as its text.
func (m *markup) math(src string) {
	var n mathNode
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	if err := d.Decode(&n); err != nil {
		m.text(stripTags(src))
		return
	}
	if tex, ok := texMath(n); ok && strings.TrimSpace(tex) != "" {
		m.out.WriteString("$" + strings.TrimSpace(tex) + "$")
		return
	}
	m.out.WriteString(escapeText(mathText(n)))
}

// mathEscapes are the characters that TeX math gives a meaning and MathML text may hold.
var mathEscapes = strings.NewReplacer(
	`\`, `\backslash `, `{`, `\lbrace `, `}`, `\rbrace `, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`,
	`_`, `\_`, `~`, `\sim `, `^`, `\hat{}`, "−", "-", "×", `\times `, "±", `\pm `,
	"≤", `\leq `, "≥", `\geq `, "→", `\to `, "·", `\cdot `, "∞", `\infty `,
)

// texMath writes simple MathML as TeX math; ok is false for an element it does not know.
func texMath(n mathNode) (string, bool) {
	kids := func(sep string) (string, bool) {
		var parts []string
		for _, c := range n.Nodes {
			s, ok := texMath(c)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep), true
	}
	arg := func(i int) (string, bool) {
		if i >= len(n.Nodes) {
			return "", false
		}
		s, ok := texMath(n.Nodes[i])
		return "{" + s + "}", ok
	}
	switch strings.ToLower(n.XMLName.Local) {
	case "math", "mrow", "mstyle", "semantics":
		return kids("")
	case "mi", "mn", "mo":
		t := strings.TrimSpace(n.Text)
		if len(n.Nodes) > 0 {
			return "", false
		}
		if isGreek(t) {
			return greekTeX[t], true
		}
		return mathEscapes.Replace(t), true
	case "mtext":
		if len(n.Nodes) > 0 {
			return "", false
		}
		return `\text{` + escapeText(n.Text) + "}", true
	case "mspace":
		return `\,`, true
	case "msub", "msup", "mfrac":
		if len(n.Nodes) != 2 {
			return "", false
		}
		a, ok1 := arg(0)
		b, ok2 := arg(1)
		switch strings.ToLower(n.XMLName.Local) {
		case "msub":
			return a + "_" + b, ok1 && ok2
		case "msup":
			return a + "^" + b, ok1 && ok2
		}
		return `\frac` + a + b, ok1 && ok2
	case "msubsup":
		if len(n.Nodes) != 3 {
			return "", false
		}
		a, ok1 := arg(0)
		b, ok2 := arg(1)
		c, ok3 := arg(2)
		return a + "_" + b + "^" + c, ok1 && ok2 && ok3
	case "msqrt":
		s, ok := kids("")
		return `\sqrt{` + s + "}", ok
	}
	return "", false
}

// mathText is the text of a MathML element.
func mathText(n mathNode) string {
	if len(n.Nodes) == 0 {
		return strings.TrimSpace(n.Text)
	}
	var parts []string
	for _, c := range n.Nodes {
		if t := mathText(c); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "")
}

var greekTeX = map[string]string{
	"α": `\alpha `, "β": `\beta `, "γ": `\gamma `, "δ": `\delta `, "ε": `\epsilon `,
	"ζ": `\zeta `, "η": `\eta `, "θ": `\theta `, "κ": `\kappa `, "λ": `\lambda `, "μ": `\mu `,
	"ν": `\nu `, "ξ": `\xi `, "π": `\pi `, "ρ": `\rho `, "σ": `\sigma `, "τ": `\tau `,
	"φ": `\phi `, "χ": `\chi `, "ψ": `\psi `, "ω": `\omega `, "Γ": `\Gamma `, "Δ": `\Delta `,
	"Θ": `\Theta `, "Λ": `\Lambda `, "Π": `\Pi `, "Σ": `\Sigma `, "Φ": `\Phi `, "Ψ": `\Psi `,
	"Ω": `\Omega `,
}

func isGreek(s string) bool { _, ok := greekTeX[s]; return ok }
