package lint

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkDate returns why biber cannot read s as a date, or "" when it can. biblatex's date fields
// take ISO 8601-2's Extended Date/Time Format, levels 0 and 1 (biblatex manual §2.3.8):
//
//   - a date: YYYY, YYYY-MM, YYYY-MM-DD, a negative year (-0044), a year beyond four digits
//     written Y and its digits (Y-170000002), a season as month 21 to 24 (2004-22);
//   - a time after a full date: T, hh:mm:ss and a zone (Z, +hh, +hh:mm);
//   - unspecified digits, X: 199X, 19XX, 1999-XX, 1999-XX-XX, 1999-01-XX;
//   - a date uncertain (?), approximate (~) or both (%), the mark at its end;
//   - a range, date/date, open at either end (1997/, /1997, ../1997, 1997/..).
func checkDate(s string) string {
	s = asciiDigits(s)
	if !strings.Contains(s, "/") {
		return datePart(s)
	}
	from, to, _ := strings.Cut(s, "/")
	if strings.Contains(to, "/") {
		return "a range has one /"
	}
	open := func(p string) bool { return p == "" || p == ".." }
	if open(from) && open(to) {
		return "a range needs a date at one end at least"
	}
	for _, p := range []string{from, to} {
		if !open(p) {
			if why := datePart(p); why != "" {
				return why
			}
		}
	}
	return ""
}

// datePart returns why s is not one date of level 0 or 1, or "".
func datePart(s string) string {
	s = strings.TrimRight(s, "?~%")
	date, clock, timed := strings.Cut(s, "T")
	if strings.HasPrefix(date, "Y") {
		y := strings.TrimPrefix(date[1:], "-")
		if len(y) < 5 || !allDigits(y) {
			return "a Y year has five digits or more (Y170000002)"
		}
		if timed {
			return "a Y year has no month, day or time"
		}
		return ""
	}
	neg := strings.HasPrefix(date, "-")
	parts := strings.Split(strings.TrimPrefix(date, "-"), "-")
	if len(parts) > 3 {
		return "a date is YYYY, YYYY-MM or YYYY-MM-DD"
	}
	y := parts[0]
	if len(y) != 4 {
		return "the year has four digits (YYYY; -YYYY before year 1)"
	}
	yx := strings.TrimRight(y, "X")
	if !allDigits(yx) && yx != "" || len(yx) < 2 || neg && yx != y {
		return "the year is four digits, the last of them may be X (199X, 19XX)"
	}
	if len(parts) == 1 {
		if timed {
			return "a time follows a full date (YYYY-MM-DDThh:mm:ss)"
		}
		return ""
	}
	m := parts[1]
	month := 0
	switch {
	case m == "XX":
	case len(m) == 2 && allDigits(m):
		month = int(m[0]-'0')*10 + int(m[1]-'0')
		if month < 1 || month > 12 && month < 21 || month > 24 {
			return fmt.Sprintf("month %s is not 01 to 12, or a season 21 to 24", m)
		}
	default:
		return "the month has two digits (01 to 12) or is XX"
	}
	if yx != y && m != "XX" {
		return "a year with X has a month of XX"
	}
	if len(parts) == 2 {
		if timed {
			return "a time follows a full date (YYYY-MM-DDThh:mm:ss)"
		}
		return ""
	}
	d := parts[2]
	switch {
	case month > 12:
		return "a season has no day"
	case d == "XX":
	case len(d) == 2 && allDigits(d):
		day := int(d[0]-'0')*10 + int(d[1]-'0')
		if day < 1 || month > 0 && yx == y && day > daysIn(month, y) || month == 0 && day > 31 {
			return fmt.Sprintf("%s has no day %s", strings.TrimPrefix(date[:len(date)-3], "-"), d)
		}
	default:
		return "the day has two digits (01 to 31) or is XX"
	}
	if m == "XX" && d != "XX" {
		return "a month of XX has a day of XX"
	}
	if timed {
		return checkTime(clock)
	}
	return ""
}

// asciiDigits returns s with the decimal digits of other scripts (१९८७) as ASCII digits, which
// biber reads them as.
func asciiDigits(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf || !unicode.IsDigit(r) {
			return r
		}
		zero := r
		for unicode.IsDigit(zero - 1) { // digits come in runs of tens
			zero--
		}
		return '0' + (r-zero)%10
	}, s)
}

// daysIn returns the days of a month (1 to 12) of a four-digit year, by the Gregorian calendar.
func daysIn(month int, year string) int {
	switch month {
	case 2:
		y := 0
		for i := 0; i < 4; i++ {
			y = y*10 + int(year[i]-'0')
		}
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// checkTime returns why s is not hh:mm:ss with an optional zone (Z, +hh, -hh:mm), or "".
func checkTime(s string) string {
	const bad = "the time is hh:mm:ss, and a zone Z, +hh or +hh:mm"
	clock, zone := s, ""
	if i := strings.IndexAny(s, "Z+-"); i >= 0 {
		clock, zone = s[:i], s[i:]
	}
	c := strings.Split(clock, ":")
	if len(c) == 3 {
		if sec, frac, ok := strings.Cut(c[2], "."); ok && allDigits(frac) {
			c[2] = sec // fractions of a second: 14:20:00.000
		}
	}
	if len(c) != 3 || !twoDigits(c[0], 23) || !twoDigits(c[1], 59) || !twoDigits(c[2], 60) {
		return bad
	}
	switch {
	case zone == "" || zone == "Z":
		return ""
	case len(zone) == 3 && twoDigits(zone[1:], 14):
		return ""
	case len(zone) == 6 && zone[3] == ':' && twoDigits(zone[1:3], 14) && twoDigits(zone[4:], 59):
		return ""
	}
	return bad
}

func twoDigits(s string, most int) bool {
	return len(s) == 2 && allDigits(s) && int(s[0]-'0')*10+int(s[1]-'0') <= most
}
