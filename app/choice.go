package app

import (
	"slices"

	"fyne.io/fyne/v2"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// option is one value of a choice: what the preferences file stores, and what the window shows.
type option[T comparable] struct {
	name  string // stored; never changes once released
	label string
	value T
}

// choice is a preference with a fixed set of values, stored by name, so that reordering or
// extending the options never changes what a user chose. Releases before names were stored kept
// the option's index in the list (an int); such a setting is still read, by the list of that
// time, and written back as a name when the preferences are saved.
type choice[T comparable] struct {
	key     string
	options []option[T]
	def     T
	legacy  []T // the options' order when the setting was stored as an index
}

// get returns the setting's value: the default when it is unset or names no option.
func (c choice[T]) get(p fyne.Preferences) T {
	if name := p.String(c.key); name != "" {
		if i := slices.IndexFunc(c.options, func(o option[T]) bool { return o.name == name }); i >= 0 {
			return c.options[i].value
		}
		return c.def
	}
	if i := p.IntWithFallback(c.key, -1); i >= 0 && i < len(c.legacy) {
		return c.legacy[i]
	}
	return c.def
}

// set stores a value by its option's name.
func (c choice[T]) set(p fyne.Preferences, v T) {
	if i := slices.IndexFunc(c.options, func(o option[T]) bool { return o.value == v }); i >= 0 {
		p.SetString(c.key, c.options[i].name)
	}
}

// labels returns what the window shows for each option, in order.
func (c choice[T]) labels() []string {
	out := make([]string, len(c.options))
	for i, o := range c.options {
		out[i] = o.label
	}
	return out
}

// index returns the position of a value among the options; 0 when it is none of them.
func (c choice[T]) index(v T) int {
	return max(slices.IndexFunc(c.options, func(o option[T]) bool { return o.value == v }), 0)
}

// appearance is light or dark, or as the system is.
type appearance int

const (
	appearanceSystem appearance = iota
	appearanceLight
	appearanceDark
)

// keywordsPolicy is whether an import makes tags of keywords.
type keywordsPolicy int

const (
	keywordsAsk    keywordsPolicy = iota // make them, asking first when a file brings many
	keywordsAlways                       // make them
	keywordsNever                        // leave keywords in their fields only
)

var (
	// keywordsChoice is what an import does with the words of keywords fields.
	keywordsChoice = choice[keywordsPolicy]{
		key: prefKeywordTags,
		options: []option[keywordsPolicy]{
			{"ask", "Make tags of them; ask first when a file brings many new ones", keywordsAsk},
			{"always", "Make tags of them", keywordsAlways},
			{"never", "Keep them in the keywords field only", keywordsNever},
		},
		def: keywordsAsk,
	}
	// appearanceChoice is light or dark; as the system is, FYNE_THEME=light|dark can still choose.
	appearanceChoice = choice[appearance]{
		key: prefAppearance,
		options: []option[appearance]{
			{"system", "As the system is", appearanceSystem},
			{"light", "Light", appearanceLight},
			{"dark", "Dark", appearanceDark},
		},
		def: appearanceSystem,
	}
	// dialectChoice is the export format.
	dialectChoice = choice[bib.Dialect]{
		key: prefExportDialect,
		options: []option[bib.Dialect]{
			{bib.AsWritten.String(), "As written", bib.AsWritten},
			{bib.BibTeX.String(), "BibTeX (BibLaTeX fields mapped back)", bib.BibTeX},
			{bib.BibLaTeX.String(), "BibLaTeX (BibTeX fields mapped)", bib.BibLaTeX},
		},
		def:    bib.AsWritten,
		legacy: []bib.Dialect{bib.AsWritten, bib.BibTeX, bib.BibLaTeX},
	}
	// pdfsChoice is where a PDF added as a paper is kept.
	pdfsChoice = choice[bool]{
		key: prefKeepPDFs,
		options: []option[bool]{
			{"copy", "Copied into the library's attachments folder", false},
			{"link", "Linked where they are", true},
		},
		def: false,
	}
	// duplicatesChoice is what an import does with a paper the library has.
	duplicatesChoice = choice[storage.DuplicatePolicy]{
		key: prefDuplicates,
		options: []option[storage.DuplicatePolicy]{
			{"import", "Import them anyway (and report them)", storage.ImportDuplicates},
			{"skip", "Skip them", storage.SkipDuplicates},
			{"merge", "Merge them into the entry there", storage.MergeDuplicates},
		},
		def:    storage.ImportDuplicates,
		legacy: []storage.DuplicatePolicy{storage.ImportDuplicates, storage.SkipDuplicates, storage.MergeDuplicates},
	}
)
