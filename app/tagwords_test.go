package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/google/go-cmp/cmp"
)

func TestTagWordAt(t *testing.T) {
	// The cursor is at the | of each query.
	tests := []struct {
		query string
		want  tagWord // zero: no tag word at the cursor
	}{
		{"tag:co|", tagWord{start: 0, head: "tag:", typed: "co"}},
		{"graph tag:co|", tagWord{start: 6, head: "tag:", typed: "co"}},
		{"-tag:ml/|", tagWord{start: 0, head: "-tag:", typed: "ml/"}},
		{"TAG:Att|", tagWord{start: 0, head: "TAG:", typed: "Att"}},
		{`tag:"contrastive le|`, tagWord{start: 0, head: "tag:", typed: "contrastive le"}},
		{`year:2020 tag:"a b|`, tagWord{start: 10, head: "tag:", typed: "a b"}},
		{"tag:co| year:2020", tagWord{start: 0, head: "tag:", typed: "co"}},
		{"tag:|", tagWord{}},           // nothing typed yet
		{`tag:"|`, tagWord{}},          // nor here
		{"tag:co |", tagWord{}},        // the word is over
		{`tag:"co"|`, tagWord{}},       // its quote is closed
		{"tag:c|o", tagWord{}},         // the cursor is inside the word
		{"author:co|", tagWord{}},      // another filter
		{"xtag:co|", tagWord{}},        // another filter's name
		{"co|", tagWord{}},             // a word
		{`"phrase tag:co|`, tagWord{}}, // inside an open phrase
		{`"a b" tag:x|`, tagWord{start: 6, head: "tag:", typed: "x"}},
		{`tag:"a"tag:b|`, tagWord{start: 7, head: "tag:", typed: "b"}}, // a closed quote ends a word
		{"", tagWord{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			cursor := strings.Index(tt.query, "|")
			query := strings.Replace(tt.query, "|", "", 1)
			if cursor < 0 {
				cursor = 0
			}
			got, ok := tagWordAt(query, cursor)
			want := tt.want
			if ok != (want != tagWord{}) {
				t.Fatalf("tagWordAt(%q, %d) = %+v, %v", query, cursor, got, ok)
			}
			if ok {
				want.end = cursor
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(tagWord{})); ok && diff != "" {
				t.Errorf("tagWordAt(%q, %d) (-want +got):\n%s", query, cursor, diff)
			}
		})
	}
}

func TestTagWordComplete(t *testing.T) {
	tests := []struct {
		query, tag string
		want       string // the cursor at its |
	}{
		{"tag:co|", "computational geometry", `tag:"computational geometry" |`},
		{"graph tag:att|", "attention", "graph tag:attention |"},
		{"-tag:ml/|", "ml/contrastive", "-tag:ml/contrastive |"},
		{`tag:"contrastive le|`, "contrastive learning", `tag:"contrastive learning" |`},
		{"tag:co| year:2020", "CLIP", "tag:CLIP |year:2020"},
		{"TAG:é|", "éte d'ici", `TAG:"éte d'ici" |`},
		{"tag:ci|", `c"s`, `tag:c"s |`}, // a quote inside a word needs no quotes
	}
	for _, tt := range tests {
		t.Run(tt.query+" "+tt.tag, func(t *testing.T) {
			cursor := strings.Index(tt.query, "|")
			query := strings.Replace(tt.query, "|", "", 1)
			w, ok := tagWordAt(query, cursor)
			if !ok {
				t.Fatalf("no tag word in %q", query)
			}
			text, col := w.complete(query, tt.tag)
			r := []rune(text)
			got := string(r[:col]) + "|" + string(r[col:])
			if got != tt.want {
				t.Errorf("completing %q with %q gives %q, want %q", tt.query, tt.tag, got, tt.want)
			}
		})
	}
}

