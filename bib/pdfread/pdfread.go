// Package pdfread reads what a PDF says about the paper in it (its information dictionary, XMP
// metadata and the text of its first pages) with PDFium, the PDF engine of Chromium, compiled to
// WebAssembly and run by wazero: no cgo, the same on every OS, and bounded. A PDF is untrusted
// input, and PDFium runs it in a sandbox of its own:
//
//   - memory: PDFium's heap is the module's linear memory, which cannot grow past
//     Options.Memory; an allocation past it fails inside PDFium (a zip-bomb stream is an error,
//     not gigabytes of this process's memory);
//   - time: a PDF that takes longer than Options.Timeout (or whose context is cancelled) has its
//     instance killed: the call returns at once with an error;
//   - faults: a crash inside PDFium is a trap of its instance, returned as an error; the instance
//     is thrown away and the next PDF gets a new one;
//   - files: the module sees no file system; the PDF is read through a reader this package
//     holds, never more than Options.MaxFile.
//
// Why PDFium: docs/PERFORMANCE.md ("PDF readers compared") has the evidence.
package pdfread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// Options bound what reading one PDF may take. The zero Options are the defaults each names.
type Options struct {
	// Memory is the most memory PDFium may use, in bytes (default 128 MB: every one of 400 real
	// PDFs read in 128 MB; the process's own peak is about three times it, as the memory grows
	// by copies).
	Memory int64
	// Timeout is the longest one PDF may take to read (default 15 seconds; a paper takes 0.1).
	Timeout time.Duration
	// MaxFile is the largest PDF read, in bytes (default 512 MB).
	MaxFile int64
	// CacheDir, when set, is a folder where the compiled module is kept between runs, which
	// makes New fast after the first run.
	CacheDir string
}

func (o Options) memoryPages() uint32 {
	m := o.Memory
	if m <= 0 {
		m = 128 << 20
	}
	return uint32(min(max(m>>16, 256), 65536)) // 64 KiB pages, 16 MB to 4 GB
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 15 * time.Second
	}
	return o.Timeout
}

func (o Options) maxFile() int64 {
	if o.MaxFile <= 0 {
		return 512 << 20
	}
	return o.MaxFile
}

// The kinds of failure; errors.Is tells which a Read error is.
var (
	ErrNotPDF    = pdfmeta.ErrNotPDF
	ErrEncrypted = unreadable("encrypted: it needs a password to be read")
	ErrDamaged   = unreadable("damaged")
	ErrTooLarge  = unreadable("too large")
	ErrTimeout   = unreadable("took too long to read")
	ErrMemory    = unreadable("needed more memory than a PDF may take")
)

// unreadableError is an error of a PDF the reader opened but could not read: errors.Is finds
// pdfmeta.ErrUnreadable in it, which is what storage asks.
type unreadableError struct{ msg string }

func unreadable(msg string) error               { return &unreadableError{msg} }
func (e *unreadableError) Error() string        { return e.msg }
func (e *unreadableError) Is(target error) bool { return target == pdfmeta.ErrUnreadable }

// Reader reads PDFs, one at a time (calls from several goroutines wait their turn). Close it
// when done.
type Reader struct {
	opts Options
	pool pdfium.Pool
	turn chan struct{} // holds a token while a PDF is read: one at a time
}

// New compiles PDFium (a few seconds the first time; with Options.CacheDir, a few hundred
// milliseconds after that) and returns a Reader.
func New(opts Options) (*Reader, error) {
	rc := wazero.NewRuntimeConfig().
		// The features the bundled module needs (it lowers setjmp/longjmp to exceptions).
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(opts.memoryPages()).
		// Lets a killed instance stop in the middle of a call.
		WithCloseOnContextDone(true)
	if opts.CacheDir != "" {
		if cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle: 0, MaxIdle: 1, MaxTotal: 1,
		RuntimeConfig: rc,
		FSConfig:      wazero.NewFSConfig(), // no file system: PDFs come through a reader
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("start the PDF reader: %w", err)
	}
	return &Reader{opts: opts, pool: pool, turn: make(chan struct{}, 1)}, nil
}

// Close releases PDFium, once the PDF being read is done.
func (r *Reader) Close() error {
	r.turn <- struct{}{}
	defer func() { <-r.turn }()
	return r.pool.Close()
}

// ReadPDF says which paper the PDF at path holds (r is a storage.PDFReader).
func (r *Reader) ReadPDF(ctx context.Context, path string) (pdfmeta.Paper, error) {
	d, err := r.Read(ctx, path)
	if err != nil {
		return pdfmeta.Paper{}, err
	}
	return pdfmeta.Identify(d), nil
}

