package bibtest

import (
	"os"
	"strconv"
	"strings"
)

// ResetPeakRSS resets the process's peak resident memory, and returns what reads it, in MB;
// nil where it cannot (Linux only: /proc/self/clear_refs, then VmHWM of /proc/self/status).
// The benchmarks of large libraries report their peak-MB with it.
func ResetPeakRSS() func() float64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return nil
	}
	return func() float64 { return status("VmHWM:") }
}

// RSS returns the process's resident memory now, in MB; 0 where it cannot (Linux only: VmRSS of
// /proc/self/status). A benchmark reports it beside its peak, to tell its own data from what it
// measures.
func RSS() float64 {
	return status("VmRSS:")
}

// status returns the value of the field name of /proc/self/status, in MB (0: none).
func status(name string) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, name); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(kb), " kB"))
			return float64(n) / 1024
		}
	}
	return 0
}
