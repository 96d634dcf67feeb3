package pdfread

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHostile reads PDFs made to hurt a reader: each gives a result or an error of its own,
// within the reader's time, and the process's memory stays bounded (on Linux, its peak resident
// size is read from /proc after all of them).
func TestHostile(t *testing.T) {
	r := reader(t)
	papers := filepath.Join("testdata", "papers")
	paper, err := os.ReadFile(filepath.Join(papers, "p3-doi-text.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pdf  []byte
		want error // nil: read, maybe with nothing in it
	}{
		{"zip bomb: a page whose content inflates to 2 GB", zipBomb(), nil},
		{"10,000 pages", manyPages(), nil},
		{"xref /Prev pointing at itself", xrefLoop(), nil},
		{"page tree holding itself", pageTreeCycle(), nil},
		{"array nested 100,000 deep in the info dictionary", deepInfo(), nil},
		{"array nested 100,000 deep in a page", deepContent(), nil},
		{"random bytes after a PDF header", randomBytes(), ErrDamaged},
		{"cut in half", paper[:len(paper)/2], ErrDamaged},
		{"encrypted with a user password", mustRead(t, filepath.Join("testdata", "encrypted.pdf")), ErrEncrypted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeHostile(t, "hostile.pdf", tc.pdf)
			start := time.Now()
			d, err := r.Read(context.Background(), path)
			took := time.Since(start)
			if tc.want != nil && !errors.Is(err, tc.want) || tc.want == nil && err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrTimeout) {
				t.Errorf("%v, want %v", err, tc.want)
			}
			if took > r.opts.timeout()+5*time.Second {
				t.Errorf("took %s", took)
			}
			t.Logf("%s: %v, %d pages, %d read, in %s", tc.name, err, d.PageCount, len(d.Pages), took.Round(time.Millisecond))
		})
	}
	if peak, ok := peakResident(); ok {
		t.Logf("peak resident size %d MB", peak>>20)
		if peak > 1<<30 {
			t.Errorf("peak resident size %d MB: a PDF took more memory than the reader allows", peak>>20)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// peakResident is the process's peak resident set size, where the OS tells it (Linux).
func peakResident() (int64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// pdfWriter builds a PDF with a classic cross-reference table from numbered objects.
type pdfWriter struct {
	buf     bytes.Buffer
	offsets map[int]int
	max     int
}

func newPDF() *pdfWriter {
	w := &pdfWriter{offsets: map[int]int{}}
	w.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return w
}

func (w *pdfWriter) obj(n int, body string) {
	w.offsets[n] = w.buf.Len()
	w.max = max(w.max, n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

func (w *pdfWriter) stream(n int, dict string, data []byte) {
	w.offsets[n] = w.buf.Len()
	w.max = max(w.max, n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", n, dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and the trailer, with extra in its dictionary (XREF
// in it is the table's offset).
func (w *pdfWriter) finish(extra string) []byte {
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", w.max+1)
	for i := 1; i <= w.max; i++ {
		if off, ok := w.offsets[i]; ok {
			fmt.Fprintf(&w.buf, "%010d 00000 n \n", off)
		} else {
			w.buf.WriteString("0000000000 65535 f \n")
		}
	}
	extra = strings.ReplaceAll(extra, "XREF", strconv.Itoa(xref))
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", w.max+1, extra, xref)
	return w.buf.Bytes()
}

const font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

func page(parent, contents int) string {
	return fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents %d 0 R >>", parent, contents)
}

// zipBomb is one page whose content stream inflates to 2 GB of zeros (2 MB in the file),
// made once: compressing 2 GB takes seconds.
var zipBomb = sync.OnceValue(func() []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 2048 {
		zw.Write(zeros)
	}
	zw.Close()
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, page(2, 5))
	w.obj(4, font)
	w.stream(5, "/Filter /FlateDecode", z.Bytes())
	w.obj(6, "<< /Title (Zip bomb) >>")
	return w.finish("/Info 6 0 R")
})

// manyPages is 10,000 pages sharing one content stream, in a flat page tree.
func manyPages() []byte {
	const n = 10000
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	var kids strings.Builder
	for i := range n {
		fmt.Fprintf(&kids, "%d 0 R ", 10+i)
	}
	w.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n))
	w.obj(4, font)
	w.stream(5, "", []byte("BT /F1 12 Tf 72 720 Td (A page of many. DOI: 10.5555/many.pages) Tj ET"))
	for i := range n {
		w.obj(10+i, page(2, 5))
	}
	return w.finish("")
}

// xrefLoop has a trailer whose /Prev points at its own table, and an Info value that is itself.
func xrefLoop() []byte {
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, page(2, 5))
	w.obj(4, font)
	w.stream(5, "", []byte("BT /F1 12 Tf 72 720 Td (Loop) Tj ET"))
	w.obj(6, "<< /Title 7 0 R >>")
	w.obj(7, "7 0 R")
	return w.finish("/Info 6 0 R /Prev XREF")
}

// pageTreeCycle has a page tree whose Kids hold the Pages node itself.
func pageTreeCycle() []byte {
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>")
	w.obj(3, "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>")
	w.obj(4, font)
	w.obj(6, "<< /Title (Cycle) >>")
	return w.finish("/Info 6 0 R")
}

func nested(depth int) string { return strings.Repeat("[", depth) + strings.Repeat("]", depth) }

// deepInfo has an Info dictionary whose /Subject is an array nested 100,000 deep.
func deepInfo() []byte {
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, page(2, 5))
	w.obj(4, font)
	w.stream(5, "", []byte("BT /F1 12 Tf 72 720 Td (Deep) Tj ET"))
	w.obj(6, "<< /Title (Deep) /Subject "+nested(100000)+" >>")
	return w.finish("/Info 6 0 R")
}

// deepContent has a page whose content holds an array operand nested 100,000 deep.
func deepContent() []byte {
	w := newPDF()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, page(2, 5))
	w.obj(4, font)
	w.stream(5, "", []byte("BT /F1 12 Tf 72 720 Td "+nested(100000)+" TJ ET"))
	return w.finish("")
}

func randomBytes() []byte {
	r := rand.New(rand.NewSource(1))
	b := make([]byte, 1<<20)
	r.Read(b)
	return append([]byte("%PDF-1.7\n"), b...)
}
