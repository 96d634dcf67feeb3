package ident

import (
	"strings"
)

// pmcPaths are the hosts and paths of PubMed Central's and Europe PMC's pages before "PMC".
var pmcPaths = []string{"ncbi.nlm.nih.gov/pmc/articles/", "pmc.ncbi.nlm.nih.gov/articles/", "europepmc.org/abstract/pmc/", "europepmc.org/article/pmc/"}

// maxPubMedDigits is the longest number taken as a PMID or PMCID. PMIDs have eight digits
// today and PMCIDs (after PMC) eight.
const maxPubMedDigits = 9

// pubmed finds PMIDs, labelled (PMID: 123, PMID- 123 as MEDLINE writes it) or in a PubMed
// URL, and PMCIDs (PMC123, PMCID: PMC123 or PMCID: 123). A number alone is not taken as a
// PMID: in pasted text it is far more often something else.
func (s *scanner) pubmed() {
	s.pmidLabels()
	s.endPass()
	s.pmidURLs("pubmed.ncbi.nlm.nih.gov/")
	s.endPass()
	s.pmidURLs("ncbi.nlm.nih.gov/pubmed/")
	s.endPass()
	s.pmcids()
	s.endPass()
}

func (s *scanner) pmidLabels() {
	for i := 0; ; {
		j := strings.Index(s.lower[i:], "pmid")
		if j < 0 {
			break
		}
		start := i + j
		i = start + 4
		if start > 0 && isAlnum(s.text[start-1]) {
			continue
		}
		k := skipLabelGap(s.text, i, ":=-")
		if end, value := pubmedNumber(s.text, k); end > 0 && !s.isTaken(start, end) {
			s.add(PMID, value, 0, start, end)
			i = end
		}
	}
}

func (s *scanner) pmidURLs(host string) {
	for i := 0; ; {
		j := strings.Index(s.lower[i:], host)
		if j < 0 {
			break
		}
		at := i + j
		i = at + len(host)
		end, value := pubmedNumber(s.text, i)
		if end < 0 {
			continue
		}
		start := urlBefore(s.lower, i, host)
		if !s.isTaken(start, end) {
			s.add(PMID, value, 0, start, end)
			i = end
		}
	}
}

func (s *scanner) pmcids() {
	for i := 0; ; {
		j := strings.Index(s.lower[i:], "pmc")
		if j < 0 {
			break
		}
		start := i + j
		i = start + 3
		if start > 0 && isAlnum(s.text[start-1]) {
			continue
		}
		k := i
		if strings.HasPrefix(s.lower[k:], "id") { // PMCID: PMC123 or PMCID: 123
			k = skipLabelGap(s.text, k+2, ":=-")
			if strings.HasPrefix(s.lower[k:], "pmc") {
				k += 3
			}
		}
		end, value := pubmedNumber(s.text, k)
		if end < 0 {
			continue
		}
		if u := urlBefore(s.lower, start, pmcPaths...); u >= 0 {
			start = u
		}
		if !s.isTaken(start, end) {
			s.add(PMCID, "PMC"+value, 0, start, end)
			i = end
		}
	}
}

// skipLabelGap returns the index after the spaces, one of the signs in seps, and spaces that
// may follow a label at t[i].
func skipLabelGap(t string, i int, seps string) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	if i < len(t) && strings.IndexByte(seps, t[i]) >= 0 {
		i++
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

// pubmedNumber reads the number of a PMID or PMCID at t[i] and returns where it ends and its
// digits without leading zeros, or -1 when there is no number of 1 to maxPubMedDigits digits
// (not zero) followed by something other than a letter or a digit.
func pubmedNumber(t string, i int) (int, string) {
	n := countDigits(t[i:])
	end := i + n
	if n == 0 || n > maxPubMedDigits || end < len(t) && isAlnum(t[end]) {
		return -1, ""
	}
	value := strings.TrimLeft(t[i:end], "0")
	if value == "" {
		return -1, ""
	}
	return end, value
}
