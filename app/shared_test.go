package app

import (
	"errors"
	"testing"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestSharedStateText: the state line of a shared library says connected or offline, and what
// waits to be sent.
func TestSharedStateText(t *testing.T) {
	offline := errors.Join(shared.ErrUnreachable, errors.New("connection refused"))
	for _, c := range []struct {
		st    shared.LiveState
		known bool
		want  string
	}{
		{shared.LiveState{}, false, "Shared: connecting…"},
		{shared.LiveState{Connected: true}, true, "Shared: connected · all changes sent"},
		{shared.LiveState{Connected: true, Unsent: 1}, true, "Shared: connected · 1 change waiting"},
		{shared.LiveState{Err: offline, Unsent: 3}, true, "Shared: offline, trying again · 3 changes waiting"},
		{shared.LiveState{Connected: true, Unsent: 2, Conflicts: make([]shared.Conflict, 2)}, true,
			"Shared: connected · 2 conflicts (both versions kept)"},
		{shared.LiveState{Connected: true, Err: shared.ErrNewerSchema}, true, "Shared: connected, the last sync failed · all changes sent"},
	} {
		if got := sharedStateText(c.st, c.known); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}
