package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// The window on a shared library shows this computer's replica of it, as it shows any library,
// while a shared.Live beside it keeps the replica current (Run starts it, see running.share):
// what other members send appears through the follower (follow.go), as another program's
// changes do, and what the window changes is sent a moment later. The state line beside the
// status line says whether the server is reached and how many changes wait to be sent.

// sharedView is the window's side of a shared library: the state line, and the changes the
// server refused, said once each.
type sharedView struct {
	u     *UI
	srv   *shared.Server
	live  *shared.Live // keeps the replica current; its Resolve settles the conflicts told
	label *stateLine
	// said is the conflicts the window last told of, so that the same ones, found again at
	// each push, are not told again; failed likewise the last failure other than the server
	// out of reach (which the state line says).
	said   string
	failed string
	state  shared.LiveState // the last state shown
	// asked says the password was asked for since the server last took one: the state line,
	// clicked, asks again.
	asked bool
	// saidRefused is the changes refused the window last told of, and discarding says a discard
	// was asked for whose outcome no state has told yet (refused.go).
	saidRefused string
	discarding  bool
	// toldRenames is the newest rename the window has shown (shared.Renamed.Seq), and
	// readRenames the newest the member clicked OK on.
	toldRenames, readRenames int64
}

// newSharedView makes the state line, hidden until the window shows a shared library.
func newSharedView(u *UI) *sharedView {
	s := &sharedView{u: u}
	s.label = newStateLine(func() {
		if secretAsked(s.state.Err) != noSecret {
			s.askPassword()
			return
		}
		// The renames under the conflicts or the changes refused, as when they were told: shown
		// only when neither waited, they could be neither read nor let go while one did.
		if len(s.state.Renamed) > 0 {
			s.showRenamed(s.state.Renamed)
		}
		switch {
		case len(s.state.Conflicts) > 0:
			s.showConflicts(s.state.Conflicts)
		case len(s.state.Refused) > 0:
			s.showRefused(s.state)
		}
	})
	s.label.Hide()
	return s
}

// stateLine is the state line: a label that, clicked while there are conflicts, shows them again
// (after Decide Later).
type stateLine struct {
	widget.Label
	onTap func()
	row   *fyne.Container // the status row it is placed in (statusRowLayout)
}

func newStateLine(onTap func()) *stateLine {
	l := &stateLine{onTap: onTap}
	l.Truncation = fyne.TextTruncateEllipsis // its row gives it its whole text when it can (statusRowLayout)
	l.ExtendBaseWidget(l)
	return l
}

// naturalWidth is the width the state line takes to show its whole text, as a label without
// truncation would.
func (l *stateLine) naturalWidth() float32 { return textWidth(&l.Label) }

func (l *stateLine) Tapped(*fyne.PointEvent) { l.onTap() }

// setText shows text in the state line and places it again in its row, as wide as the text
// when the row has room. Its minimum width is that of its ellipsis whatever the text, so Fyne
// does not lay out the row again when the text changes: each state after the first was cut
// to the width of "Shared: connecting…".
func (l *stateLine) setText(text string) {
	l.SetText(text)
	if l.row != nil {
		l.row.Refresh()
	}
}

// attach says that the window shows the replica of the shared library at srv, connecting.
func (s *sharedView) attach(srv *shared.Server) {
	s.srv, s.discarding = srv, false
	s.u.win.SetTitle(srv.String() + " — Bibshelf")
	s.u.leaveOutCopy()
	s.label.Show()
	s.label.setText(sharedStateText(shared.LiveState{}, false))
}

// show shows a state of the replica's Live. Call it on the UI goroutine.
func (s *sharedView) show(st shared.LiveState) {
	if s.srv == nil {
		return
	}
	st.Renamed = s.unreadRenames(st.Renamed)
	s.state = st
	if st.Connected && st.Err == nil {
		s.label.Importance = widget.MediumImportance
	} else {
		s.label.Importance = widget.WarningImportance
	}
	s.label.setText(sharedStateText(st, true))
	if st.Connected {
		s.asked = false
	}
	if secretAsked(st.Err) != noSecret {
		if !s.asked {
			s.askPassword()
		}
		return
	}
	s.tellFailure(st.Err)
	s.tellRenamed(st.Renamed)
	s.tellConflicts(st.Conflicts)
	s.tellRefused(st)
	if st.DiscardEnded {
		s.discarded(st)
	}
}

