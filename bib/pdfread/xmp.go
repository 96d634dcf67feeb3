package pdfread

import (
	"bytes"
	"context"
	"io"
)

// PDFium has no call that gives the catalog's /Metadata stream, so the XMP packet is found as
// the XMP specification provides for (Part 3, "scanning files for XMP packets"): packets are
// written uncompressed and wrapped so that a scan of the bytes finds them. PDF 2.0 asks the
// same of metadata streams, and pdfTeX (hyperxmp), Acrobat and publishers' tools write them so.
// A file may hold several packets (an image's own; the one of an incremental update, written
// after the first): the last that describes a PDF document is taken.

const (
	maxPacket  = 1 << 20 // a longer packet is cut: pdfmeta reads what is there
	maxPackets = 16      // no more are looked at
)

var (
	packetStart = []byte("<x:xmpmeta")
	packetEnd   = []byte("</x:xmpmeta>")
)

// scanXMP returns the document's XMP packet, or nil, reading the file in chunks until ctx is
// done.
func scanXMP(ctx context.Context, r io.ReaderAt, size int64) ([]byte, error) {
	const chunk = 1 << 20
	var best, last []byte
	buf := make([]byte, chunk+len(packetStart))
	found := 0
	for off := int64(0); off < size && found < maxPackets; off += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := r.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return nil, err
		}
		b := buf[:n]
		for i := 0; found < maxPackets; {
			j := bytes.Index(b[i:], packetStart)
			if j < 0 || i+j >= chunk {
				break // a start in the overlap is the next chunk's
			}
			p, err := readPacket(r, off+int64(i+j), size)
			if err != nil {
				return nil, err
			}
			found++
			last = p
			if describesPDF(p) {
				best = p
			}
			i += j + len(packetStart)
		}
	}
	if best != nil {
		return best, nil
	}
	return last, nil
}

// readPacket reads a packet from its start to its end tag, at most maxPacket bytes.
func readPacket(r io.ReaderAt, at, size int64) ([]byte, error) {
	n := min(int64(maxPacket), size-at)
	p := make([]byte, n)
	m, err := r.ReadAt(p, at)
	if err != nil && err != io.EOF {
		return nil, err
	}
	p = p[:m]
	if k := bytes.Index(p, packetEnd); k >= 0 {
		p = p[:k+len(packetEnd)]
	}
	return p, nil
}

// describesPDF reports whether a packet is a PDF document's rather than an embedded image's.
func describesPDF(p []byte) bool {
	return bytes.Contains(p, []byte("application/pdf")) || bytes.Contains(p, []byte("ns.adobe.com/pdf/1.3/")) ||
		bytes.Contains(p, []byte("prismstandard.org"))
}
