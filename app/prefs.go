package app

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
)

// keyPatterns are the key patterns offered; any other JabRef-style pattern can be typed.
var keyPatterns = []string{bib.PatternJabRef, bib.PatternBetterBibTeX, bib.PatternAuthorYearTitle}

// scales are the text sizes offered, in percent.
var scales = []int{85, 100, 115, 130, 150, 175}

// onPreferences shows the preferences; they apply when saved.
func (u *UI) onPreferences() {
	p := u.app.Preferences()
	cite := newDialogSelect(u.dialogs, citeCommands)
	cite.SetSelected(p.StringWithFallback(prefCiteCommand, `\cite`))
	pattern := newDialogSelectEntry(u.dialogs, keyPatterns)
	pattern.SetText(p.StringWithFallback(prefKeyPattern, bib.PatternJabRef))
	patternHelp := widget.NewLabel("")
	patternHelp.Wrapping = fyne.TextWrapWord
	checkPattern := func(s string) {
		if _, err := bib.ParsePattern(s); err != nil {
			patternHelp.Importance = widget.DangerImportance
			patternHelp.SetText(err.Error())
			return
		}
		patternHelp.Importance = widget.LowImportance
		patternHelp.SetText("Keys for entries that come without one, as JabRef writes patterns: [auth][year], [auth:lower][shorttitle3_3][year]…")
	}
	pattern.OnChanged = checkPattern
	checkPattern(pattern.Text)
	format := newDialogSelect(u.dialogs, dialectChoice.labels())
	format.SetSelectedIndex(dialectChoice.index(dialectChoice.get(p)))
	ascii := newDialogCheck(u.dialogs, "Write non-ASCII characters as LaTeX (é as {\\'e})")
	ascii.SetChecked(p.Bool(prefExportASCII))
	kw := newDialogSelect(u.dialogs, keywordsChoice.labels())
	kw.SetSelectedIndex(keywordsChoice.index(keywordsChoice.get(p)))
	dups := newDialogSelect(u.dialogs, duplicatesChoice.labels())
	dups.SetSelectedIndex(duplicatesChoice.index(duplicatesChoice.get(p)))
	var scaleNames []string
	for _, s := range scales {
		scaleNames = append(scaleNames, strconv.Itoa(s)+"%")
	}
	scale := newDialogSelect(u.dialogs, scaleNames)
	scale.SetSelected(fmt.Sprintf("%d%%", int(p.FloatWithFallback(prefFontScale, 1)*100+0.5)))
	if scale.SelectedIndex() < 0 {
		scale.SetSelected("100%")
	}
	email := newDialogEntry(u.dialogs)
	email.SetPlaceHolder("you@university.edu")
	email.SetText(p.String(prefEmail))
	pdfs := newDialogSelect(u.dialogs, pdfsChoice.labels())
	pdfs.SetSelectedIndex(pdfsChoice.index(pdfsChoice.get(p)))
	look := newDialogSelect(u.dialogs, appearanceChoice.labels())
	look.SetSelectedIndex(appearanceChoice.index(appearanceChoice.get(p)))
	items := []*widget.FormItem{
		widget.NewFormItem("Copy Citation writes", cite),
		widget.NewFormItem("Citation key pattern", pattern),
		widget.NewFormItem("", patternHelp),
		widget.NewFormItem("Export format", format),
		widget.NewFormItem("", ascii),
		widget.NewFormItem("Papers already in the library, on import", dups),
		widget.NewFormItem("Keywords, on import", kw),
		widget.NewFormItem("Text size", scale),
		widget.NewFormItem("Appearance", look),
		widget.NewFormItem("Your e-mail, for Crossref and NCBI", email),
		widget.NewFormItem("PDFs added as papers", pdfs),
	}
	d := dialog.NewForm("Preferences", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		p.SetString(prefCiteCommand, cite.Selected)
		if _, err := bib.ParsePattern(pattern.Text); err == nil {
			p.SetString(prefKeyPattern, strings.TrimSpace(pattern.Text))
		} else {
			u.status.SetText("The key pattern was not saved: " + err.Error())
		}
		if i := format.SelectedIndex(); i >= 0 {
			dialectChoice.set(p, dialectChoice.options[i].value)
		}
		p.SetBool(prefExportASCII, ascii.Checked)
		if u.asciiItem != nil {
			u.asciiItem.Checked = ascii.Checked
		}
		if i := dups.SelectedIndex(); i >= 0 {
			duplicatesChoice.set(p, duplicatesChoice.options[i].value)
		}
		if i := kw.SelectedIndex(); i >= 0 {
			keywordsChoice.set(p, keywordsChoice.options[i].value)
		}
		if i := scale.SelectedIndex(); i >= 0 {
			p.SetFloat(prefFontScale, float64(scales[i])/100)
		}
		p.SetString(prefEmail, strings.TrimSpace(email.Text))
		if i := pdfs.SelectedIndex(); i >= 0 {
			pdfsChoice.set(p, pdfsChoice.options[i].value)
		}
		if i := look.SelectedIndex(); i >= 0 {
			appearanceChoice.set(p, appearanceChoice.options[i].value)
		}
		applyScale(u.app)
	}, u.win)
	d.Resize(fyne.NewSize(640, 0))
	u.probeDialog()
	u.inDialog["select:Appearance"] = look
	u.inDialog["select:PDFs added as papers"] = pdfs
	u.dialogs.show(d)
}

// applyScale sets the text size and light or dark preferences through a theme: Fyne's own
// settings belong to the user's Fyne settings, shared by every Fyne app.
func applyScale(a fyne.App) {
	s := float32(a.Preferences().FloatWithFallback(prefFontScale, 1))
	if !slices.Contains(scales, int(s*100+0.5)) {
		s = 1
	}
	variant := appearanceChoice.get(a.Preferences())
	if s == 1 && variant == appearanceSystem {
		a.Settings().SetTheme(theme.DefaultTheme())
		return
	}
	a.Settings().SetTheme(&scaledTheme{Theme: theme.DefaultTheme(), scale: s, variant: variant})
}

// scaledTheme is the default theme with every size scaled, and light or dark as chosen.
type scaledTheme struct {
	fyne.Theme
	scale   float32
	variant appearance
}

// Color gives the chosen variant's colours; with appearanceSystem, the system's.
func (t *scaledTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch t.variant {
	case appearanceLight:
		v = theme.VariantLight
	case appearanceDark:
		v = theme.VariantDark
	}
	return t.Theme.Color(n, v)
}

func (t *scaledTheme) Size(n fyne.ThemeSizeName) float32 { return t.Theme.Size(n) * t.scale }
