package paper

import (
	"bytes"
	"fmt"
	"strings"
)

// maxDiffEdits bounds the work of Diff: past this many lines added and removed, the files are
// shown as all of the old removed and all of the new added.
const maxDiffEdits = 2000

// Diff returns the unified diff (diff -u, three lines of context) that turns old into new, whose
// file names are oldName and newName; "" when they are equal. Lines are compared whole, line
// ends included; a last line without a line end is marked "\ No newline at end of file".
func Diff(oldName, newName string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := diffLines(a, b)
	var w strings.Builder
	fmt.Fprintf(&w, "--- %s\n+++ %s\n", oldName, newName)
	const context = 3
	// Hunks: runs of changes with up to 2*context equal lines between them.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-context)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		writeHunk(&w, ops[start:end], a, b)
		i = end
	}
	return w.String()
}

// op is one line of a diff: ' ' kept, '-' removed, '+' added, with its index in a or b.
type op struct {
	kind byte
	a, b int // the line's index in a and in b (for ' ', both; for '-', a; for '+', b)
}

func writeHunk(w *strings.Builder, ops []op, a, b [][]byte) {
	aStart, bStart, aLen, bLen := -1, -1, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			if aStart < 0 {
				aStart = o.a
			}
			aLen++
		}
		if o.kind != '-' {
			if bStart < 0 {
				bStart = o.b
			}
			bLen++
		}
	}
	if aStart < 0 {
		aStart = ops[0].a - 1 // diff -u names the line before an insertion
	}
	if bStart < 0 {
		bStart = ops[0].b - 1
	}
	fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, o := range ops {
		var line []byte
		if o.kind == '+' {
			line = b[o.b]
		} else {
			line = a[o.a]
		}
		w.WriteByte(o.kind)
		w.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	if n == 0 {
		return fmt.Sprintf("%d,0", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for l := range bytes.Lines(b) {
		out = append(out, l)
	}
	return out
}

// diffLines returns the edit script from a to b: the common prefix and suffix kept, and the
// middle compared by Myers' O(ND) algorithm, bounded by maxDiffEdits.
func diffLines(a, b [][]byte) []op {
	var ops []op
	pre := 0
	for pre < len(a) && pre < len(b) && bytes.Equal(a[pre], b[pre]) {
		ops = append(ops, op{' ', pre, pre})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf], pre)...)
	for k := suf; k > 0; k-- {
		ops = append(ops, op{' ', len(a) - k, len(b) - k})
	}
	return ops
}

// myers compares a and b (offset lines into the files) by Myers' algorithm, keeping each
// step's frontier (diagonals -d..d, so D² ints in all) to trace the path back.
func myers(a, b [][]byte, offset int) []op {
	n, m := len(a), len(b)
	maxD := min(n+m, maxDiffEdits)
	v := make([]int, 2*maxD+2)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		trace = append(trace, append([]int(nil), v[maxD-d:maxD+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[maxD+k-1] < v[maxD+k+1] {
				x = v[maxD+k+1]
			} else {
				x = v[maxD+k-1] + 1
			}
			y := x - k
			for x < n && y < m && bytes.Equal(a[x], b[y]) {
				x, y = x+1, y+1
			}
			v[maxD+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		var ops []op
		for i := range a {
			ops = append(ops, op{'-', offset + i, offset})
		}
		for j := range b {
			ops = append(ops, op{'+', offset + n, offset + j})
		}
		return ops
	}
	// Trace back from (n, m).
	var rev []op
	x, y := n, m
	for d := found; d > 0; d-- {
		pv := trace[d] // pv[k+d] is diagonal k's x after step d-1
		k := x - y
		var prevK int
		if k == -d || k != d && pv[k-1+d] < pv[k+1+d] {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := pv[prevK+d]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, op{' ', offset + x, offset + y})
		}
		if x == prevX {
			y--
			rev = append(rev, op{'+', offset + x, offset + y})
		} else {
			x--
			rev = append(rev, op{'-', offset + x, offset + y})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, op{' ', offset + x, offset + y})
	}
	ops := make([]op, len(rev))
	for i, o := range rev {
		ops[len(rev)-1-i] = o
	}
	return ops
}
