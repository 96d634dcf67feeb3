package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndSearchSuggestions types tag: words in the search field of the real window: the
// library's tags show under the field while typing goes on, Down and Up move in them, Enter and
// a click complete the word, and Escape closes them; without them Down and Enter still reach
// the results.
func TestEndToEndSearchSuggestions(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	w.click("search")
	w.typeText("tag:contr")
	st := w.waitFor("the suggestions", func(s app.ProbeState) bool { return s.SearchText == "tag:contr" && len(s.Suggestions) > 0 })
	if st.Suggested != "contrastive learning" || st.Focused != "search" {
		t.Errorf("tag:contr suggests %v, %q first, with the focus on %q", st.Suggestions, st.Suggested, st.Focused)
	}
	for _, name := range st.Suggestions {
		if !strings.Contains(strings.ToLower(name), "contr") || len(st.Suggestions) > 8 {
			t.Errorf("tag:contr suggests %q among %d", name, len(st.Suggestions))
		}
	}
	field, first := st.Widgets["search"], st.Widgets["search-suggestion:"+st.Suggested]
	if first[1] < field[1]+field[3]-2 || first[0] < field[0]-2 || first[0] > field[0]+2 {
		t.Errorf("the first suggestion is at %v, the field at %v: not under it", first, field)
	}
	w.screenshot("search-suggestions.png")

	// Typing goes on in the field, and the suggestions follow it.
	w.typeText("a")
	st = w.waitFor("the suggestions for tag:contra", func(s app.ProbeState) bool {
		return s.SearchText == "tag:contra" && len(s.Suggestions) > 0 && s.Focused == "search"
	})
	if len(st.Suggestions) > 1 {
		w.key("Down")
		w.waitFor("Down: the second suggestion", func(s app.ProbeState) bool { return s.Suggested == st.Suggestions[1] && s.Focused == "search" })
		w.key("Up")
		w.waitFor("Up: the first again", func(s app.ProbeState) bool { return s.Suggested == st.Suggestions[0] })
	}
	w.key("Return")
	want := lib.keys(t, `tag:"contrastive learning"`)
	w.waitFor("Enter: the word completed, quoted", func(s app.ProbeState) bool {
		return s.SearchText == `tag:"contrastive learning" ` && len(s.Suggestions) == 0 && s.Focused == "search" &&
			s.Settled && s.Query == s.SearchText && s.Rows == len(want)
	})

	// A click takes a suggestion; the field keeps the focus and the cursor follows the word.
	w.key("minus") // xdotool type reads a leading - as an option
	w.typeText("tag:atten")
	w.waitFor("the suggestions for tag:atten", func(s app.ProbeState) bool {
		_, ok := s.Widgets["search-suggestion:attention"]
		return s.SearchText == `tag:"contrastive learning" -tag:atten` && ok
	})
	w.click("search-suggestion:attention")
	done := `tag:"contrastive learning" -tag:attention `
	want = lib.keys(t, done)
	w.waitFor("the click: the word completed", func(s app.ProbeState) bool {
		return s.SearchText == done && s.SearchCursor == len(done) && len(s.Suggestions) == 0 &&
			s.Focused == "search" && s.Settled && s.Query == done && s.Rows == len(want)
	})

	// Escape closes the suggestions and leaves the text as it is; typing goes on.
	w.typeText("tag:a")
	w.waitFor("the suggestions for tag:a", func(s app.ProbeState) bool { return len(s.Suggestions) > 0 && s.SearchText == done+"tag:a" })
	w.key("Escape")
	w.waitFor("Escape: no suggestions, the text kept", func(s app.ProbeState) bool {
		return len(s.Suggestions) == 0 && s.SearchText == done+"tag:a" && s.Focused == "search"
	})
	// A second Escape clears the search, as Zotero's and JabRef's does: the whole library again.
	w.key("Escape")
	w.waitFor("a second Escape: the search cleared", func(s app.ProbeState) bool {
		return s.SearchText == "" && s.Query == "" && s.Settled && s.Rows == 57 && s.Focused == "search"
	})

	// Without suggestions, Down and Enter hand the focus to the results.
	w.key("ctrl+a", "BackSpace")
	w.typeText("tag:attention")
	w.waitFor("the search for a whole tag, no suggestions", func(s app.ProbeState) bool {
		return s.Settled && s.Query == "tag:attention" && len(s.Suggestions) == 0 && s.Rows > 0
	})
	w.key("Down")
	w.waitFor("Down: the first result, focused", func(s app.ProbeState) bool {
		return s.Focused == "list" && len(s.Selected) == 1
	})
	w.click("search")
	w.key("End", "Return")
	w.waitFor("Enter: the results focused", func(s app.ProbeState) bool { return s.Focused == "list" && len(s.Suggestions) == 0 })
}

