package bib

import "testing"

func TestFromMarkup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Plain title", "Plain title"},
		{"The Chinese<i>Hukou</i>System at 50", `The Chinese\textit{Hukou}System at 50`},
		{"Microbial changes at a volcanic CO<sub>2</sub> vent", `Microbial changes at a volcanic CO\textsubscript{2} vent`},
		{"<jats:title>Abstract</jats:title><jats:p>Among various <jats:italic>in vivo</jats:italic> advantages.</jats:p>",
			`Among various \textit{in vivo} advantages.`},
		{"<jats:p>First.</jats:p><jats:p>Second.</jats:p>", "First. Second."},
		{"<jats:sec><jats:title>Background</jats:title><jats:p>Text.</jats:p></jats:sec>", `\textbf{Background} Text.`},
		{"<b>Bold</b> and <strong>strong</strong>, x<sup>2</sup>, <sc>Small Caps</sc>",
			`\textbf{Bold} and \textbf{strong}, x\textsuperscript{2}, \textsc{Small Caps}`},
		{"<jats:bold>5</jats:bold><jats:monospace>code</jats:monospace>", `\textbf{5}\texttt{code}`},
		{"Tom &amp; Jerry &lt;3 &#x3b1;-helix &eacute;t&eacute; 50% $5 #1 a_b ~ ^", `Tom \& Jerry <3 α-helix été 50\% \$5 \#1 a\_b {\textasciitilde} {\textasciicircum}`},
		{`a <a href="https://x.org/?a=1&b=2">link</a> here`, "a link here"},
		{"line<br/>break<br>again", "line break again"},
		{"Unclosed <i>italic", `Unclosed \textit{italic}`},
		{"stray </b> close", "stray close"},
		{"empty <i></i> tag", "empty tag"},
		{"nested <b>bold <i>both</b> after", `nested \textbf{bold \textit{both}} after`},
		{"3 < 4 and 5 > 4", "3 < 4 and 5 > 4"},
		{`the <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msub><mml:mi>T</mml:mi><mml:mi>c</mml:mi></mml:msub></mml:math> of`,
			`the ${T}_{c}$ of`},
		{`<inline-formula><mml:math><mml:mrow><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup><mml:mo>+</mml:mo><mml:mfrac><mml:mi>α</mml:mi><mml:mn>2</mml:mn></mml:mfrac></mml:mrow></mml:math></inline-formula>`,
			`${x}^{2}+\frac{\alpha }{2}$`},
		{`<math><mtable><mtr><mtd><mi>a</mi></mtd></mtr></mtable></math> matrix`, "a matrix"},
		{`<math><mi>x</mi>`, "x"},
		{"Ångström and 北京", "Ångström and 北京"},
		{"  many\n\t spaces  ", "many spaces"},
	} {
		got := FromMarkup(tc.in)
		if got != tc.want {
			t.Errorf("FromMarkup(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if !Balanced(got) {
			t.Errorf("FromMarkup(%q) = %q does not balance", tc.in, got)
		}
	}
}

func FuzzFromMarkup(f *testing.F) {
	for _, s := range []string{"<i>a</i>", "<jats:p>x<sub>2</sub></jats:p>", "<math><mi>x</mi></math>", "&amp;<b>", "<</>", "{}\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := FromMarkup(s); !Balanced(got) {
			t.Errorf("FromMarkup(%q) = %q does not balance", s, got)
		}
	})
}

func TestFromMarkupBraces(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"{", `{\textbraceleft}`},
		{"a} b {c", `a{\textbraceright} b {\textbraceleft}c`},
		{"<math><mi>{</mi></math>", `$\lbrace$`},
	} {
		got := FromMarkup(tc.in)
		if got != tc.want || !Balanced(got) {
			t.Errorf("FromMarkup(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if Plain(got) != Plain(FromMarkup(tc.in)) {
			t.Errorf("Plain(%q) = %q", got, Plain(got))
		}
	}
	if got := Plain(FromMarkup("a} b {c")); got != "a} b {c" {
		t.Errorf("Plain(FromMarkup) = %q", got)
	}
}
