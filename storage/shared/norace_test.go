//go:build !race

package shared

// raceEnabled says that the race detector is on (race_test.go).
const raceEnabled = false