// TestEndToEndTitleColumn resizes the real window: the Title column takes the width the other
// columns leave in the list, and the list the width the panes beside it do not need. The
// pointer resting on a title cut short shows it whole; a click through that box selects the
// row under it, and leaving the cell or scrolling takes it away.
func TestEndToEndTitleColumn(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, map[string]any{"list.columns": "title,authors,year"})
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	// fills checks that the title and the columns after it reach the list's right edge.
	fills := func(st app.ProbeState) {
		t.Helper()
		list, title, year := st.Widgets["list"], st.Widgets["column:title"], st.Widgets["column:year"]
		if right := year[0] + year[2]; right < list[0]+list[2]-12 || right > list[0]+list[2] {
			t.Errorf("in a window of %v the columns end at %d, the list at %d (title %v)", st.Size, right, list[0]+list[2], title)
		}
	}
	fills(st)
	before := st.Widgets["column:title"][2]
	pane := st.Widgets["pane"][2]
	w.xdo("windowsize", strconv.FormatUint(st.Window, 10), "1600", "1000")
	st = w.steady("the window resized", func(s app.ProbeState) bool { return s.Size == [2]int{1600, 1000} })
	fills(st)
	if grew := st.Widgets["column:title"][2] - before; grew < 200 {
		t.Errorf("320 more pixels of window gave the title %d", grew)
	}
	if p := st.Widgets["pane"][2]; p < pane || p > pane+60 {
		t.Errorf("the entry pane went from %d to %d wide: the list should take the width", pane, p)
	}
	w.xdo("windowsize", strconv.FormatUint(st.Window, 10), "1024", "700")
	st = w.steady("the window at 1024x700", func(s app.ProbeState) bool { return s.Size == [2]int{1024, 700} })
	if list := st.Widgets["list"][2]; list < 500 {
		t.Errorf("at 1024x700 the list is %d wide", list)
	}
	if _, ok := st.Widgets["column:year"]; !ok {
		t.Errorf("at 1024x700 the Year column is out of view: %v", st.Widgets)
	}

	// The longest title in view is cut at this width.
	var key string
	for k, cells := range st.Cells {
		if _, ok := st.Widgets["row:"+k]; ok && (key == "" || len(cells["title"]) > len(st.Cells[key]["title"])) {
			key = k
		}
	}
	hover := func(name string) {
		t.Helper()
		x, y := st.Widgets[name].Center()
		w.xdo("mousemove", "--window", strconv.FormatUint(st.Window, 10), strconv.Itoa(x), strconv.Itoa(y))
	}
	hover("row:" + key)
	// Steady: the box is placed under its row in the frame after it shows.
	st = w.steady("the whole title", func(s app.ProbeState) bool { return s.Tip != "" })
	if st.Tip != st.Cells[key]["title"] {
		t.Errorf("the tip shows %q, the row %q", st.Tip, st.Cells[key]["title"])
	}
	w.screenshot("title-tip.png")

	// A click on the box selects the row under it.
	tip := st.Widgets["tip"]
	under, x, y := "", tip[0]+20, 0
	for name, r := range st.Widgets {
		if k, ok := strings.CutPrefix(name, "row:"); ok && k != key {
			if _, cy := r.Center(); cy > tip[1] && cy < tip[1]+tip[3] {
				under, y = k, cy
			}
		}
	}
	if under == "" {
		t.Fatalf("no row under the tip at %v", tip)
	}
	time.Sleep(400 * time.Millisecond) // no double click with the last click
	w.xdo("mousemove", "--window", strconv.FormatUint(st.Window, 10), strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	w.waitFor("the row under the tip selected", func(s app.ProbeState) bool {
		return s.Tip == "" && slices.Equal(s.Selected, []string{under}) && s.Entry == under
	})

	// A click on the cell itself selects its row.
	hover("row:" + key)
	w.waitFor("the tip again", func(s app.ProbeState) bool { return s.Tip != "" })
	w.click("row:" + key)
	w.waitFor("the row selected", func(s app.ProbeState) bool {
		return s.Tip == "" && slices.Equal(s.Selected, []string{key}) && s.Entry == key
	})

	// Leaving the cell takes the tip away, and so does scrolling.
	hover("search")
	hover("row:" + key)
	w.waitFor("the tip again", func(s app.ProbeState) bool { return s.Tip != "" })
	hover("search")
	w.waitFor("the tip gone with the pointer", func(s app.ProbeState) bool { return s.Tip == "" })
	hover("row:" + key)
	w.waitFor("the tip again", func(s app.ProbeState) bool { return s.Tip != "" })
	w.xdo("click", "5")
	w.waitFor("the tip gone with the scroll", func(s app.ProbeState) bool { return s.Tip == "" })
}
