// Package assets holds the files Bibshelf ships inside its binary: the application icon and the
// sample library that fills a new default library.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// SampleLibrary is a BibTeX file of 56 real papers on representation learning, with abstracts.
//
//go:embed sample-library.bib
var SampleLibrary []byte

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
