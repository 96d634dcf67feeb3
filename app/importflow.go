package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/formats"
	"github.com/bibshelf/bibshelf/bib/ident"
	bibstorage "github.com/bibshelf/bibshelf/storage"
)

// importer is what an import needs from the library.
type importer interface {
	ImportWith(ctx context.Context, f *bib.File, opts bibstorage.ImportOptions) (bibstorage.Report, error)
	ImportReader(ctx context.Context, r bib.ItemReader, opts bibstorage.ImportOptions) (bibstorage.Report, error)
	Tags(ctx context.Context) ([]bibstorage.Tag, error)
}

// importFlow brings files into the library: the Open dialogs, reading and parsing off the UI
// goroutine, the question about keywords, the progress dialog with Cancel, and the report.
// running is used on the UI goroutine only.
type importFlow struct {
	lib      importer
	prefs    fyne.Preferences
	win      fyne.Window
	dialogs  *dialogStack
	probe    func(named ...fyne.CanvasObject) // names a dialog's widgets for the probe
	say      func(text string)                // the status line
	into     func() int64                     // the collection imports go into; 0 for none
	finished func(rep bibstorage.Report)      // an import is done: show its report and entries
	// identifiers is given a paste that holds no reference but identifiers, to add them.
	identifiers func(text string)
	running     int // imports running
}

func (f *importFlow) onImport() {
	filter := &openFilter{match: importable}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.dialogs.show(dialog.NewError(err, f.win))
			return
		}
		if r == nil {
			return // cancelled
		}
		rememberFolder(f.prefs, prefImportFolder, r.URI())
		if filter.justListed(r.URI()) {
			// The second click of a double-click on a folder: show the folder it opened.
			r.Close()
			f.onImport()
			return
		}
		f.running++
		go func() {
			defer fyneDo(func() { f.running-- })
			f.importFrom(r)
		}()
	}, f.win)
	d.SetFilter(filter)
	startIn(f.prefs, d, prefImportFolder)
	f.dialogs.show(d)
}

// openFilter lets an Open dialog show the files match takes (and folders), and notes when it
// last listed a folder: Fyne's dialog opens a folder on the first click of a double-click on it,
// and gives the second click to the item then in the same place, which it opens when it is a
// file. That file was never chosen.
type openFilter struct {
	match  func(fyne.URI) bool
	mu     sync.Mutex
	dir    fyne.URI // the folder listed last
	listed time.Time
}

// Matches is called for each file of a folder as the dialog lists it.
func (f *openFilter) Matches(file fyne.URI) bool {
	if dir, err := storage.Parent(file); err == nil {
		f.mu.Lock()
		f.dir, f.listed = dir, time.Now()
		f.mu.Unlock()
	}
	return f.match(file)
}

// justListed reports whether file is in the folder the dialog listed less than a double-click
// ago: no one double-clicks a file that fast after its folder appears, but the second click of a
// double-click on the folder comes that soon.
func (f *openFilter) justListed(file fyne.URI) bool {
	dir, err := storage.Parent(file)
	f.mu.Lock()
	defer f.mu.Unlock()
	return err == nil && f.dir != nil && storage.EqualURI(dir, f.dir) &&
		time.Since(f.listed) < fyne.CurrentApp().Driver().DoubleTapDelay()
}

// onImportFolder imports every .bib file of a folder (Fyne's file dialog picks one file at a
// time; a folder takes several).
func (f *importFlow) onImportFolder() {
	chooseFolderFiles(f.win, f.dialogs, f.prefs, prefImportFolder, "Import Folder", importable,
		"no file to import (.bib, .ris, .json, .nbib, EndNote .xml)", f.importFiles)
}

