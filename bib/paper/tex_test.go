package paper

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cite is a citation as the tests write it: key@line:col/command.
func cites(src *Source) []string {
	var out []string
	for _, c := range src.Citations {
		out = append(out, c.Key+"@"+strings.TrimPrefix(c.Pos.String(), "t.tex:")+"/"+c.Command)
	}
	return out
}

func TestScanTeXCitations(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		// JabRef's DefaultTexParserTest (jablib/src/test/java/org/jabref/logic/texparser).
		{"jabref pre post", `\cite[pre][post]{UnresolvedKey}`, []string{"UnresolvedKey@1:18/cite"}},
		{"jabref starred", `\cite*{UnresolvedKey}`, []string{"UnresolvedKey@1:8/cite"}},
		{"jabref parencite", `\parencite[post]{UnresolvedKey}`, []string{"UnresolvedKey@1:18/parencite"}},
		{"jabref citep", `\citep{Einstein1920c}`, []string{"Einstein1920c@1:8/citep"}},
		{"jabref Autocite", `\Autocite{Einstein1920c}`, []string{"Einstein1920c@1:11/Autocite"}},
		{"jabref blockcquote", `\blockcquote[p. 28]{Darwin1888}{some text}`, []string{"Darwin1888@1:21/blockcquote"}},
		{"jabref textcquote", `\textcquote[p. 18]{Darwin1888}{blablabla}`, []string{"Darwin1888@1:20/textcquote"}},
		{"jabref two on a line", `\citep{Einstein1920c} and \citep{Einstein1920a}`, []string{"Einstein1920c@1:8/citep", "Einstein1920a@1:34/citep"}},
		{"jabref CRLF", "\\cite{Darwin1888}\r\n\\cite{Einstein1920}", []string{"Darwin1888@1:7/cite", "Einstein1920@2:7/cite"}},
		{"jabref not a command", `\citet21312{123U123n123resolvedKey} \1cite[pr234e][post]{UnresolvedKey} \citep55{5}UnresolvedKey} \cit2et{UnresolvedKey}`, nil},
		{"jabref utf-8", `Danach wir anschließend mittels \cite{anykey}.`, []string{"anykey@1:40/cite"}},
		// natbib's documentation (natbib.pdf, section 2).
		{"natbib", `\citet[see][chap.~2]{jon90} \citealp{jon90,jam91} \citeyearpar{jon90} \Citet{dRob98} \citet*{jon90}`,
			[]string{"jon90@1:22/citet", "jon90@1:38/citealp", "jam91@1:44/citealp", "jon90@1:64/citeyearpar", "dRob98@1:78/Citet", "jon90@1:94/citet"}},
		// biblatex's manual, section 3.9.3 (multicite commands).
		{"biblatex multicite", `\cites(See)(and others)[45]{key1}[23]{key2}[115]{key3}.`,
			[]string{"key1@1:29/cites", "key2@1:39/cites", "key3@1:50/cites"}},
		{"multicite spanning lines", "\\textcites[p.~4]{a}\n  [ch.~2]{b}\nand more {c}", []string{"a@1:18/textcites", "b@2:11/textcites"}},
		{"volcite", `\volcite[see]{3}[45--48]{key} \Ftvolcite{2}{other}`, []string{"key@1:26/volcite", "other@1:45/Ftvolcite"}},
		{"keys with spaces and lines", "\\cite{ a ,\n  b,%comment, x\n c }", []string{"a@1:8/cite", "b@2:3/cite", "c@3:2/cite"}},
		{"command spanning lines", "\\citep\n  [p.~3]\n  {knuth84}", []string{"knuth84@3:4/citep"}},
		{"blank line ends it", "\\cite\n\n{knuth84}", nil},
		{"comment", "% \\cite{no}\nyes \\cite{yes} 50\\% \\cite{also} % \\cite{not}", []string{"yes@2:11/cite", "also@2:27/cite"}},
		{"verbatim", "\\begin{verbatim}\n\\cite{no}\n\\end{verbatim}\n\\begin{lstlisting}[x]\\cite{no}\\end{lstlisting}\\begin{minted}{latex}\n\\cite{no}\\end{minted} \\cite{yes}", []string{"yes@5:29/cite"}},
		{"comment environment", "\\begin{comment}\n\\cite{no}\n\\end{comment}\\cite{yes}", []string{"yes@3:20/cite"}},
		{"verb", `\verb|\cite{no}| \verb*+\cite{no}+ \cite{yes}`, []string{"yes@1:42/cite"}},
		{"macro parameter", `\newcommand\mycite[1]{\cite{#1}} \cite{\x}`, nil},
		{"nocite", `\nocite{a,*}`, []string{"a@1:9/nocite"}},
		{"other commands", `\ref{knuth84} \label{knuth84} \citestyle{aa} \citetext{knuth84}`, nil},
		{"unclosed", `\cite{a \cite[x{b} \cite{c}`, []string{"c@1:26/cite"}},
		{"apacite", `\citeA{a} \citeNP{b}`, []string{"a@1:8/citeA", "b@1:19/citeNP"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := cites(ScanTeX("t.tex", []byte(tt.src)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestScanTeXFiles(t *testing.T) {
	src := `\documentclass{article}
\usepackage[style=authoryear,backend=biber]{biblatex}
\addbibresource{refs.bib}
\addbibresource[location=remote]{http://example.org/x.bib}
\input{intro}  \input chapter2
\include{ch/three}
\subfile{parts/four}
\import{sections/}{five}
% \input{not}
\nocite{*}
\bibliography{a, b.bib}
`
	s := ScanTeX("t.tex", []byte(src))
	var incs []string
	for _, inc := range s.Includes {
		incs = append(incs, inc.Command+":"+inc.Dir+":"+inc.Name)
	}
	want := []string{"input::intro", "input::chapter2", "include::ch/three", "subfile::parts/four", "import:sections/:five"}
	if diff := cmp.Diff(want, incs); diff != "" {
		t.Errorf("includes (-want +got):\n%s", diff)
	}
	var bibs []string
	for _, b := range s.Bibs {
		bibs = append(bibs, b.Name)
	}
	if diff := cmp.Diff([]string{"refs.bib", "a", "b.bib"}, bibs); diff != "" {
		t.Errorf("bibs (-want +got):\n%s", diff)
	}
	if !s.BibLaTeX || !s.Root || len(s.NociteAll) != 1 || s.NociteAll[0].Line != 10 {
		t.Errorf("BibLaTeX %v, Root %v, NociteAll %v", s.BibLaTeX, s.Root, s.NociteAll)
	}
}
