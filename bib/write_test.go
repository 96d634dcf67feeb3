package bib

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/write")

// TestWriteGolden writes each testdata/write/*.bib reformatted, as BibLaTeX and as BibTeX, and
// compares with the .golden file next to it. Run with -update to accept a change, then read the
// diff.
func TestWriteGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/write/*.bib")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			f := Parse(filepath.Base(in), src)
			var b bytes.Buffer
			b.WriteString("% reformatted\n")
			if err := WriteFile(&b, f, WriteOptions{Reformat: true}); err != nil {
				t.Fatal(err)
			}
			for _, mode := range []struct {
				name string
				conv func(*Entry) *Entry
			}{{"biblatex", toBibLaTeX}, {"bibtex", toBibTeX}} {
				b.WriteString("\n% as " + mode.name + "\n")
				w := NewWriter(&b)
				for _, e := range f.Entries() {
					w.Entry(mode.conv(e))
				}
				w.Close()
			}
			b.WriteString("\n% problems\n")
			for _, p := range f.Problems {
				b.WriteString(p.Error() + "\n")
			}
			golden := strings.TrimSuffix(in, ".bib") + ".golden"
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update ./bib)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
			// What the writer wrote must read back to the same values.
			again := Parse("again", b.Bytes()[:bytes.Index(b.Bytes(), []byte("\n% as biblatex"))])
			for i, e := range f.Entries() {
				if diff := cmp.Diff(fieldValues(e), fieldValues(again.Entries()[i])); diff != "" {
					t.Errorf("entry %s changed when reformatted (-want +got):\n%s", e.Key, diff)
				}
			}
		})
	}
}

func fieldValues(e *Entry) []string {
	var vs []string
	for _, f := range e.Fields {
		vs = append(vs, f.Name+"="+f.Value)
	}
	return vs
}

func TestSet(t *testing.T) {
	// Without its Source the entry is written in the canonical form; with it, only the fields
	// set change in it: year = 2020 stays as written.
	for _, keep := range []bool{false, true} {
		e := Parse("s.bib", []byte("@article{k,\n  title = {T},\n  year = 2020,\n  custom = {c},\n}")).Entries()[0]
		if !keep {
			e.Source = ""
		}
		for _, kv := range [][2]string{{"author", "A. Author"}, {"Month", "Sep"}, {"doi", "10.1/x"}, {"zzz", "last"}, {"title", "New {T}itle"}} {
			if err := e.Set(kv[0], kv[1]); err != nil {
				t.Fatal(err)
			}
		}
		want := "@article{k,\n  author = {A. Author},\n  title = {New {T}itle},\n  year = {2020},\n  month = sep,\n  doi = {10.1/x},\n  custom = {c},\n  zzz = {last},\n}"
		if keep {
			want = strings.Replace(want, "{2020}", "2020", 1)
		}
		if got := Format(e); got != want {
			t.Errorf("keep source %v: got:\n%s\nwant:\n%s", keep, got, want)
		}
		if got := e.Get("month"); got != "September" {
			t.Errorf("month value = %q", got)
		}
	}
	e := Parse("s.bib", []byte("@article{k, title = {T}}")).Entries()[0]
	for _, bad := range []string{"{", "a}b{", `\}`} {
		if err := e.Set("note", bad); err == nil {
			t.Errorf("Set(note, %q): no error for unbalanced braces", bad)
		}
	}
}

func TestSetRaw(t *testing.T) {
	for _, tc := range []struct {
		name, src, field, raw, want string
	}{
		{"keeps the rest of the source", "@inproceedings{a,\n  Title   = {T},\n  CrossRef = \"conf\",  % the proceedings\n  year = 2001}", "crossref", "{confa}",
			"@inproceedings{a,\n  Title   = {T},\n  CrossRef = {confa},  % the proceedings\n  year = 2001}"},
		{"a field it lacks", "@article{a, title = {T}}", "crossref", "{c}", "@article{a,\n  title = {T},\n  crossref = {c},\n}"},
		{"the first of repeated fields", "@article{a, note = {1}, note = {2}}", "note", "{3}", "@article{a, note = {3}, note = {2}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Parse("t.bib", []byte(tc.src)).Entries()[0]
			if err := e.SetRaw(tc.field, tc.raw); err != nil {
				t.Fatal(err)
			}
			if got := Format(e); got != tc.want {
				t.Errorf("Format = %q, want %q", got, tc.want)
			}
			again := Parse("t.bib", []byte(Format(e))).Entries()[0]
			if got, want := again.Get(tc.field), e.Get(tc.field); got != want {
				t.Errorf("%s reads back as %q, want %q", tc.field, got, want)
			}
		})
	}
	e := Parse("t.bib", []byte("@article{a, title = {T}}")).Entries()[0]
	for _, bad := range []string{"{unclosed", "jn", `{a} # {b} x`} {
		if err := e.SetRaw("note", bad); err == nil {
			t.Errorf("SetRaw(%q) = nil, want an error", bad)
		}
	}
}

// TestDialectNames checks that ParseDialect reads what String writes, in any case, and refuses
// other names.
func TestDialectNames(t *testing.T) {
	for d, name := range map[Dialect]string{AsWritten: "as-written", BibTeX: "bibtex", BibLaTeX: "biblatex"} {
		if d.String() != name {
			t.Errorf("%d.String() = %q, want %q", int(d), d.String(), name)
		}
		for _, n := range []string{name, strings.ToUpper(name)} {
			if got, err := ParseDialect(n); err != nil || got != d {
				t.Errorf("ParseDialect(%q) = %v, %v", n, got, err)
			}
		}
	}
	if _, err := ParseDialect("ris"); err == nil {
		t.Error("ParseDialect(ris) did not fail")
	}
	if s := Dialect(7).String(); s != "Dialect(7)" {
		t.Errorf("Dialect(7).String() = %q", s)
	}
}