// tellRenamed says which of this computer's entries, saved searches and collections were
// renamed to be sent, another member having given one of theirs the same key or name at the
// same time and sent it first: both are kept, the other member's under the key or name, this
// computer's under the next free one. rs are the renames the replica keeps that the member has
// not read (shared.LiveState.Renamed): the dialog shows when one is new to the window, also one
// made by the push at the last close; the state line says them until the member clicks OK.
func (s *sharedView) tellRenamed(rs []shared.Renamed) {
	if len(rs) == 0 || rs[len(rs)-1].Seq <= s.toldRenames {
		return
	}
	s.toldRenames = rs[len(rs)-1].Seq
	s.u.status.SetText("Shared: " + rs[len(rs)-1].String())
	s.showRenamed(rs)
}

// unreadRenames returns the renames of rs the member has not clicked OK on in this window: the
// replica forgets those a moment after, and a state read before then still has them.
func (s *sharedView) unreadRenames(rs []shared.Renamed) []shared.Renamed {
	return slices.DeleteFunc(slices.Clone(rs), func(r shared.Renamed) bool { return r.Seq <= s.readRenames })
}

// showRenamed shows the dialog that names the renames rs: OK forgets them, Remind Me Later
// leaves them in the state line, which, clicked, shows this again.
func (s *sharedView) showRenamed(rs []shared.Renamed) {
	var lines []string
	entries := false
	for _, r := range rs {
		lines = append(lines, r.String())
		lines = append(lines, r.Notes...)
		entries = entries || r.Kind == "entry"
	}
	text := "Another member gave the same key or name to an entry, a saved search or a collection of theirs at the same " +
		"time as this computer, and sent it first. Both are kept; this computer's were renamed and sent:\n\n• " +
		strings.Join(lines, "\n• ") + "\n\n"
	if entries {
		text += "The .tex files of the papers this library knows cite a renamed entry by its new key: the old key is " +
			"the other member's entry now. "
	}
	text += "Remind Me Later leaves this in the state line, which, clicked, shows it again."
	var d dialog.Dialog
	later := widget.NewButton("Remind Me Later", func() { d.Hide() })
	ok := widget.NewButton("OK", func() {
		d.Hide()
		s.readRenames = max(s.readRenames, rs[len(rs)-1].Seq)
		s.state.Renamed = s.unreadRenames(s.state.Renamed)
		s.label.setText(sharedStateText(s.state, true))
		if live := s.live; live != nil {
			// Off the UI goroutine: it writes the replica.
			go func() {
				if err := live.ReadRenames(rs); err != nil {
					fyneDo(func() { s.u.status.SetText("Shared: " + err.Error()) })
				}
			}()
		}
	})
	ok.Importance = widget.HighImportance
	d = s.choose("Renamed to Keep Both", text, fyne.NewSize(600, 340), later, ok)
}

// choose shows a dialog of the shared library's: text, and buttons along the bottom, the last
// the one to take. It returns the dialog, which the buttons hide.
func (s *sharedView) choose(title, text string, size fyne.Size, buttons ...fyne.CanvasObject) dialog.Dialog {
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	s.u.probeDialog(append(slices.Clone(buttons), label)...)
	d := dialog.NewCustomWithoutButtons(title, container.NewBorder(nil,
		container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, buttons...)...), nil, nil, label), s.u.win)
	d.Resize(size)
	s.u.dialogs.show(d)
	return d
}

