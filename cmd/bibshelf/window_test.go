package main

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want fyne.Size
		ok   bool
	}{
		{"1280x800", fyne.NewSize(1280, 800), true},
		{"1100X700", fyne.NewSize(1100, 700), true},
		{"200x150", fyne.NewSize(200, 150), true},
		{"199x150", fyne.Size{}, false},
		{"200x149", fyne.Size{}, false},
		{"huge", fyne.Size{}, false},
		{"1280x", fyne.Size{}, false},
		{"x800", fyne.Size{}, false},
		{"1280.5x800", fyne.Size{}, false},
	} {
		got, ok := parseSize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseSize(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
