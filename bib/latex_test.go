package bib

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"
)

func TestPlain(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"umlaut in braces", `G{\"o}del`, "Gödel"},
		{"umlaut", `Schr\"odinger`, "Schrödinger"},
		{"cedilla and caron", `{\'E}cole {\c{C}}a \v{s}`, "École Ça š"},
		{"sharp s, tie, dash", `Stra{\ss}e~2--3`, "Straße 2–3"},
		{"logo in a word", `The {\TeX}book`, "The TeXbook"},
		{"font, braces, math", `\emph{Deep} {BEE} $\alpha$`, "Deep BEE α"},
		{"escapes", `50\% off \& more`, "50% off & more"},
		{"dotless i in braces", `na\"{\i}ve`, "naïve"},
		{"plain text stays", `plain text stays`, "plain text stays"},
		// The examples of Plain's documentation.
		{"doc accents", `G{\"o}del, G\"odel, G\" odel`, "Gödel, Gödel, Gödel"},
		{"doc letter accents", `\c c, \c{c}, \'{\i}, \"\i`, "ç, ç, í, ï"},
		{"doc symbols", `{\ss} {\o} \& \euro`, "ß ø & €"},
		{"doc ligatures", "-- --- `` '' ` '", "– — “ ” ‘ ’"},
		{"doc math", `$\alpha \leq x^2$`, "α ≤ x^2"},
		{"doc commands", `\emph{Deep} $\mathcal{O}$`, "Deep O"},
		// Accents, in every spelling.
		{"braced argument", `G\"{o}del`, "Gödel"},
		{"space before letter", `G\" odel`, "Gödel"},
		{"letter accent with space", `Gar\c con \c{c}a`, "Garçon ça"},
		{"dotless i bare", `na\"\i ve Mart\'{\i}n Mart\'\i n`, "naïve Martín Martín"},
		{"grave", "\\`a \\`{e} {\\`I}", "à è Ì"},
		{"circumflex", `\^o \^{\i} \^{w}`, "ô î ŵ"},
		{"tilde", `Espa\~na \~{a}`, "España ã"},
		{"macron", `\=a \={O}`, "ā Ō"},
		{"dot above", `\.Z \.{I} \.{e}`, "Ż İ ė"},
		{"breve", `\u{g} \u a`, "ğ ă"},
		{"caron", `Dvo\v{r}\'ak \v Z`, "Dvořák Ž"},
		{"double acute", `Erd\H{o}s \H u`, "Erdős ű"},
		{"cedilla", `\c{s} \c t \c{S}`, "ş ţ Ş"},
		{"ogonek", `\k{a} \k{e} \k{\i}`, "ą ę į"},
		{"ring", `\r{a} \r U`, "å Ů"},
		{"dot below", `\d{h} \d{s}`, "ḥ ṣ"},
		{"macron below", `\b{d} \b k`, "ḏ ḵ"},
		{"tie", `\t{oo}`, "o\u0361o"},
		{"comma below", `Bra\textcommabelow{s}ov`, "Brașov"},
		{"no precomposed letter", `\'x \v{q}`, "x\u0301 q\u030C"},
		{"stacked", `\={\"u} \'{\c{c}} \^{\d{e}}`, "ǖ ḉ ệ"},
		{"special letter accented", `\'\o{} \'{\ae}`, "ǿ ǽ"},
		{"accent alone", `\~{} \^{} \'{}`, "~ ^ ´"},
		{"accent at end", `a\'`, "a´"},
		{"unicode argument", `\'{ü}`, "ǘ"},
		// Special letters and symbols.
		{"special letters", `Stra{\ss}e {\o}\O{} {\ae}{\AE} \oe\OE{} \aa\AA{} \l\L{} \i\j`, "Straße øØ æÆ œŒ åÅ łŁ ıȷ"},
		{"more letters", `\dh\DH{} \th\TH{} \ng\NG{} \dj\DJ`, "ðÐ þÞ ŋŊ đĐ"},
		{"space after command is TeX's", `Stra\ss e \AA ngstr\"om`, "Straße Ångström"},
		{"escaped", `50\% off \& more \$5 \#1 a\_b \{x\}`, "50% off & more $5 #1 a_b {x}"},
		{"dashes", `Stra{\ss}e~2--3 a---b \textendash\textemdash`, "Straße 2–3 a—b –—"},
		{"hyphen stays", `well-known`, "well-known"},
		{"dots", `a\ldots b\dots{} c\textellipsis`, "a…b… c…"},
		{"quotes", "``Hi'' `x' don't", "“Hi” ‘x’ don’t"},
		{"quote commands", `\textquoteleft a\textquoteright{} \textquotedblleft b\textquotedblright`, "‘a’ “b”"},
		{"guillemets", `\guillemotleft{}x\guillemotright`, "«x»"},
		{"inverted", "!`Hola! ?`Qu\\'e?", "¡Hola! ¿Qué?"},
		{"text symbols", `\textdegree\textregistered\copyright\pounds\euro\S\P\dag\ddag`, "°®©£€§¶†‡"},
		{"logos", `The {\TeX}book, \LaTeX{} and \BibTeX`, "The TeXbook, LaTeX and BibTeX"},
		// Math.
		{"greek", `$\alpha\beta\gamma\delta\epsilon\omega$ $\Gamma\Delta\Sigma\Omega$`, "αβγδεω ΓΔΣΩ"},
		{"operators", `$a\times b \pm c \leq d \geq e \neq f \approx g$`, "a× b ± c ≤ d ≥ e ≠ f ≈ g"},
		{"more operators", `$\infty \cdot \to \rightarrow \sim \in \sum \partial \nabla$`, "∞ ⋅ → → ∼ ∈ ∑ ∂ ∇"},
		{"scripts", `$O(n^2)$ and $x_{i}^{10}$`, "O(n^2) and x_i^10"},
		{"math fonts", `$\mathcal{O}(\log n)$ $\mathrm{d}x$ $\mathbb{R}$`, "O(log n) dx R"},
		{"not", `$a \not= b$, $x \not\in S$`, "a ≠ b, x ∉ S"},
		{"frac", `$\frac{1}{2}$-approximation`, "1/2-approximation"},
		{"prime", `$f'(x)$ $f''$`, "f′(x) f″"},
		{"math accent", `$\hat{x}$ $\bar y$`, "x\u0302 \u0233"},
		{"no ligatures in math", `$a--b$`, "a--b"},
		{"paren math", `\(\alpha\)`, "α"},
		{"escaped dollar", `\$\alpha`, "$α"},
		// Commands that keep their argument, or not.
		{"font commands", `\textit{a} \textbf{b} \textsc{c} \texttt{d} \mbox{e} \textsuperscript{th}`, "a b c d e th"},
		{"old font switch", `{\em a} {\bf b}`, "a b"},
		{"unknown command", `\foo{bar} \unknown baz`, "bar baz"},
		{"url verbatim", `see \url{http://x.org/~u/a%20b}`, "see http://x.org/~u/a%20b"},
		{"href", `\href{http://x.org}{the site}`, "the site"},
		{"verb", `\verb|a~b\c| and \verb+x+`, `a~b\c and x`},
		{"char", "\\char98\\char'142 \\char\"62\\char`\\b \\char 233 x", "bbbb x"},
		{"logo kerning", `T\kern-.1667em\lower.5ex\hbox{E}\kern -0.125 em X`, "TEX"},
		{"skip", `a\hskip 2pt b`, "a b"},
		{"starred space", `a\hspace*{1em}b\vspace*{2pt}`, "a b"},
		{"enquote", `\enquote{Hi} \mkbibquote{there}`, "“Hi” “there”"},
		{"tugboat logos", `\MF{} \AmSTeX{} \slash \Dash`, "METAFONT AMS-TeX /—"},
		{"noopsort", `{\noopsort{1973b}}1973`, "1973"},
		{"line breaks", `a\\b\newline c\par d`, "a b c d"},
		{"control space", `\TeX\ is`, "TeX is"},
		{"discretionary hyphen", `hy\-phen\/`, "hyphen"},
		// Spacing and braces.
		{"tie is a space", `Fig.~2`, "Fig. 2"},
		{"whitespace", "  a \t b\n\nc ~ ", "a b c"},
		{"braces", `{{A}} {B}{C}`, "A BC"},
		{"unbalanced", `{a \'{e`, "a é"},
		{"backslash at end", `a\`, "a"},
		{"empty", ``, ""},
		{"unicode stays", `Gödel — “quoted”`, "Gödel — “quoted”"},
		{"decomposed input composed", "Go\u0308del", "Gödel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Plain(tt.in)); diff != "" {
				t.Errorf("Plain(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestPlainUnchanged(t *testing.T) {
	for _, s := range []string{"", "Attention Is All You Need", "Gödel, Escher, Bach", "a-b c_d 50%"} {
		if got := Plain(s); got != s {
			t.Errorf("Plain(%q) = %q, want it unchanged", s, got)
		}
		if n := testing.AllocsPerRun(100, func() { Plain(s) }); n != 0 {
			t.Errorf("Plain(%q) allocates %v times, want 0", s, n)
		}
	}
}

// TestComposed checks Plain's table of precomposed letters against NFC.
func TestComposed(t *testing.T) {
	for k, r := range composed {
		if got := norm.NFC.String(string(k[:])); got != string(r) {
			t.Errorf("composed[%q] = %q, NFC gives %q", string(k[:]), r, got)
		}
	}
	if len(composed) < 500 {
		t.Errorf("composed has %d letters", len(composed))
	}
}

func TestToLaTeX(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"acute", "é", `{\'e}`},
		{"dotless i", "ı", `{\i}`},
		{"i acute", "í", `{\'\i}`},
		{"i diaeresis", "naïve", `na{\"\i}ve`},
		{"i ogonek keeps its dot", "į", `{\k{i}}`},
		{"sharp s", "ß", `{\ss}`},
		{"o slash", "ø Ø", `{\o} {\O}`},
		{"letter accents", "ç š ő ă ą ů", `{\c{c}} {\v{s}} {\H{o}} {\u{a}} {\k{a}} {\r{u}}`},
		{"ring a", "å Å", `{\aa} {\AA}`},
		{"stacked", "ǖ ḉ ệ", `{\={\"u}} {\'{\c{c}}} {\^{\d{e}}}`},
		{"special letter accented", "ǿ", `{\'\o}`},
		{"decomposed", "e\u0301 Go\u0308del", `{\'e} G{\"o}del`},
		{"no precomposed letter", "x\u0301", `{\'x}`},
		{"tie", "o\u0361o", `{\t{oo}}`},
		{"dashes", "1–2 a—b", "1--2 a---b"},
		{"dash next to hyphen", "a–-b -—", "a{--}-b -{---}"},
		{"nbsp", "Fig.\u00a02", "Fig.~2"},
		{"quotes", "“Hi” ‘x’ don’t", "``Hi'' `x' don't"},
		{"quotes together", "‘‘x’’ “‘y’”", "{`}`x{'}' {``}`y{'}''"},
		{"greek", "α Ω", `{$\alpha$} {$\Omega$}`},
		{"operators", "a ≤ b × c", `a {$\leq$} b {$\times$} c`},
		{"negated relations", "≰ ≮ ≢ ∤", `{$\not\leq$} {$\not<$} {$\not\equiv$} {$\not\mid$}`},
		{"symbols", "€5 © § ¿", `{\euro}5 {\copyright} {\S} {\textquestiondown}`},
		{"ellipsis", "a…", `a{\ldots}`},
		{"inside math", "$α ≤ é–$", `${\alpha} {\leq} \mbox{{\'e}}\mbox{\textendash}$`},
		{"escaped dollar is not math", `\$ α`, `\$ {$\alpha$}`},
		{"latex untouched", `G{\"o}del $\alpha$ \emph{x} 50\%`, `G{\"o}del $\alpha$ \emph{x} 50\%`},
		{"mixed", `Gödel {\"o}`, `G{\"o}del {\"o}`},
		{"url in a note", `Café \url{http://x.org/café} \href{http://é.fr}{é}`, `Caf{\'e} \url{http://x.org/café} \href{http://é.fr}{{\'e}}`},
		{"left as is", "日本 ά", "日本 ά"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ToLaTeX(tt.in)); diff != "" {
				t.Errorf("ToLaTeX(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestToLaTeXReport(t *testing.T) {
	out, left := ToLaTeXReport("Gödel 日本 ά 日 ǅ")
	if diff := cmp.Diff(`G{\"o}del 日本 ά 日 ǅ`, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]rune{'日', '本', 'ά', 'ǅ'}, left); diff != "" {
		t.Errorf("runes left (-want +got):\n%s", diff)
	}
	if out, left := ToLaTeXReport(`plain {\'e}`); out != `plain {\'e}` || left != nil {
		t.Errorf("ASCII: got %q, %q", out, left)
	}
}

// TestToLaTeXTable checks every character ToLaTeX converts: the output is ASCII and Plain gives
// the character back (in NFC, so the Angstrom sign comes back as Å).
func TestToLaTeXTable(t *testing.T) {
	// Plain shows these as a plain space, nothing, or their letters.
	folded := map[rune]string{
		'\u00A0': "a b", '\u2009': "a b", '\u202F': "a b", '\u2002': "a b", '\u2003': "a b",
		'\u00AD': "ab", 'ﬀ': "affb", 'ﬁ': "afib", 'ﬂ': "aflb", 'ﬃ': "affib", 'ﬄ': "afflb",
		'‐': "a-b", '‑': "a-b",
	}
	converted := 0
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		nfc := norm.NFC.String(string(r))
		if isASCII(nfc) {
			continue // U+037E, the Greek question mark, is a semicolon
		}
		out, left := ToLaTeXReport(string(r))
		if len(left) > 0 {
			continue
		}
		converted++
		if !isASCII(out) {
			t.Errorf("ToLaTeX(%q) = %q: not ASCII", r, out)
		}
		if strings.Count(out, "{") != strings.Count(out, "}") {
			t.Errorf("ToLaTeX(%q) = %q: unbalanced braces", r, out)
		}
		if want, ok := folded[[]rune(nfc)[0]]; ok {
			if got := Plain("a" + out + "b"); got != want {
				t.Errorf("Plain(%q) = %q, want %q", "a"+out+"b", got, want)
			}
			continue
		}
		if got, want := Plain(out), nfc; got != want {
			t.Errorf("Plain(ToLaTeX(%q)) = Plain(%q) = %q, want %q", r, out, got, want)
		}
		// In a word, and in math, the character must survive too.
		if got, want := Plain("x"+ToLaTeX("a"+string(r)+"b")), "xa"+nfc+"b"; got != want {
			t.Errorf("Plain(x+ToLaTeX(a%cb)) = %q, want %q", r, got, want)
		}
		if got, want := Plain(ToLaTeX("$"+string(r)+"$")), nfc; got != want {
			t.Errorf("Plain(ToLaTeX($%c$)) = %q, want %q", r, got, want)
		}
	}
	// The characters ToLaTeX knows by name come back exactly.
	var named []rune
	for r := range latexSymbols {
		named = append(named, r)
	}
	for r := range ligatures {
		named = append(named, r)
	}
	for _, r := range named {
		if _, ok := folded[r]; ok {
			continue
		}
		if got := Plain(ToLaTeX(string(r))); got != string(r) {
			t.Errorf("Plain(ToLaTeX(%q)) = %q", r, got)
		}
	}
	for _, r := range "éıíßø–—‘’“”\u00a0α≤×€æœåłðþŋđ°®©£§¶†…«»¡¿ΓΔΘΛΞΠΣΥΦΨΩ±≠≈∞⋅→∼∈∑∂∇" {
		if _, left := ToLaTeXReport(string(r)); len(left) > 0 {
			t.Errorf("ToLaTeX(%q) left it as it is", r)
		}
	}
	if converted < 600 {
		t.Errorf("ToLaTeX converts only %d characters", converted)
	}
	t.Logf("ToLaTeX converts %d characters", converted)
}

func TestToLaTeXRoundTrip(t *testing.T) {
	for _, s := range []string{
		"Gödel, Escher, Bach: an Eternal Golden Braid",
		"Über die Vollständigkeit der Axiome des logischen Funktionenkalküls",
		"Ça m’est égal — “naïve” façade, 1990–2000",
		"Łódź, Kraków, Dvořák, Erdős, Brașov, İstanbul, Ångström, Øresund, Þingvellir",
		"Nguyễn Thị Minh Khai",
		"α-helices and β-sheets at ≤ 10 K, 5 × 10⁻³",
		"o\u0361o",
	} {
		out, left := ToLaTeXReport(s)
		for _, r := range out {
			if r >= utf8.RuneSelf && !containsRune(left, r) {
				t.Errorf("ToLaTeX(%q) left %q without reporting it", s, r)
			}
		}
		if got := Plain(out); got != norm.NFC.String(s) {
			t.Errorf("Plain(ToLaTeX(%q)) = Plain(%q) = %q", s, out, got)
		}
	}
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// isPlainByBytes is isPlain looking at every byte, as it did before it skipped the bytes that
// need no look through a table.
func isPlainByBytes(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
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

func FuzzPlain(f *testing.F) {
	for _, s := range []string{
		`G{\"o}del`, `\'{\i}`, `\c c`, `$\alpha^2 \not\in \frac{a}{b}$`, "``x''---y", `\url{a~b}`,
		`\'{`, `\={\"{\'{`, `\`, `{\t{oo}}`, "Gödel — α", "a\u0301\u0361", `\(\)\[\]`, "\xff\\'\xfe", "a\\\f\\\vb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isPlain(s), isPlainByBytes(s); got != want {
			t.Fatalf("isPlain(%q) = %v, one byte at a time %v", s, got, want)
		}
		p := Plain(s)
		if utf8.ValidString(s) {
			if !utf8.ValidString(p) {
				t.Fatalf("Plain(%q) = %q: not UTF-8", s, p)
			}
			if p != s && !norm.NFC.IsNormalString(p) {
				t.Fatalf("Plain(%q) = %q: not NFC", s, p)
			}
		}
		if p != s && (strings.HasPrefix(p, " ") || strings.HasSuffix(p, " ") ||
			strings.Contains(p, "  ") || strings.ContainsAny(p, "\t\n\r\v\f")) {
			t.Fatalf("Plain(%q) = %q: white space not collapsed", s, p)
		}

		out, left := ToLaTeXReport(s)
		if strings.Count(out, "{")-strings.Count(out, "}") != strings.Count(s, "{")-strings.Count(s, "}") {
			t.Fatalf("ToLaTeX(%q) = %q: braces changed their balance", s, out)
		}
		if utf8.ValidString(s) {
			for _, r := range out {
				if r >= utf8.RuneSelf && !containsRune(left, r) {
					t.Fatalf("ToLaTeX(%q) = %q: %q left without being reported", s, out, r)
				}
			}
		}
		if isASCII(s) && out != s {
			t.Fatalf("ToLaTeX(%q) = %q: ASCII must be left as it is", s, out)
		}
	})
}

func BenchmarkPlain(b *testing.B) {
	for _, bm := range []struct{ name, title string }{
		{"accents", `{\"U}ber die {V}ollst{\"a}ndigkeit der {A}xiome des logischen ` +
			`{F}unktionenkalk{\"u}ls, with $\alpha$-{\'e}l{\'e}ments --- {\em na\"{\i}ve} view`},
		{"plain", "Attention Is All You Need: Transformers for Sequence Transduction at Scale"},
		{"abstract", strings.TrimSpace(strings.Repeat("We propose a new simple network architecture, based solely on attention mechanisms, dispensing with recurrence and convolutions entirely. ", 8))},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.title)))
			b.ReportAllocs()
			for b.Loop() {
				Plain(bm.title)
			}
		})
	}
}
