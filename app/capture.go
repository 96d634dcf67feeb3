package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"time"
)

// CaptureSettled waits until the first list of entries has reached the window, the reads it has
// started are shown, and the window has drawn the same picture twice in a row, then returns that picture. It must not run on the UI
// goroutine.
func (u *UI) CaptureSettled(ctx context.Context) (image.Image, error) {
	select {
	case <-u.loaded:
	case <-ctx.Done():
		return nil, fmt.Errorf("capture: library not loaded: %w", ctx.Err())
	}
	var last []byte
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("capture: window never settled: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		// DoAndWait also lets the UI goroutine finish the work queued before it.
		settled := false
		fyneDoAndWait(func() { settled = u.settled() })
		if !settled {
			last = nil
			continue
		}
		img := captureNative(u.win)
		if img == nil {
			img = u.win.Canvas().Capture()
		}
		if img == nil || img.Bounds().Empty() {
			continue
		}
		pix := pixels(img)
		if last != nil && bytes.Equal(pix, last) && !uniform(pix) {
			return img, nil
		}
		last = pix
	}
}

func pixels(img image.Image) []byte {
	if rgba, ok := img.(*image.RGBA); ok {
		return append([]byte(nil), rgba.Pix...)
	}
	if nrgba, ok := img.(*image.NRGBA); ok {
		return append([]byte(nil), nrgba.Pix...)
	}
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*4)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8), byte(a>>8))
		}
	}
	return out
}

// uniform reports whether every pixel is the same: a window that has not drawn yet.
func uniform(pix []byte) bool {
	for i := 4; i+3 < len(pix); i += 4 {
		if !bytes.Equal(pix[i:i+4], pix[:4]) {
			return false
		}
	}
	return true
}