// chooseFolderFiles lets the user choose a folder, remembered in the preference pref, and gives
// then the files in it (not in its sub-folders) that match, in order of name; a folder with none
// is said to hold no "none".
func chooseFolderFiles(win fyne.Window, dialogs *dialogStack, prefs fyne.Preferences, pref, title string,
	match func(fyne.URI) bool, none string, then func(paths []string)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			dialogs.show(dialog.NewError(err, win))
			return
		}
		if dir == nil {
			return // cancelled
		}
		prefs.SetString(pref, dir.Path())
		items, err := dir.List()
		if err != nil {
			dialogs.show(dialog.NewError(fmt.Errorf("list %s: %w", dir.Path(), err), win))
			return
		}
		var paths []string
		for _, it := range items {
			if match(it) && it.Scheme() == "file" {
				paths = append(paths, it.Path())
			}
		}
		if len(paths) == 0 {
			dialogs.show(dialog.NewInformation(title, "The folder "+dir.Path()+" holds "+none+".", win))
			return
		}
		slices.Sort(paths)
		then(paths)
	}, win)
	startIn(prefs, d, pref)
	dialogs.show(d)
}

// folderDialog is a file dialog that can start in a folder.
type folderDialog interface{ SetLocation(fyne.ListableURI) }

// startIn opens a file dialog in the folder a preference remembers, when it still exists.
func startIn(prefs fyne.Preferences, d folderDialog, pref string) {
	dir := prefs.String(pref)
	if dir == "" {
		return
	}
	if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
		d.SetLocation(l)
	}
}

// rememberFolder keeps the folder of a file chosen in a dialog, for the next dialog.
func rememberFolder(prefs fyne.Preferences, pref string, file fyne.URI) {
	if file != nil && file.Scheme() == "file" {
		prefs.SetString(pref, filepath.Dir(file.Path()))
	}
}

// importFrom reads, parses and imports one file; it runs off the UI goroutine.
func (f *importFlow) importFrom(r fyne.URIReadCloser) {
	defer r.Close()
	name := r.URI().Path()
	// Read into a builder, whose String does not copy: one copy of a large file, not two.
	var src strings.Builder
	if _, err := io.Copy(&src, r); err != nil {
		fyneDo(func() { f.dialogs.show(dialog.NewError(fmt.Errorf("read %s: %w", name, err), f.win)) })
		return
	}
	f.importText(name, src.String())
	releaseMemory(src.Len())
}

// releaseMemory returns the garbage of an import of size bytes to the system when the file was
// large: the file's text and what was made of it are garbage once its report is up (a 131 MB
// file left the window at 470-510 MB resident), and Go would keep them for later.
func releaseMemory(size int) {
	if size >= 8<<20 {
		debug.FreeOSMemory()
	}
}

// importFiles imports files of references one after the other, with one report for all (one
// file's report is its own): the files dropped onto the window, or given on the command line.
// Call it on the UI goroutine.
func (f *importFlow) importFiles(paths []string) {
	f.running++
	go func() {
		defer fyneDo(func() { f.running-- })
		f.importPaths(paths)
	}()
}

// importPaths imports .bib files one after the other; it runs off the UI goroutine.
// Several files end with one report for all of them; each file is still all or nothing.
func (f *importFlow) importPaths(paths []string) {
	if len(paths) == 1 {
		src, err := bib.ReadFile(paths[0])
		if err != nil {
			fyneDo(func() { f.dialogs.show(dialog.NewError(fmt.Errorf("read %s: %w", paths[0], err), f.win)) })
			return
		}
		f.importText(paths[0], src)
		releaseMemory(len(src))
		return
	}
	total := bibstorage.Report{File: fmt.Sprintf("%d files", len(paths))}
	var failed []string
	size := 0
	defer func() { releaseMemory(size) }()
	for _, p := range paths {
		src, err := bib.ReadFile(p)
		size = max(size, len(src))
		var rep bibstorage.Report
		if err == nil {
			rep, err = f.importSource(p, src, nil, makeTags)
		}
		if errors.Is(err, context.Canceled) {
			failed = append(failed, filepath.Base(p)+": cancelled, nothing of it imported")
			break
		}
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		total.Add(rep)
	}
	fyneDoAndWait(func() {
		f.finished(total)
		if len(failed) > 0 {
			f.dialogs.show(dialog.NewError(errors.New(strings.Join(failed, "\n")), f.win))
		}
	})
}

