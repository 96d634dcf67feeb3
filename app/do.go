package app

import (
	"sync"

	"fyne.io/fyne/v2"
)

// uiLock serialises the functions handed to fyne.Do. Fyne's desktop driver runs them one at a
// time on its UI goroutine, so the app needs no lock; Fyne's test driver runs each on the
// goroutine that hands it over, where two could run at once and race on a widget. The tests
// set uiLock to a mutex (see TestMain).
var uiLock sync.Locker = noLock{}

type noLock struct{}

func (noLock) Lock()   {}
func (noLock) Unlock() {}

// fyneDo is fyne.Do under uiLock. A function it runs must not call it again directly.
func fyneDo(f func()) {
	fyne.Do(func() {
		uiLock.Lock()
		defer uiLock.Unlock()
		f()
	})
}

// fyneDoAndWait is fyne.DoAndWait under uiLock.
func fyneDoAndWait(f func()) {
	fyne.DoAndWait(func() {
		uiLock.Lock()
		defer uiLock.Unlock()
		f()
	})
}
