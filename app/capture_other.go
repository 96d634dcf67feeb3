//go:build !((linux || freebsd || netbsd || openbsd) && !wayland && !android)

package app

import (
	"image"

	"fyne.io/fyne/v2"
)

// captureNative is only needed where OpenGL's front buffer can be empty (X11 under Mesa).
func captureNative(fyne.Window) image.Image { return nil }

// windowID is the X window of w, where there is X.
func windowID(fyne.Window) uintptr { return 0 }