// paste imports the references on the clipboard, in any format formats reads (BibTeX, RIS,
// MEDLINE text...). It is parsed off the UI goroutine, as a large paste can take a moment.
func (f *importFlow) paste(text string) {
	f.running++
	go func() {
		defer fyneDo(func() { f.running-- })
		file, _ := formats.Parse("clipboard", []byte(text))
		if len(file.Entries()) == 0 && f.identifiers != nil && len(ident.Find(text)) > 0 {
			// A DOI or arXiv link copied from a page: offer to add its paper.
			fyneDo(func() { f.identifiers(text) })
			return
		}
		if len(file.Entries()) == 0 {
			msg := "The clipboard holds no reference. Copy a BibTeX entry, such as @article{key, title = {…}}, or a RIS record, and paste again."
			if strings.TrimSpace(text) == "" {
				msg = "The clipboard is empty. Copy a BibTeX entry, such as @article{key, title = {…}}, and paste again."
			}
			fyneDo(func() { f.dialogs.show(dialog.NewInformation("Paste", msg, f.win)) })
			return
		}
		f.importParsed("clipboard", file)
	}()
}

// importParsed imports a parsed file and shows its report; it runs off the UI goroutine.
func (f *importFlow) importParsed(name string, file *bib.File) {
	n := len(file.Entries())
	rep, err := f.importWithProgress(name, n, makeTags, func(ctx context.Context, opts bibstorage.ImportOptions) (bibstorage.Report, error) {
		return f.lib.ImportWith(ctx, file, opts)
	})
	f.importDone(name, rep, err)
}

// importText imports a file read as a string, in the format its content has, and shows its
// report; it runs off the UI goroutine.
func (f *importFlow) importText(name, src string) {
	format := formats.Detect(name, []byte(src[:min(len(src), detectBytes)]))
	var parsed *bib.File // read once, for the question and the import, unless it is BibTeX
	tags := f.askKeywordTags(name, len(src), func() *bib.File {
		if format == formats.BibTeX {
			return bib.Parse(name, []byte(src))
		}
		parsed, _ = formats.Parse(name, []byte(src))
		return parsed
	})
	if tags == cancelImport {
		fyneDo(func() { f.say("Import of " + filepath.Base(name) + " cancelled: nothing was imported") })
		return
	}
	rep, err := f.importSource(name, src, parsed, tags)
	f.importDone(name, rep, err)
}

// importSource imports a file's text in the format its content has, with progress: read as it
// is imported (formats.NewReaderString), so that a large file's entries are never all in memory
// at once, unless it was parsed already (parsed, not nil: a small file whose keywords were
// counted). It runs off the UI goroutine.
func (f *importFlow) importSource(name, src string, parsed *bib.File, tags keywordTags) (bibstorage.Report, error) {
	if parsed != nil {
		return f.importWithProgress(name, len(parsed.Entries()), tags, func(ctx context.Context, opts bibstorage.ImportOptions) (bibstorage.Report, error) {
			return f.lib.ImportWith(ctx, parsed, opts)
		})
	}
	r, _ := formats.NewReaderString(name, src)
	return f.importReaderWith(name, r, tags)
}

// detectBytes is how much of a file formats.Detect is given: each format's detector looks at
// the first few kilobytes.
const detectBytes = 64 << 10

// importable reports whether a file is one the import reads, by its extension: the Open
// dialog's filter, and the files dropped on the window that are imported rather than attached.
func importable(file fyne.URI) bool {
	return slices.Contains(formats.Extensions(), strings.ToLower(file.Extension()))
}

// importReaderWith imports the file a reader reads, with progress, with the keywords made tags
// or not; it runs off the UI goroutine.
func (f *importFlow) importReaderWith(name string, r bib.ItemReader, tags keywordTags) (bibstorage.Report, error) {
	return f.importWithProgress(name, r.Estimate(), tags, func(ctx context.Context, opts bibstorage.ImportOptions) (bibstorage.Report, error) {
		return f.lib.ImportReader(ctx, r, opts)
	})
}

