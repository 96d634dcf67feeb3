package bibtest

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/nickng/bibtex"

	"github.com/bibshelf/bibshelf/bib"
)

// synthN is large enough for the distribution checks to be stable and small enough for the
// oracle, which is slow, to read the whole file.
const synthN = 5000

func synthFile(t testing.TB, n int, seed uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Synthetic(&b, n, seed); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSyntheticDeterministic(t *testing.T) {
	a, b := synthFile(t, 500, 1), synthFile(t, 500, 1)
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different output")
	}
	if bytes.Equal(a, synthFile(t, 500, 2)) {
		t.Fatal("another seed gave the same output")
	}
	// Benchmarks at several sizes compare the same entries: a smaller library is a prefix.
	if small := synthFile(t, 100, 1); !bytes.HasPrefix(a, small) {
		t.Error("the first 100 entries depend on n")
	}
	if got := synthFile(t, 0, 1); len(got) != 0 {
		t.Errorf("n = 0 wrote %d bytes", len(got))
	}
}

type synthFailWriter struct{ n int }

var errSynthFull = errors.New("disk full")

func (w *synthFailWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > 100_000 {
		return 0, errSynthFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestSyntheticWriteError(t *testing.T) {
	err := Synthetic(&synthFailWriter{}, 1000, 1)
	if !errors.Is(err, errSynthFull) {
		t.Fatalf("got %v, want the writer's error", err)
	}
}

func TestSyntheticParses(t *testing.T) {
	src := synthFile(t, synthN, 1)
	if !utf8.Valid(src) {
		t.Fatal("output is not UTF-8")
	}
	for _, c := range "%#" {
		if i := bytes.IndexRune(src, c); i >= 0 {
			t.Errorf("%q at offset %d: %q", c, i, src[max(i-40, 0):min(i+40, len(src))])
		}
	}
	if got := bytes.Count(src, []byte("@")); got != synthN {
		t.Errorf("%d @ signs, want one per entry (%d)", got, synthN)
	}
	f := bib.Parse("synth.bib", src)
	for i, p := range f.Problems {
		if i == 10 {
			t.Fatalf("... %d problems in all", len(f.Problems))
		}
		t.Error(p)
	}
	es := f.Entries()
	if len(es) != synthN {
		t.Fatalf("got %d entries, want %d", len(es), synthN)
	}
	keys := map[string]string{}
	for _, e := range es {
		k := strings.ToLower(e.Key)
		if prev, dup := keys[k]; dup {
			t.Errorf("key %q repeats %q", e.Key, prev)
		}
		keys[k] = e.Key
		for _, fl := range e.Fields {
			if fl.Raw[0] != '{' || fl.Duplicate || strings.ContainsRune(fl.Value, '@') {
				t.Errorf("%s: field %s = %s", e.Key, fl.Name, fl.Raw)
			}
		}
		if e.Get("title") == "" || e.Get("author") == "" && e.Get("editor") == "" {
			t.Errorf("%s has no title or no author", e.Key)
		}
	}
	// The output is in the writer's canonical form: rewriting every entry changes nothing.
	for _, opts := range []bib.WriteOptions{{}, {Reformat: true}} {
		var out bytes.Buffer
		if err := bib.WriteFile(&out, f, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), src) {
			t.Errorf("WriteFile with %+v changes the generated file", opts)
		}
	}
}

// TestSyntheticOracle has github.com/nickng/bibtex read the whole generated file: it must find
// the same entries, with the same keys, types and field values.
func TestSyntheticOracle(t *testing.T) {
	src := synthFile(t, synthN, 7)
	synthResetOracle()
	theirs, err := bibtex.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("the oracle fails: %v", err)
	}
	ours := bib.Parse("synth.bib", src).Entries()
	if len(theirs.Entries) != len(ours) {
		t.Fatalf("the oracle read %d entries, the parser %d", len(theirs.Entries), len(ours))
	}
	for i, e := range ours {
		o := theirs.Entries[i]
		if e.Key != o.CiteName || e.Type != o.Type {
			t.Errorf("entry %d: ours %s/%s, oracle %s/%s", i, e.Type, e.Key, o.Type, o.CiteName)
			continue
		}
		want := map[string]string{}
		for name, v := range o.Fields {
			want[strings.ToLower(name)] = v.String()
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Name] = f.Value
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entry %s (-oracle +ours):\n%s", e.Key, diff)
		}
	}
}

