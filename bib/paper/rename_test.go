package paper

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRenameKey(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string
	}{
		{"plain", `\cite{knuth84}`, `\cite{knuth1984}`},
		{"among others", "\\citep[p.~3]{a, knuth84,b} and \\textcites[x]{c}[y]{knuth84}", "\\citep[p.~3]{a, knuth1984,b} and \\textcites[x]{c}[y]{knuth1984}"},
		{"case", `\cite{Knuth84}`, `\cite{knuth1984}`},
		{"contains it", `\cite{knuth84a,aknuth84,knuth84-2}`, `\cite{knuth84a,aknuth84,knuth84-2}`},
		{"not in comments", "% \\cite{knuth84}\n\\cite{knuth84} % knuth84", "% \\cite{knuth84}\n\\cite{knuth1984} % knuth84"},
		{"not in verbatim", "\\verb|\\cite{knuth84}| \\begin{verbatim}\\cite{knuth84}\\end{verbatim}", "\\verb|\\cite{knuth84}| \\begin{verbatim}\\cite{knuth84}\\end{verbatim}"},
		{"not in other commands or text", `\label{knuth84} knuth84 \ref{knuth84} \cite[knuth84]{x}`, `\label{knuth84} knuth84 \ref{knuth84} \cite[knuth84]{x}`},
		{"spanning lines", "\\cite{a,\n  knuth84%\n}", "\\cite{a,\n  knuth1984%\n}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := RenameKey("t.tex", []byte(tt.src), "knuth84", "knuth1984")
			if string(got) != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if (len(changed) > 0) != (tt.src != tt.want) {
				t.Errorf("changed %v", changed)
			}
		})
	}
	// BibTeX folds ASCII letters only: ärzte2020 is another key than Ärzte2020.
	if got, changed := RenameKey("t.tex", []byte(`\cite{ärzte2020,ÄRZTE2020}`), "Ärzte2020", "aerzte2020"); string(got) != `\cite{ärzte2020,aerzte2020}` || len(changed) != 1 {
		t.Errorf("non-ASCII case: got %q, %v", got, changed)
	}
}

func TestDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	new := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\nm\nn"
	want := `--- x.tex
+++ x.tex
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -9,5 +9,6 @@
 i
 j
 k
-l
+L
 m
+n
\ No newline at end of file
`
	if diff := cmp.Diff(want, Diff("x.tex", "x.tex", []byte(old), []byte(new))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Diff("a", "b", []byte(old), []byte(old)); got != "" {
		t.Errorf("equal files: %q", got)
	}
	if got, want := Diff("a", "b", nil, []byte("x\n")), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"; got != want {
		t.Errorf("new file: %q, want %q", got, want)
	}
}

// TestDiffApplies checks that each diff turns old into new, for many pairs of texts.
func TestDiffApplies(t *testing.T) {
	words := []string{"a\n", "b\n", "c\n", "\\cite{x}\n", "d"}
	seed := uint32(1)
	rnd := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>16) % n }
	text := func() []byte {
		var b bytes.Buffer
		for range rnd(20) {
			b.WriteString(words[rnd(len(words)-1)])
		}
		if rnd(3) == 0 {
			b.WriteString(words[len(words)-1])
		}
		return b.Bytes()
	}
	for i := range 2000 {
		a, b := text(), text()
		d := Diff("a", "b", a, b)
		got, err := applyDiff(a, d)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("case %d: %v\nold %q\nnew %q\ngot %q\n%s", i, err, a, b, got, d)
		}
	}
}

// applyDiff applies a unified diff to old, as patch does.
func applyDiff(old []byte, d string) ([]byte, error) {
	if d == "" {
		return old, nil
	}
	a := splitLines(old)
	var out []byte
	next := 0 // the next line of a to copy
	lines := strings.SplitAfter(d, "\n")
	for i := 2; i < len(lines) && lines[i] != ""; i++ {
		l := lines[i]
		if strings.HasPrefix(l, "@@") {
			f := strings.Fields(l)
			r := strings.Split(strings.TrimPrefix(f[1], "-"), ",")
			start, _ := strconv.Atoi(r[0])
			if len(r) == 1 || r[1] != "0" {
				start--
			}
			for ; next < start; next++ {
				out = append(out, a[next]...)
			}
			continue
		}
		text := l[1:]
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
			text = strings.TrimSuffix(text, "\n")
			i++
		}
		switch l[0] {
		case ' ':
			out = append(out, text...)
			next++
		case '-':
			next++
		case '+':
			out = append(out, text...)
		}
	}
	for ; next < len(a); next++ {
		out = append(out, a[next]...)
	}
	return out, nil
}