func TestQueryTag(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"ml", "ml", true},
		{"ml/contrastive", "ml/contrastive", true},
		{"contrastive learning", `"contrastive learning"`, true},
		{"ml/deep learning", `"ml/deep learning"`, true},
		{`c"s`, `c"s`, true},
		{`"quoted"`, "", false}, // read as a quoted word
		{`say "hi"`, "", false}, // needs quotes, and its quote would end them
	}
	for _, tt := range tests {
		got, ok := queryTag(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("queryTag(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchTags(t *testing.T) {
	names := []string{"attention", "Contrastive learning", "ml/contrastive", "self-attention", "CLIP", "clustering"}
	tests := []struct {
		typed string
		want  []string
	}{
		{"att", []string{"attention", "self-attention"}},
		{"CONTR", []string{"Contrastive learning", "ml/contrastive"}},
		{"cl", []string{"CLIP", "clustering"}},
		{"zzz", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, matchTags(names, tt.typed)); diff != "" {
			t.Errorf("matchTags(%q) (-want +got):\n%s", tt.typed, diff)
		}
	}
}

func TestTagSuggestions(t *testing.T) {
	var names []string
	for _, c := range "abcdefghij" {
		names = append(names, "topic "+string(c))
	}
	w, _ := tagWordAt("tag:top", 7)
	if got := tagSuggestions(names, w, "tag:top"); len(got) != maxTagSuggestions || got[0] != "topic a" {
		t.Errorf("ten matches suggest %v, want the first %d", got, maxTagSuggestions)
	}
	// A tag typed whole, and the only match, needs no suggestion.
	w, _ = tagWordAt("tag:attention", 13)
	if got := tagSuggestions([]string{"attention", "clip"}, w, "tag:attention"); got != nil {
		t.Errorf("tag:attention suggests %v", got)
	}
	// Tags the query cannot write are left out.
	w, _ = tagWordAt("tag:say", 7)
	if got := tagSuggestions([]string{`say "hi"`, "saying"}, w, "tag:say"); !cmp.Equal(got, []string{"saying"}) {
		t.Errorf("tag:say suggests %v", got)
	}
}

// TestSearchFieldSuggests types in the search field with the test driver: the suggestions show
// for a tag: word, the keys move in them, Enter completes the word and Escape closes them
// without touching the text.
func TestSearchFieldSuggests(t *testing.T) {
	u, _ := newTestUI(t)
	eventually(t, "the sidebar's tags", func() bool { return len(u.sidebar.tagNames()) > 0 })
	var shown []string
	fyneDoAndWait(func() {
		u.win.Canvas().Focus(u.search)
		test.Type(u.search, "graph tag:contr")
		if u.search.box.Visible() {
			shown = u.search.box.names
		}
	})
	if len(shown) == 0 || shown[0] != "contrastive learning" {
		t.Fatalf("tag:contr suggests %v", shown)
	}
	fyneDoAndWait(func() {
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	var text string
	var open bool
	var focused fyne.Focusable
	fyneDoAndWait(func() { text, open, focused = u.search.Text, u.search.box.Visible(), u.win.Canvas().Focused() })
	if text != `graph tag:"contrastive learning" ` || open || focused != u.search {
		t.Errorf("Enter left %q (suggestions shown %v), the focus on %T", text, open, focused)
	}
	fyneDoAndWait(func() {
		test.Type(u.search, "tag:att")
		open = u.search.box.Visible()
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		text = u.search.Text
	})
	if !open || text != `graph tag:"contrastive learning" tag:att` {
		t.Errorf("tag:att: suggestions shown %v; Escape left %q", open, text)
	}
	fyneDoAndWait(func() { open = u.search.box.Visible() })
	if open {
		t.Error("Escape left the suggestions open")
	}
	// A second Escape, and Enter after it, leave them closed: they are not edits.
	fyneDoAndWait(func() {
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		open = u.search.box.Visible()
	})
	if open {
		t.Error("a second Escape opened the suggestions again")
	}
	fyneDoAndWait(func() {
		u.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		open = u.search.box.Visible()
	})
	if open {
		t.Error("Enter after Escape opened the suggestions again")
	}
}
