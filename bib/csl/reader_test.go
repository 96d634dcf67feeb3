package csl

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// TestReaderAsParse reads files in every shape, broken ones too, with a Reader, asking for its
// problems on the way: it must give Parse's entries and problems.
func TestReaderAsParse(t *testing.T) {
	item := `{"id":"Q23571040","type":"article-journal","title":"Correlation \"[{\\","author":[{"given":"H. K.","family":"Hall"}],"issued":{"date-parts":[["1957","1","1"]]}}`
	srcs := map[string]string{
		"array": "[" + item + "]", "item": item, "items": `{"items": [` + item + `]}`,
		"same id":      `[{"id":"a","type":"book","title":"T"},` + "\n" + `{"id":"a","type":"book","title":"U"}]`,
		"syntax":       `[{"id":"a","type":"book"},` + "\n" + `{"id":"b", oops}]`,
		"not objects":  `[1, {"id":"has space","type":"book","medium":"CD"}]`,
		"cut":          `[{"id":"a"`,
		"empty":        ``,
		"after":        "  \n[\n" + item + ",\n\n" + item + "\n] junk",
		"no items":     "[]",
		"empty object": "{}",
		"not JSON":     "x",
		"items mixed":  `{"items": [` + item + `, 3, ` + item + `]}`,
		"BOM":          "\xef\xbb\xbf [" + item + "]",
		"unclosed":     "[" + item + "\n",
	}
	sample, err := os.ReadFile(filepath.Join("..", "..", "assets", "sample-library.bib"))
	if err != nil {
		t.Fatal(err)
	}
	var written bytes.Buffer
	if err := Write(&written, bib.Parse("sample.bib", sample).Entries()); err != nil {
		t.Fatal(err)
	}
	srcs["sample"] = written.String()
	for name, src := range srcs {
		want := Parse(name, []byte(src))
		r := NewReader(name, []byte(src))
		var items []bib.Item
		for it, ok := r.Next(); ok; it, ok = r.Next() {
			items = append(items, it)
			_ = r.Problems()
		}
		if !reflect.DeepEqual(items, want.Items) {
			t.Errorf("%s: the Reader gives %d items, Parse %d, or other ones", name, len(items), len(want.Items))
		}
		if got := r.Problems(); !reflect.DeepEqual(got, want.Problems) {
			t.Errorf("%s: the Reader's problems:\n%v\nParse's:\n%v", name, got, want.Problems)
		}
		if _, ok := r.Next(); ok {
			t.Errorf("%s: Next gives an item after the end", name)
		}
	}
	for name, n := range map[string]int{"array": 1, "item": 1, "items": 1, "after": 2, "items mixed": 2, "no items": 0, "empty": 0, "sample": len(Parse("", written.Bytes()).Items)} {
		if est := NewReader(name, []byte(srcs[name])).Estimate(); est != n {
			t.Errorf("%s: Estimate %d, want %d", name, est, n)
		}
	}
}

// FuzzEstimate checks Estimate, which passes over strings with bytes.IndexByte, against a
// byte-at-a-time reading of the same rules (the one it replaced).
func FuzzEstimate(f *testing.F) {
	for _, s := range []string{`[{"a":"b\"{"},{"c":"\\"},{}]`, `{"items":[{"x":"\\\"["},{}]}`, `[{"a":"\\\\\\"}]`, `["`, `[{"a":"b\\`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := NewReader("fuzz.json", src)
		if got, want := r.Estimate(), estimateBytewise(r); got != want {
			t.Errorf("Estimate(%q) = %d, byte by byte %d", src, got, want)
		}
	})
}

func estimateBytewise(r *Reader) int {
	var stack []byte
	depth, n := 0, 0
	inString, escaped := false, false
	for _, c := range r.p.src {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if c == '{' && (depth == 1 && stack[0] == '[' || depth == 2 && stack[0] == '{' && stack[1] == '[') {
				n++
			}
			if depth < 3 {
				stack = append(stack, c)
			}
			depth++
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			if depth < len(stack) {
				stack = stack[:depth]
			}
		}
	}
	if n == 0 && len(stack) == 0 && r.state == anObject {
		return 1
	}
	return n
}
