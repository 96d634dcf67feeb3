//go:build (linux || freebsd || netbsd || openbsd) && !wayland && !android

package app

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// grab copies a window's pixels as the X server shows them. The caller frees the result with
// free_image; NULL means the window could not be read.
static XImage *grab(Display *d, Window w, int *width, int *height) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, w, &a) || a.map_state != IsViewable) return NULL;
	*width = a.width;
	*height = a.height;
	return XGetImage(d, w, 0, 0, a.width, a.height, AllPlanes, ZPixmap);
}
static void free_image(XImage *img) { XDestroyImage(img); }
*/
import "C"

import (
	"image"
	"image/color"
	"math/bits"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// captureNative reads the window's pixels from the X server. Canvas.Capture reads OpenGL's front
// buffer, which Mesa's software renderer (Xvfb, virtual machines, CI) returns empty.
func captureNative(w fyne.Window) image.Image {
	handle := windowID(w)
	if handle == 0 {
		return nil
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		return nil
	}
	defer C.XCloseDisplay(d)
	var width, height C.int
	xi := C.grab(d, C.Window(handle), &width, &height)
	if xi == nil {
		return nil
	}
	defer C.free_image(xi)
	if xi.bits_per_pixel != 32 || xi.red_mask == 0 || xi.green_mask == 0 || xi.blue_mask == 0 {
		return nil
	}
	stride := int(xi.bytes_per_line)
	data := unsafe.Slice((*byte)(unsafe.Pointer(xi.data)), stride*int(height))
	rs, gs, bs := bits.TrailingZeros64(uint64(xi.red_mask)), bits.TrailingZeros64(uint64(xi.green_mask)), bits.TrailingZeros64(uint64(xi.blue_mask))
	bigEndian := xi.byte_order == C.MSBFirst
	img := image.NewRGBA(image.Rect(0, 0, int(width), int(height)))
	for y := 0; y < int(height); y++ {
		row := data[y*stride:]
		for x := 0; x < int(width); x++ {
			p := row[4*x : 4*x+4]
			v := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
			if bigEndian {
				v = bits.ReverseBytes32(v)
			}
			img.SetRGBA(x, y, color.RGBA{uint8(v >> rs), uint8(v >> gs), uint8(v >> bs), 0xff})
		}
	}
	return img
}

// windowID returns the X window of w; 0 when it has none yet. It must not run on the UI
// goroutine.
func windowID(w fyne.Window) uintptr {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return 0
	}
	var handle uintptr
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			handle = x.WindowHandle
		}
	})
	return handle
}
