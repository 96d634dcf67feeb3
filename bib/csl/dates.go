package csl

import (
	"fmt"
	"strconv"
	"strings"
)

// date is a CSL date: one or two dates of year, month and day (0 when not given), or a literal.
type date struct {
	parts   [][3]int // [year, month, day]; two for a range
	circa   bool
	season  int // 1-4: spring, summer, autumn, winter
	literal string
}

var monthMacro = []string{"", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// readDate reads a CSL date variable: {"date-parts": [[y, m, d], [y, m, d]], "season", "circa",
// "literal", "raw"}, parts given as numbers or strings, or a string, which is read as "raw" is.
func readDate(v value) (date, bool) {
	if v.kind == stringValue {
		s := v.str()
		return rawDate(s), strings.TrimSpace(s) != ""
	}
	if v.kind != object {
		return date{}, false
	}
	var parts, season, circa, raw, literal value
	members(v, func(key []byte, esc bool, m value) {
		switch keyOf(key, esc) {
		case "date-parts":
			parts = m
		case "season":
			season = m
		case "circa":
			circa = m
		case "raw":
			raw = m
		case "literal":
			literal = m
		}
	})
	var d date
	if parts.kind == array {
		elements(parts, func(p value) {
			if p.kind != array || len(d.parts) == 2 {
				return
			}
			var arr [3]value
			count := 0
			elements(p, func(x value) {
				if count < 3 {
					arr[count] = x
				}
				count++
			})
			if count == 0 {
				return
			}
			var ymd [3]int
			good := true
			for i := 0; i < count && i < 3; i++ {
				n, ok := intOf(arr[i])
				if !ok || i == 1 && (n < 1 || n > 12) && (n < 21 || n > 24) || i == 2 && (n < 1 || n > 31) {
					good = i > 0
					break
				}
				if i == 1 && n > 12 {
					d.season = n - 20
					break
				}
				ymd[i] = n
			}
			if good {
				d.parts = append(d.parts, ymd)
			}
		})
	}
	if s, ok := intOf(season); ok && s >= 1 && s <= 4 {
		d.season = s
	} else if season.kind == stringValue {
		d.season = seasonNumber(season.str())
	}
	switch circa.kind {
	case trueValue:
		d.circa = true
	case falseValue:
		d.circa = false
	case stringValue:
		c := circa.str()
		d.circa = c != "" && c != "0" && c != "false"
	case number:
		d.circa = string(circa.b) != "0"
	}
	if len(d.parts) == 0 {
		if r := raw.str(); raw.kind == stringValue && strings.TrimSpace(r) != "" {
			rd := rawDate(r)
			rd.circa = rd.circa || d.circa
			return rd, true
		}
		if lit := literal.str(); literal.kind == stringValue && strings.TrimSpace(lit) != "" {
			return date{literal: strings.TrimSpace(lit)}, true
		}
		return d, false
	}
	return d, true
}

func seasonNumber(s string) int {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "spring":
		return 1
	case "2", "summer":
		return 2
	case "3", "autumn", "fall":
		return 3
	case "4", "winter":
		return 4
	}
	return 0
}

func intOf(v value) (int, bool) {
	var s string
	switch v.kind {
	case number:
		s = string(v.b)
	case stringValue:
		s = strings.TrimSpace(v.str())
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -99999 || n > 99999 {
		return 0, false
	}
	return n, true
}

// rawDate reads a date as text: EDTF-like (2001, 2001-03-02, 2001-03/2002-05, 2001~, 2001?), or
// a literal.
func rawDate(s string) date {
	s = strings.TrimSpace(s)
	if d, ok := edtf(s); ok {
		return d
	}
	return date{literal: s}
}

// edtf reads the part of EDTF that biblatex's date field and CSL's "raw" dates use: one date or
// a range of two, each year[-month[-day]], a month of 21-24 being a season, and ~ or ? (or
// both, %) at the end marking an approximate date.
func edtf(s string) (date, bool) {
	var d date
	for _, c := range []string{"~", "?", "%"} {
		if strings.HasSuffix(s, c) {
			s, d.circa = strings.TrimSuffix(s, c), true
		}
	}
	ends := strings.Split(s, "/")
	if len(ends) > 2 || s == "" {
		return d, false
	}
	for _, e := range ends {
		e = strings.TrimSuffix(strings.TrimSuffix(e, "~"), "?")
		neg := strings.HasPrefix(e, "-")
		fs := strings.Split(strings.TrimPrefix(e, "-"), "-")
		if len(fs) > 3 || len(fs[0]) == 0 || len(fs[0]) > 5 {
			return d, false
		}
		var ymd [3]int
		for i, f := range fs {
			n, err := strconv.Atoi(f)
			if err != nil || f == "" || f[0] == '+' {
				return d, false
			}
			switch {
			case i == 1 && n >= 21 && n <= 24 && len(fs) == 2:
				d.season = n - 20
				n = 0
			case i == 1 && (n < 1 || n > 12), i == 2 && (n < 1 || n > 31):
				return d, false
			}
			ymd[i] = n
		}
		if neg {
			ymd[0] = -ymd[0]
		}
		d.parts = append(d.parts, ymd)
	}
	return d, true
}

// edtfString writes a date as biblatex's date field takes it: 2001-03/2002-05, 2001~.
func (d date) edtfString() string {
	var b strings.Builder
	for i, p := range d.parts {
		if i > 0 {
			b.WriteByte('/')
		}
		if p[0] < 0 {
			fmt.Fprintf(&b, "-%04d", -p[0])
		} else {
			fmt.Fprintf(&b, "%04d", p[0])
		}
		switch {
		case p[1] > 0:
			fmt.Fprintf(&b, "-%02d", p[1])
			if p[2] > 0 {
				fmt.Fprintf(&b, "-%02d", p[2])
			}
		case d.season > 0 && len(d.parts) == 1:
			fmt.Fprintf(&b, "-%02d", d.season+20)
		}
	}
	if d.circa {
		b.WriteByte('~')
	}
	return b.String()
}

// json returns the date as CSL-JSON writes it.
func (d date) json() map[string]any {
	if d.literal != "" {
		return map[string]any{"literal": d.literal}
	}
	parts := make([][]int, 0, len(d.parts))
	for _, p := range d.parts {
		switch {
		case p[2] > 0 && p[1] > 0:
			parts = append(parts, []int{p[0], p[1], p[2]})
		case p[1] > 0:
			parts = append(parts, []int{p[0], p[1]})
		default:
			parts = append(parts, []int{p[0]})
		}
	}
	m := map[string]any{"date-parts": parts}
	if d.circa {
		m["circa"] = true
	}
	if d.season > 0 {
		m["season"] = d.season
	}
	return m
}
