//go:build race

package shared

// raceEnabled says that the race detector is on: the client processes of TestClients, built
// with it too, make fewer edits (clientEdits).
const raceEnabled = true
