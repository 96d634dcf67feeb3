//go:build !unix

package ris

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
