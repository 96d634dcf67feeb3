package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// keywordTags is what an import does with the words of keywords fields.
type keywordTags int

const (
	makeTags     keywordTags = iota // each word becomes a tag (the field stays as written)
	keepKeywords                    // the words stay in the field only
	cancelImport                    // nothing is imported
)

// askTagsFrom is the number of new tags from which an import asks before making them: one
// file of Nelson Beebe's made 250 tags at once and pushed Collections off the sidebar.
const askTagsFrom = 25

// scanTagsUpTo is the largest file whose new tags are counted before its import; a larger one
// makes its tags without asking (counting would parse it twice).
const scanTagsUpTo = 32 << 20

// askKeywordTags counts the tags a file's keywords fields would add to the library and, when
// they are many, asks whether to make them. It runs off the UI goroutine and waits for the
// answer.
func (f *importFlow) askKeywordTags(name string, size int, parse func() *bib.File) keywordTags {
	switch keywordsChoice.get(f.prefs) {
	case keywordsAlways:
		return makeTags
	case keywordsNever:
		return keepKeywords
	}
	if size > scanTagsUpTo {
		return makeTags
	}
	have, err := f.lib.Tags(context.Background())
	if err != nil {
		return makeTags // the import says what is wrong with the library
	}
	n := newKeywordTags(parse(), have)
	if n < askTagsFrom {
		return makeTags
	}
	answer := make(chan keywordTags, 1)
	fyneDo(func() { f.showKeywordTagsQuestion(name, n, answer) })
	return <-answer
}

// newKeywordTags counts the distinct words of a file's keywords fields that are not tags of
// the library yet, as the import splits them.
func newKeywordTags(f *bib.File, have []storage.Tag) int {
	known := map[string]bool{}
	for _, t := range have {
		known[strings.ToLower(t.Name)] = true
	}
	n := 0
	for _, e := range f.Entries() {
		for _, w := range bib.SplitKeywords(bib.Plain(e.Get("keywords")), "") {
			if k := strings.ToLower(w); !known[k] {
				known[k] = true
				n++
			}
		}
	}
	return n
}

// showKeywordTagsQuestion asks whether an import makes n new tags, and sends the answer.
func (f *importFlow) showKeywordTagsQuestion(name string, n int, answer chan<- keywordTags) {
	var d *dialog.CustomDialog
	answered := false
	reply := func(a keywordTags) {
		if !answered {
			answered = true
			answer <- a
		}
	}
	msg := widget.NewLabel(fmt.Sprintf("The keywords fields of %s hold %s words that are not tags yet. "+
		"Make a tag of each? The keywords stay in the fields either way.", filepath.Base(name), thousands(n)))
	msg.Wrapping = fyne.TextWrapWord
	tags := widget.NewButton(fmt.Sprintf("Make %s Tags", thousands(n)), func() { reply(makeTags); d.Hide() })
	keep := widget.NewButton("Keep Them as Keywords Only", func() { reply(keepKeywords); d.Hide() })
	keep.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel Import", func() { reply(cancelImport); d.Hide() })
	d = dialog.NewCustomWithoutButtons("Keywords to Tags", msg, f.win)
	d.SetButtons([]fyne.CanvasObject{cancel, tags, keep})
	d.SetOnClosed(func() { reply(cancelImport) }) // Escape
	d.Resize(fyne.NewSize(560, 0))
	f.probe(msg, cancel, tags, keep)
	f.dialogs.show(d)
}
