package app

import (
	"testing"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestSharedStateRefused: the state line says how many changes the server refused a member who
// may only read, until they are discarded.
func TestSharedStateRefused(t *testing.T) {
	for _, c := range []struct {
		st   shared.LiveState
		want string
	}{
		{shared.LiveState{Connected: true, Unsent: 2, Refused: make([]shared.Conflict, 2)}, "Shared: connected · 2 changes refused: you may only read (click here)"},
		{shared.LiveState{Connected: true, Unsent: 1, Refused: make([]shared.Conflict, 1)}, "Shared: connected · 1 change refused: you may only read (click here)"},
		{shared.LiveState{Connected: true, Discarded: 2}, "Shared: connected · all changes sent"},
	} {
		if got := sharedStateText(c.st, true); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}