// synthResetOracle clears the state nickng/bibtex keeps in package variables between calls: an
// input it failed on earlier (TestOracle feeds it some) can leave it reading "{" as the start of
// a value, and then it rejects the next file at its first entry. The "," it reads here after
// the "@" resets that state; the syntax error is expected.
func synthResetOracle() {
	_, _ = bibtex.Parse(strings.NewReader("@,"))
}

func TestSyntheticDistributions(t *testing.T) {
	es := bib.Parse("synth.bib", synthFile(t, synthN, 3)).Entries()
	share := func(pred func(e *bib.Entry) bool) float64 {
		n := 0
		for _, e := range es {
			if pred(e) {
				n++
			}
		}
		return float64(n) / float64(len(es))
	}
	has := func(name string) func(*bib.Entry) bool {
		return func(e *bib.Entry) bool { return e.Field(name) != nil }
	}
	isType := func(typ string) func(*bib.Entry) bool {
		return func(e *bib.Entry) bool { return e.Type == typ }
	}
	for _, c := range []struct {
		what   string
		pred   func(*bib.Entry) bool
		lo, hi float64
	}{
		{"article", isType("article"), 0.35, 0.55},
		{"inproceedings", isType("inproceedings"), 0.25, 0.45},
		{"book", isType("book"), 0.02, 0.08},
		{"phdthesis", isType("phdthesis"), 0.01, 0.05},
		{"misc", isType("misc"), 0.02, 0.08},
		{"abstract", has("abstract"), 0.5, 0.7},
		{"keywords", has("keywords"), 0.3, 0.5},
		{"doi", has("doi"), 0.4, 0.6},
		{"url", has("url"), 0.2, 0.4},
		{"month", has("month"), 0.2, 0.4},
		{"and others", func(e *bib.Entry) bool { return strings.HasSuffix(e.Get("author"), " and others") }, 0.005, 0.05},
	} {
		got := share(c.pred)
		if got < c.lo || got > c.hi {
			t.Errorf("%s: share %.3f, want %.2f to %.2f", c.what, got, c.lo, c.hi)
		}
		t.Logf("%s: %.3f", c.what, got)
	}

	var counts, years []int
	names, latex, raw, von := 0, 0, 0, 0
	for _, e := range es {
		people := bib.SplitNames(synthPeople(e))
		if people[len(people)-1] == "others" {
			people = people[:len(people)-1]
		}
		counts = append(counts, len(people))
		for _, p := range people {
			names++
			switch {
			case strings.ContainsRune(p, '\\'):
				latex++
			case !synthIsASCII(p):
				raw++
			}
			for _, w := range strings.Fields(p) {
				if w == "van" || w == "von" || w == "de" || w == "da" || w == "di" || w == "del" || w == "dos" || w == "le" {
					von++
					break
				}
			}
		}
		y := 0
		for _, c := range e.Get("year") {
			y = y*10 + int(c-'0')
		}
		if e.Field("year") != nil {
			years = append(years, y)
		}
		if n := len(strings.Fields(e.Get("title"))); n < 4 || n > 18 {
			t.Errorf("%s: %d title words: %s", e.Key, n, e.Get("title"))
		}
		if a := e.Get("abstract"); a != "" {
			if n := len(strings.Fields(a)); n < 50 || n > 300 {
				t.Errorf("%s: %d abstract words", e.Key, n)
			}
		}
		if k := e.Get("keywords"); k != "" {
			if n := len(strings.Split(k, ", ")); n < 2 || n > 5 {
				t.Errorf("%s: %d keywords: %s", e.Key, n, k)
			}
		}
	}
	slices.Sort(counts)
	if med := counts[len(counts)/2]; med < 2 || med > 4 {
		t.Errorf("median author count %d, want 2 to 4", med)
	}
	if counts[0] < 1 || counts[len(counts)-1] > 12 {
		t.Errorf("author counts from %d to %d, want 1 to 12", counts[0], counts[len(counts)-1])
	}
	if tail := counts[len(counts)*95/100]; tail < 6 {
		t.Errorf("95th percentile of author counts %d: no long tail", tail)
	}
	for _, c := range []struct {
		what   string
		n      int
		lo, hi float64
	}{
		{"LaTeX-accented names", latex, 0.03, 0.07},
		{"UTF-8 names", raw, 0.03, 0.07},
		{"von particles", von, 0.01, 0.06},
	} {
		got := float64(c.n) / float64(names)
		if got < c.lo || got > c.hi {
			t.Errorf("%s: share %.3f of names, want %.2f to %.2f", c.what, got, c.lo, c.hi)
		}
		t.Logf("%s: %.3f of names", c.what, got)
	}
	slices.Sort(years)
	if years[0] < 1950 || years[len(years)-1] > 2026 {
		t.Errorf("years from %d to %d, want 1950 to 2026", years[0], years[len(years)-1])
	}
	if med := years[len(years)/2]; med < 2012 || med > 2022 {
		t.Errorf("median year %d: not skewed to recent work", med)
	}

	// Venues are shared, as in real libraries.
	journals := map[string]int{}
	for _, e := range es {
		if e.Type == "article" {
			journals[e.Get("journal")]++
		}
	}
	if len(journals) < 50 || len(journals) > 120 {
		t.Errorf("%d distinct journals", len(journals))
	}

	// Near-duplicates: the title (in any case) and first author of an earlier entry.
	seen := map[[2]string]bool{}
	dups := 0
	for _, e := range es {
		k := [2]string{strings.ToLower(e.Get("title")), bib.SplitNames(synthPeople(e))[0]}
		if seen[k] {
			dups++
		}
		seen[k] = true
	}
	if got := float64(dups) / float64(len(es)); got < 0.01 || got > 0.03 {
		t.Errorf("near-duplicates: share %.3f, want about 0.02", got)
	}
	t.Logf("median authors %d, 95th percentile %d; median year %d; %d journals; %d near-duplicates",
		counts[len(counts)/2], counts[len(counts)*95/100], years[len(years)/2], len(journals), dups)
}