// importDone shows what an import did; it runs off the UI goroutine.
func (f *importFlow) importDone(name string, rep bibstorage.Report, err error) {
	fyneDoAndWait(func() {
		if errors.Is(err, context.Canceled) {
			f.say("Import of " + filepath.Base(name) + " cancelled: nothing was imported")
			return
		}
		if err != nil {
			f.dialogs.show(dialog.NewError(err, f.win))
			return
		}
		f.finished(rep)
	})
}

// selectAdded returns what the list selects after an import: the entries it added, when they
// are few enough to look at (a large import's report says what it did).
func selectAdded(rep bibstorage.Report) []string {
	if len(rep.Added) > maxSelectAdded {
		return nil
	}
	return rep.Added
}

// maxSelectAdded is the most entries an import selects once it is done.
const maxSelectAdded = 500

// progressFrom is the number of entries from which an import shows its progress, with Cancel.
const progressFrom = 1000

// importWithProgress runs an import of about n entries; a large one shows a progress dialog
// whose Cancel rolls the import back. It runs off the UI goroutine.
func (f *importFlow) importWithProgress(name string, n int, tags keywordTags, run func(context.Context, bibstorage.ImportOptions) (bibstorage.Report, error)) (bibstorage.Report, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var into int64
	fyneDoAndWait(func() { into = f.into() })
	opts := bibstorage.ImportOptions{
		Collection: into,
		KeyPattern: f.prefs.StringWithFallback(prefKeyPattern, bib.PatternJabRef),
		Duplicates: duplicatesChoice.get(f.prefs),
		// Keywords stay in the field either way; the user chose, when they were many.
		NoKeywordTags: tags == keepKeywords,
		// The report and the list come first; indexForSearch follows.
		IndexLater: true,
	}
	if n >= progressFrom {
		var d dialog.Dialog
		bar := widget.NewProgressBar()
		// After the items are read, the steps that follow (indexes, search index, writing) take
		// about as long again, with no count to show: a bar that only says work goes on.
		busy := widget.NewProgressBarInfinite()
		busy.Hide()
		count := widget.NewLabel("")
		count.Wrapping = fyne.TextWrapWord
		read, staged := 0, false // on the UI goroutine
		fyneDoAndWait(func() {
			msg := widget.NewLabel(fmt.Sprintf("Importing %s entries from %s…", thousands(n), filepath.Base(name)))
			d = dialog.NewCustom("Import", "Cancel", container.NewVBox(msg, bar, busy, count), f.win)
			d.SetOnClosed(cancel)
			d.Resize(fyne.NewSize(480, 0))
			f.dialogs.show(d)
			// Showing the dialog made the hidden bar's renderer, which starts its animation:
			// it would redraw the window every frame while the items are read.
			busy.Stop()
		})
		defer fyneDo(func() {
			busy.Stop()
			d.Hide()
		})
		opts.Progress = func(done, total int) {
			fyneDo(func() {
				if staged {
					return
				}
				read = done
				bar.SetValue(float64(done) / float64(max(total, 1)))
				count.SetText(fmt.Sprintf("%s of %s items read; Cancel imports nothing.", thousands(done), thousands(total)))
			})
		}
		opts.Stage = func(stage string) {
			fyneDo(func() {
				if !staged {
					staged = true
					bar.Hide()
					busy.Show()
				}
				if stage == bibstorage.StageCommit {
					// A commit under way finishes: Cancel only closes the dialog.
					count.SetText(fmt.Sprintf("All %s items read; now %s, which can no longer be cancelled.", thousands(read), stage))
				} else {
					count.SetText(fmt.Sprintf("All %s items read; now %s. Cancel imports nothing.", thousands(read), stage))
				}
			})
		}
	}
	return run(ctx, opts)
}