// askPassword asks for the member's password, which the server asks for and neither the URL,
// the password file nor the keyring gave, or the passphrase of their client key, which neither
// the URL nor the keyring gave (what the state's error says): Live connects with it at once, and
// the keyring keeps it once the server took the connection.
func (s *sharedView) askPassword() {
	s.asked = true
	kind := secretAsked(s.state.Err)
	password := newPasswordEntry()
	if kind == keyPassphrase {
		password.SetPlaceHolder("Passphrase")
	}
	text := widget.NewLabel(kind.text(s.srv))
	text.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	give := func() {
		d.Hide()
		if s.live != nil && password.Text != "" {
			kind.giveLive(s.live, password.Text)
		}
	}
	password.OnSubmitted = func(string) { give() }
	ok := widget.NewButton("Connect", give)
	ok.Importance = widget.HighImportance
	later := widget.NewButton("Not Now", func() { d.Hide() })
	s.u.probeDialog(ok, later, text)
	s.u.inDialog["shared-password"] = password
	d = dialog.NewCustomWithoutButtons(kind.title(), container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), later, ok), nil, nil,
		container.NewVBox(text, password)), s.u.win)
	d.Resize(fyne.NewSize(520, 240))
	s.u.dialogs.show(d)
	s.u.win.Canvas().Focus(password)
}

// passwordText says whose password the server at srv asks for, and what becomes of it.
func passwordText(srv *shared.Server) string {
	return "The shared library's server asks for the password of " + srv.Role() + ". Once it takes it, this " +
		"computer's keyring keeps it, and it is not asked for again until it changes. (A password in ~/.pgpass " +
		"is used without asking.)"
}

// newPasswordEntry is a field whose text is hidden as it is typed.
func newPasswordEntry() *widget.Entry {
	e := widget.NewPasswordEntry()
	e.SetPlaceHolder("Password")
	return e
}

// tellFailure says once what failed in a sync for another reason than the server out of reach:
// a newer schema, a replica of another shared library, a privilege the member lacks. The state
// line says only that the replica is not synced.
func (s *sharedView) tellFailure(err error) {
	// Out of reach is said by the state line alone; a server whose certificate is not trusted
	// is out of reach too, and is said in full once: the member is to fix the URL or the file.
	if err == nil || errors.Is(err, shared.ErrUnreachable) && !errors.Is(err, shared.ErrUntrustedServer) {
		s.failed = ""
		return
	}
	if err.Error() == s.failed {
		return
	}
	s.failed = err.Error()
	s.u.dialogs.show(dialog.NewError(fmt.Errorf("the shared library could not be synced: %w\n\n"+
		"The window shows this computer's copy; its changes wait to be sent.", err), s.u.win))
}

// sharedStateText is the state line: connected or offline (and why), and the changes waiting.
func sharedStateText(st shared.LiveState, known bool) string {
	var b strings.Builder
	switch {
	case !known:
		b.WriteString("Shared: connecting…")
	case st.Connected && st.Err == nil:
		b.WriteString("Shared: connected")
	case st.Connected:
		b.WriteString("Shared: connected, the last sync failed")
	case errors.Is(st.Err, shared.ErrKeyPassphraseNeeded):
		b.WriteString("Shared: your client key needs its passphrase (click here)")
	case errors.Is(st.Err, shared.ErrPasswordNeeded):
		b.WriteString("Shared: the server asks for your password (click here)")
	case errors.Is(st.Err, shared.ErrUntrustedServer):
		b.WriteString("Shared: offline, the server's certificate is not trusted")
	case errors.Is(st.Err, shared.ErrUnreachable) || st.Err == nil:
		b.WriteString("Shared: offline, trying again")
	default:
		b.WriteString("Shared: not synced")
	}
	switch {
	case !known:
	case st.Sending > 0:
		fmt.Fprintf(&b, " · sending %s…", plural(st.Sending, "change", "changes"))
	case len(st.Conflicts) > 0:
		fmt.Fprintf(&b, " · %s (both versions kept)", plural(len(st.Conflicts), "conflict", "conflicts"))
	case len(st.Refused) > 0:
		fmt.Fprintf(&b, " · %s refused: you may only read (click here)", plural(len(st.Refused), "change", "changes"))
	case st.Unsent == 0:
		b.WriteString(" · all changes sent")
	default:
		fmt.Fprintf(&b, " · %s waiting", plural(st.Unsent, "change", "changes"))
	}
	if known && len(st.Renamed) > 0 {
		fmt.Fprintf(&b, " · %s to keep both (click here)", plural(len(st.Renamed), "rename", "renames"))
	}
	return b.String()
}