// Read returns what the PDF at path says: its information dictionary, XMP packet, page count
// and the text of its first pdfmeta.MaxPages pages. Errors name the file and say why (ErrNotPDF,
// ErrEncrypted, ErrDamaged, ErrTooLarge, ErrTimeout, ErrMemory, or the context's error).
func (r *Reader) Read(ctx context.Context, path string) (pdfmeta.Document, error) {
	fail := func(err error) (pdfmeta.Document, error) {
		return pdfmeta.Document{}, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if st.Size() > r.opts.maxFile() {
		return fail(fmt.Errorf("%w: %d MB, more than the %d MB a PDF may have", ErrTooLarge, st.Size()>>20, r.opts.maxFile()>>20))
	}
	if !startsPDF(f) {
		return fail(ErrNotPDF)
	}
	xmp, err := scanXMP(ctx, f, st.Size())
	if err != nil {
		return fail(err)
	}
	// Waiting for the PDF before this one ends when ctx does: Cancel is not held up by it.
	select {
	case r.turn <- struct{}{}:
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	defer func() { <-r.turn }()
	d, err := r.read(ctx, f, st.Size())
	if err != nil {
		return fail(err)
	}
	d.XMP = xmp
	return d, nil
}

// startsPDF reports whether the file starts as a PDF does (pdfmeta.LooksLikePDF).
func startsPDF(f *os.File) bool {
	head := make([]byte, pdfmeta.HeaderWindow)
	n, _ := f.ReadAt(head, 0)
	return pdfmeta.LooksLikePDF(head[:n])
}

// read reads a PDF with an instance of its own, killed when the time is up or ctx is done.
func (r *Reader) read(ctx context.Context, f io.ReadSeeker, size int64) (pdfmeta.Document, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.timeout())
	defer cancel()
	inst, err := r.pool.GetInstanceWithContext(ctx)
	if err != nil {
		return pdfmeta.Document{}, fmt.Errorf("start the PDF reader: %w", err)
	}
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		inst.Kill()
		close(killed)
	})
	d, err := readDoc(inst, f, size)
	if !stop() {
		<-killed
		// The instance was killed, and whatever the call returned is of no use.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return pdfmeta.Document{}, fmt.Errorf("%w (more than %s)", ErrTimeout, r.opts.timeout())
		}
		return pdfmeta.Document{}, ctx.Err()
	}
	inst.Close()
	return d, err
}

// infoKeys are the information dictionary's keys asked for: PDFium looks keys up by name and
// cannot list them, so the custom keys publishers and \pdfinfo users write are named here.
var infoKeys = []string{"Title", "Author", "Subject", "Keywords", "Creator", "Producer",
	"doi", "DOI", "Doi", "arXiv", "arxiv", "ISBN", "isbn"}

// readDoc reads the document's information and first pages. A PDF whose pages cannot be read
// still gives what its information dictionary says.
func readDoc(inst pdfium.Pdfium, f io.ReadSeeker, size int64) (d pdfmeta.Document, err error) {
	defer func() {
		// The bindings turn a trap into a panic in some paths: it is this PDF's fault.
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrDamaged, p)
		}
	}()
	doc, err := inst.OpenDocument(&requests.OpenDocument{FileReader: f, FileReaderSize: size})
	if err != nil {
		return d, openError(err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	d.Info = map[string]string{}
	keys := infoKeys
	if meta, err := inst.GetMetaData(&requests.GetMetaData{Document: doc.Document, Tags: &keys}); err == nil {
		for _, t := range meta.Tags {
			if v := strings.TrimSpace(t.Value); v != "" {
				d.Info[t.Tag] = v
			}
		}
	}
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return d, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	d.PageCount = count.PageCount
	for i := 0; i < min(d.PageCount, pdfmeta.MaxPages); i++ {
		p, err := readPage(inst, doc.Document, i)
		if err != nil {
			if memoryError(err) {
				return d, ErrMemory
			}
			break // the pages read so far, and the metadata, may still name the paper
		}
		d.Pages = append(d.Pages, p)
	}
	return d, nil
}

// readPage reads a page's text and, on the first page, the text set in the largest type.
func readPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int) (pdfmeta.Page, error) {
	page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}
	text, err := inst.GetPageText(&requests.GetPageText{Page: page})
	if err != nil {
		return pdfmeta.Page{}, err
	}
	p := pdfmeta.Page{Text: text.Text}
	if i > 0 {
		return p, nil
	}
	runs, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{
		Page: page, Mode: requests.GetPageTextStructuredModeRects, CollectFontInformation: true,
	})
	if err != nil {
		return p, nil // the text without the title guess
	}
	var sizes []float64
	var texts []string
	for _, r := range runs.Rects {
		size := 0.0
		if fi := r.FontInformation; fi != nil {
			size = fi.Size
			if fi.RenderedSize > 0 {
				size = fi.RenderedSize
			}
		}
		sizes, texts = append(sizes, size), append(texts, r.Text)
	}
	p.Largest = largest(texts, sizes)
	return p, nil
}

// largest joins the runs of text set in the largest type on a page, in page order: a title
// broken over two lines is two runs. Runs of a few characters (a drop cap, a big page number)
// do not count.
func largest(texts []string, sizes []float64) string {
	top := 0.0
	for i, t := range texts {
		if len([]rune(strings.TrimSpace(t))) >= 4 && sizes[i] > top {
			top = sizes[i]
		}
	}
	if top == 0 {
		return ""
	}
	var out []string
	for i, t := range texts {
		if sizes[i] >= top-0.5 && len([]rune(strings.TrimSpace(t))) >= 1 {
			out = append(out, strings.TrimSpace(t))
		}
	}
	s := strings.Join(out, " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300])
	}
	return s
}

// openError says why PDFium could not open a document.
func openError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "password"):
		return ErrEncrypted
	case strings.Contains(msg, "format"), strings.Contains(msg, "file"):
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	case memoryError(err):
		return ErrMemory
	}
	return fmt.Errorf("%w: %v", ErrDamaged, err)
}

func memoryError(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "out of memory") || strings.Contains(msg, "memory limit") || strings.Contains(msg, "grow")
}
