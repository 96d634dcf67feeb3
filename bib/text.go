package bib

import (
	"strings"
	"unicode"
)

// SplitNames splits a BibTeX name list on "and" at brace depth 0, as BibTeX does.
func SplitNames(s string) []string {
	var names []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == 0 && i > start && isSpace(s[i]) && i+4 < len(s) &&
			strings.EqualFold(s[i+1:i+4], "and") && isSpace(s[i+4]) {
			names = append(names, strings.TrimSpace(s[start:i]))
			start = i + 4
			i += 3
		}
	}
	if last := strings.TrimSpace(s[start:]); last != "" {
		names = append(names, last)
	}
	return names
}

// LastName returns the "von Last" part of one BibTeX name: the text before the first comma in
// "von Last, First" and "von Last, Jr, First"; in "First von Last", the words from the first
// lower-case one on, or the last word.
func LastName(name string) string {
	words := splitDepth0(name, func(c byte) bool { return c == ',' })
	if len(words) > 1 {
		return strings.TrimSpace(words[0])
	}
	words = splitDepth0(name, isSpace)
	if len(words) == 0 {
		return ""
	}
	for i, w := range words[:len(words)-1] {
		if w != "" && w[0] != '{' && w[0] != '\\' && unicode.IsLower(rune(w[0])) {
			return strings.Join(words[i:], " ")
		}
	}
	return words[len(words)-1]
}

func splitDepth0(s string, sep func(byte) bool) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{':
			depth++
		case c == '}':
			depth--
		case depth == 0 && sep(c):
			if i > start {
				parts = append(parts, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

// DisplayName returns one BibTeX name in reading order, as plain text: "Vinyals, Oriol" and
// "Oriol Vinyals" both give "Oriol Vinyals"; "Fontaine, Jr., Jean de la" gives
// "Jean de la Fontaine, Jr.".
func DisplayName(name string) string {
	parts := splitDepth0(name, func(c byte) bool { return c == ',' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return Plain(strings.Join(strings.Fields(parts[0]), " "))
	case 2:
		return Plain(strings.TrimSpace(parts[1] + " " + parts[0]))
	}
	return Plain(strings.TrimSpace(strings.Join(parts[2:], ", ")+" "+parts[0]) + ", " + parts[1])
}

// Authors returns an entry's authors for display: "Vinyals, Fortunato, Jaitly", or the editors
// when it has no authors, with "et al." for "and others".
func Authors(e *Entry) string {
	list := e.Get("author")
	if list == "" {
		list = e.Get("editor")
	}
	var lasts []string
	for _, n := range SplitNames(list) {
		if strings.EqualFold(n, "others") {
			lasts = append(lasts, "et al.")
			continue
		}
		lasts = append(lasts, Plain(LastName(n)))
	}
	return strings.Join(lasts, ", ")
}

// FirstAuthor returns the last name of the entry's first author (or editor), for display.
func FirstAuthor(e *Entry) string {
	list := e.Get("author")
	if list == "" {
		list = e.Get("editor")
	}
	names := SplitNames(list)
	if len(names) == 0 {
		return ""
	}
	return Plain(LastName(names[0]))
}

// Plain turns LaTeX into the text a reader sees, for display and search: accents become Unicode
// letters (G{\"o}del -> Gödel), protecting braces go, -- and --- become dashes, and simple text
// commands (\emph{x}) keep their argument. It covers the common accents and symbols; what it does
// not know it keeps as written.
func Plain(s string) string {
	if !strings.ContainsAny(s, "{}\\~-$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' || c == '}' || c == '$':
		case c == '~':
			b.WriteByte(' ')
		case c == '-' && strings.HasPrefix(s[i:], "---"):
			b.WriteString("—")
			i += 2
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			b.WriteString("–")
			i++
		case c == '\\' && i+1 < len(s):
			i += latexCommand(&b, s[i+1:])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// latexCommand writes the text of the command at the start of s (just after its backslash) and
// returns how many bytes of s it used.
func latexCommand(b *strings.Builder, s string) int {
	c := s[0]
	if accent, ok := accents[c]; ok {
		// \"o, \"{o}, \" o; and for letter accents (\c c, \v{s}) a space or brace is required.
		n := 1
		isLetter := unicode.IsLetter(rune(c))
		for n < len(s) && s[n] == ' ' {
			n++
		}
		braced := n < len(s) && s[n] == '{'
		if braced {
			n++
		} else if isLetter && n == 1 {
			return wordCommand(b, s)
		}
		if n < len(s) {
			letter := s[n]
			if letter == '\\' && n+1 < len(s) && (s[n+1] == 'i' || s[n+1] == 'j') {
				n++
				letter = s[n]
			}
			n++
			if braced && n < len(s) && s[n] == '}' {
				n++
			}
			if r, ok := compose[[2]byte{accent, letter}]; ok {
				b.WriteRune(r)
			} else {
				b.WriteByte(letter)
			}
			return n
		}
		return 1
	}
	if !unicode.IsLetter(rune(c)) {
		b.WriteByte(c) // \& \% \_ \$ \# \{ \}
		return 1
	}
	return wordCommand(b, s)
}

func wordCommand(b *strings.Builder, s string) int {
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z') {
		n++
	}
	if sym, ok := symbols[s[:n]]; ok {
		b.WriteString(sym)
	} else if n == 0 {
		return 0
	}
	// Other commands (\emph, \textbf, \mathcal...) vanish and leave their argument.
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

// accents maps the character after a backslash to a one-letter accent code used by compose.
var accents = map[byte]byte{
	'\'': '\'', '`': '`', '^': '^', '"': '"', '~': '~', '=': '=', '.': '.',
	'c': 'c', 'v': 'v', 'u': 'u', 'H': 'H', 'k': 'k', 'r': 'r',
}

var symbols = map[string]string{
	"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
	"aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
	"textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textasciitilde": "~",
	"textasciicircum": "^", "textbackslash": "\\", "alpha": "α", "beta": "β", "gamma": "γ",
	"delta": "δ", "epsilon": "ε", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ",
	"eg": "e.g.", "ie": "i.e.",
}

// compose holds the precomposed letters for accent + base letter.
var compose = func() map[[2]byte]rune {
	m := map[[2]byte]rune{}
	add := func(accent byte, pairs string) {
		rs := []rune(pairs)
		for i := 0; i+1 < len(rs); i += 2 {
			m[[2]byte{accent, byte(rs[i])}] = rs[i+1]
		}
	}
	add('\'', "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝcćCĆnńNŃsśSŚzźZŹlĺLĹrŕRŔgǵ")
	add('`', "aàeèiìoòuùAÀEÈIÌOÒUÙ")
	add('^', "aâeêiîoôuûAÂEÊIÎOÔUÛcĉgĝhĥjĵsŝwŵyŷ")
	add('"', "aäeëiïoöuüyÿAÄEËIÏOÖUÜYŸ")
	add('~', "aãoõnñAÃOÕNÑiĩuũ")
	add('=', "aāeēiīoōuūAĀEĒIĪOŌUŪ")
	add('.', "zżZŻeėEĖIİcċgġ")
	add('c', "cçCÇsşSŞtţTŢ")
	add('v', "cčCČsšSŠzžZŽrřRŘeěEĚnňNŇdďDĎtťTŤ")
	add('u', "aăAĂgğGĞuŭ")
	add('H', "oőOŐuűUŰ")
	add('k', "aąAĄeęEĘ")
	add('r', "aåAÅuůUŮ")
	return m
}()