// tellConflicts says once which changes the server refused: another member changed the same
// row first. Both versions are kept: this computer's in its replica (and in the window), the
// server's on the server, which the other members see.
func (s *sharedView) tellConflicts(cs []shared.Conflict) {
	var names []string
	for _, c := range cs {
		names = append(names, conflictText(c))
	}
	said := strings.Join(names, "\n")
	if said == s.said {
		return
	}
	s.said = said
	if len(cs) > 0 {
		s.showConflicts(cs)
	}
}

// showConflicts shows the dialog that names the conflicts and asks which version to keep.
func (s *sharedView) showConflicts(cs []shared.Conflict) {
	var names []string
	for _, c := range cs {
		names = append(names, conflictText(c))
	}
	var notes []shared.Conflict
	named := false // a tag or a collection renamed on both sides
	for _, c := range cs {
		switch c.Kind {
		case "note":
			notes = append(notes, c)
		case "tag", "collection":
			named = named || c.Theirs != ""
		}
	}
	choices := "Keep Mine sends this computer's versions over the server's; Take the Server's replaces this " +
		"computer's changes of them with the server's versions."
	if named {
		choices += " A tag or a collection keeps one name: this computer's with Keep Mine, the server's with Take the Server's."
	}
	if len(notes) > 0 {
		choices += " Keep Both (notes only) keeps both texts in each note: this computer's, then the server's under a " +
			"rule and a heading that says when it was written."
	}
	text := "Another member changed these since this computer last synced, so the server did not take this " +
		"computer's changes of them:\n\n• " + strings.Join(names, "\n• ") + "\n\n" +
		"Both versions are kept: this computer's here, the server's for the other members. " + choices + " Decide Later " +
		"leaves both as they are, and the changes waiting (the state line, clicked, shows this again)."
	var d dialog.Dialog
	settle := func(mine bool) func() {
		return func() {
			d.Hide()
			if s.live != nil {
				// Off the UI goroutine: Live takes the choice between its syncs.
				go s.live.Resolve(cs, mine)
			}
		}
	}
	buttons := []fyne.CanvasObject{
		widget.NewButton("Decide Later", func() { d.Hide() }),
		widget.NewButton("Take the Server's", settle(false)),
		widget.NewButton("Keep Mine", settle(true)),
	}
	if len(notes) > 0 {
		buttons = append(buttons, widget.NewButton("Keep Both", func() {
			d.Hide()
			if s.live != nil {
				go s.live.KeepBoth(notes)
			}
		}))
	}
	var entries []shared.Conflict
	for _, c := range cs {
		if c.Kind == "entry" && c.What != "" {
			entries = append(entries, c)
		}
	}
	if len(entries) > 0 {
		// An entry's two versions field by field, in the merge dialog.
		buttons = append(buttons, widget.NewButton("Merge Entries…", func() {
			d.Hide()
			s.mergeEntries(entries, 0)
		}))
	}
	d = s.choose("Changes Not Sent", text, fyne.NewSize(600, 340), buttons...)
}