// synthPeople returns the authors, or the editors of a book that has no authors.
func synthPeople(e *bib.Entry) string {
	if a := e.Get("author"); a != "" {
		return a
	}
	return e.Get("editor")
}

func synthIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// TestSyntheticNamePools checks that every family name gives a citation key, and that the LaTeX
// spellings are well formed.
func TestSyntheticNamePools(t *testing.T) {
	var last []string
	last = append(last, synthFamily...)
	for _, p := range synthAccentedFamily {
		last = append(last, p[0])
	}
	for _, p := range synthVonFamily {
		last = append(last, p[1])
	}
	for _, s := range last {
		k := string(synthFold(nil, s))
		if len(k) < 2 || strings.ToLower(k) != k || !synthIsASCII(k) {
			t.Errorf("%q folds to key %q", s, k)
		}
	}
	for _, p := range append(slices.Clone(synthAccentedFamily), synthAccentedGiven...) {
		if !bib.Balanced(p[0]) || !strings.Contains(p[0], `\`) || synthIsASCII(p[1]) {
			t.Errorf("pair %q, %q", p[0], p[1])
		}
	}
	for _, tc := range []struct{ in, want string }{
		{`Erd{\H{o}}s`, "erdos"},
		{`Garc{\'\i}a`, "garcia"},
		{`{\L}ukasiewicz`, "lukasiewicz"},
		{`Gau{\ss}`, "gauss"},
		{`{\AA}ngstr{\"o}m`, "angstrom"},
		{"O'Brien", "obrien"},
	} {
		if got := string(synthFold(nil, tc.in)); got != tc.want {
			t.Errorf("synthFold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSynthKeySuffix(t *testing.T) {
	var got []string
	for _, i := range []int{1, 2, 26, 27, 28, 52, 53, 702, 703} {
		got = append(got, string(synthKeySuffix(nil, i)))
	}
	want := []string{"a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func BenchmarkSynthetic100k(b *testing.B) {
	var size synthCounter
	if err := Synthetic(&size, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := Synthetic(io.Discard, 100_000, 1); err != nil {
			b.Fatal(err)
		}
	}
}

type synthCounter int

func (w *synthCounter) Write(p []byte) (int, error) {
	*w += synthCounter(len(p))
	return len(p), nil
}
