package ident

import (
	"strings"
	"testing"
	"time"
)

// TestFindHostile: a megabyte of text made to make Find read the same bytes again from each
// place a candidate starts is read in about the time of any other megabyte.
func TestFindHostile(t *testing.T) {
	const mb = 1 << 20
	texts := map[string]string{
		"closing brackets after a DOI": "10.1000/" + strings.Repeat(")", mb),
		"dotted registrants":           strings.Repeat("10.10", mb/5) + "/x",
		"one long DOI":                 "10.1000/" + strings.Repeat("a(", mb/2),
		"digits":                       strings.Repeat("1", mb),
		"spaced digits":                strings.Repeat("9 ", mb/2),
		"dashed digits":                strings.Repeat("9-", mb/2),
		"ISBN-10s on one line":         strings.Repeat("0199535922, ", mb/12),
		"dots":                         strings.Repeat("1234.", mb/5),
		"slashes":                      strings.Repeat("hep-th/", mb/7),
		"labels":                       strings.Repeat("PMID: PMCID: arXiv: doi: ISBN ", mb/30),
		"old arXiv ids":                strings.Repeat("math.GT/0309136", mb/15),
	}
	for name, text := range texts {
		start := time.Now()
		Find(text)
		Unrecognised(text)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}