// mergeEntries shows conflict i of cs, over an entry, in the merge dialog: this computer's
// version beside the server's, read off the UI goroutine. Update Entry keeps the values ticked
// and sends the entry over the server's; the next conflict follows.
func (s *sharedView) mergeEntries(cs []shared.Conflict, i int) {
	if i >= len(cs) || s.live == nil {
		return
	}
	c := cs[i]
	next := func() { s.mergeEntries(cs, i+1) }
	live := s.live
	go func() {
		ctx := context.Background()
		mine, err := s.u.lib.Entry(ctx, c.What)
		var theirs *bib.Entry
		var ok bool
		if err == nil {
			theirs, ok, err = shared.ServerEntry(ctx, s.srv, c.ID)
		}
		fyneDo(func() {
			switch {
			case err != nil:
				s.u.dialogs.show(dialog.NewError(fmt.Errorf("compare %s with the server's: %w", c.What, err), s.u.win))
			case !ok:
				s.u.inform("Merge Entries", fmt.Sprintf("The server no longer has %s: Keep Mine "+
					"sends this computer's version, Take the Server's removes it here.", c.What), next)
			default:
				m := newMergeDialog(s.u, []*bib.Entry{mine, theirs}, nil, "")
				m.registry = "the server"
				m.fields = slices.Insert(m.fields, 0, typeRow)
				m.choice[typeRow] = 0
				m.settled = func() { go live.Resolve([]shared.Conflict{c}, true) }
				m.next = next
				if len(cs) > 1 {
					m.counter = fmt.Sprintf("%d of %d", i+1, len(cs))
				}
				m.show()
			}
		})
	}()
}

// conflictText names a change the server refused for people.
func conflictText(c shared.Conflict) string {
	kind := strings.ReplaceAll(c.Kind, "_", " ")
	switch {
	case c.Kind == "note" && c.What != "":
		return fmt.Sprintf("the note of %q", c.What)
	case c.What != "" && c.Theirs != "":
		return fmt.Sprintf("the %s %q (named %q on the server)", kind, c.What, c.Theirs)
	case c.What != "":
		return fmt.Sprintf("the %s %q", kind, c.What)
	}
	return "a " + kind
}

// connectWait bounds the Connect dialog's question to the server.
const connectWait = 10 * time.Second

// connectHelp is what the Connect to Shared Library dialog says under its field.
const connectHelp = "The shared library's PostgreSQL URL: postgres://USER@HOST[:PORT]/DATABASE, " +
	"with ?sslmode=require (or verify-full&sslrootcert=FILE) for a server across a network, and " +
	"&sslcert=FILE&sslkey=FILE for a client certificate. A password is read from ~/.pgpass or the file " +
	"PGPASSFILE names, or asked for and then kept in this computer's keyring, as is the passphrase of an " +
	"encrypted client key. " +
	"The window then shows this computer's copy of the library, made the first time, and keeps it in step " +
	"with the server."

// onConnectShared asks for a shared library's URL and has the window show that library in place
// of this one (UI.connect).
func (u *UI) onConnectShared() { u.connectShared("") }

// connectShared is Library › Connect to Shared Library…; with a target (a URL from File ›
// Libraries…), the dialog connects to it at once, and stays only to ask for a password.
func (u *UI) connectShared(target string) {
	if u.switchBusy("Connect to Shared Library") {
		return
	}
	text := target
	if text == "" && u.shared.srv != nil {
		text = u.shared.srv.String()
	}
	f := newServerForm(u, text)
	var ok *widget.Button
	connect := func() {
		if u.connect == nil {
			f.say("this window cannot open another library")
			return
		}
		srv, target := f.server()
		if srv == nil {
			return
		}
		if name, err := LibraryName(target); err == nil && name == u.shown {
			f.d.Hide()
			return // shown already
		}
		// Off the UI goroutine, the server is asked whether it wants a password (or the key a
		// passphrase). A server out of reach is for the window opening the library to say.
		ok.Disable()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), connectWait)
			defer cancel()
			err := srv.Ping(ctx)
			fyneDo(func() {
				if f.closed {
					return // cancelled: the window keeps its library
				}
				ok.Enable()
				if f.asked(srv, err) {
					return
				}
				f.d.Hide()
				u.openShared(target, srv)
			})
		}()
	}
	ok = f.show("Connect to Shared Library", connectHelp, "Connect", connect)
	if target != "" {
		connect()
	}
}

// openShared has the window show the shared library at target, whose server srv holds the
// password the member typed (UI.connect). Call it on the UI goroutine.
func (u *UI) openShared(target string, srv *shared.Server) {
	u.status.SetText("Opening the shared library " + srv.String() + "…")
	u.connect(target, srv)
}
