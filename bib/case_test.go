package bib

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProtectCase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Capitals after the first letter, whatever the title's case.
		{"An RNA thermometer dictates production of a secreted bacterial toxin",
			"An {RNA} thermometer dictates production of a secreted bacterial toxin"},
		{"Typesetting with LaTeX on an iPhone", "Typesetting with {LaTeX} on an {iPhone}"},
		{"GPT-4 technical report", "{GPT-4} technical report"},
		{"Vaccines against COVID-19: a review", "Vaccines against {COVID-19}: a review"},
		{"mRNA decay in McDonald's data", "{mRNA} decay in {McDonald's} data"},
		// Sentence case: capitalised words after the first are proper nouns.
		{"Automated quantitative histology reveals vascular morphodynamics during Arabidopsis hypocotyl secondary growth",
			"Automated quantitative histology reveals vascular morphodynamics during {Arabidopsis} hypocotyl secondary growth"},
		{"Heat-bath random walks with Markov bases", "Heat-bath random walks with {Markov} bases"},
		{"Data from: A new malaria agent in African hominids.",
			"Data from: A new malaria agent in {African} hominids."},
		{"School truancy and financial independence: a longitudinal analysis",
			"School truancy and financial independence: a longitudinal analysis"},
		{"What is life? Schrödinger's question revisited", "What is life? Schrödinger's question revisited"},
		{"A study of the (Kondo) effect", "A study of the ({Kondo}) effect"},
		// Each part by its own case: a title-case title, a sentence-case subtitle.
		{"The Structure of Ordinary Water: New data on Raman spectra yield new insights",
			"The Structure of Ordinary Water: New data on {Raman} spectra yield new insights"},
		// Title case: nothing tells proper nouns from other words.
		{"A Seeded Image Segmentation Framework Unifying Graph Cuts And Random Walker",
			"A Seeded Image Segmentation Framework Unifying Graph Cuts And Random Walker"},
		{"Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
			"Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"},
		// Left alone: braces, math, commands, escapes, all capitals, no letters.
		{"The {DNA} of \\textit{Escherichia coli} in $\\mathbb{Z}_2$ models",
			"The {DNA} of \\textit{Escherichia coli} in $\\mathbb{Z}_2$ models"},
		{"Profits of R\\&D in the EU", "Profits of R\\&D in the {EU}"},
		{"A STUDY OF DNA", "A STUDY OF DNA"},
		{"On 3D printing of 2019 models", "On {3D} printing of 2019 models"},
		{"Proton MRI of (13)C distribution", "Proton {MRI} of {(13)C} distribution"},
		{"", ""},
	} {
		if got := ProtectCase(tc.in); got != tc.want {
			t.Errorf("ProtectCase(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if got := ProtectCase(ProtectCase(tc.in)); got != ProtectCase(tc.in) {
			t.Errorf("ProtectCase is not idempotent on %q: %q", tc.in, got)
		}
		if !Balanced(ProtectCase(tc.in)) {
			t.Errorf("ProtectCase(%q) does not balance", tc.in)
		}
	}
}

func FuzzProtectCase(f *testing.F) {
	f.Add("An RNA thermometer in {DNA} $x$ \\& Arabidopsis: a Study")
	f.Fuzz(func(t *testing.T, s string) {
		if !Balanced(s) {
			return
		}
		p := ProtectCase(s)
		if !Balanced(p) {
			t.Errorf("ProtectCase(%q) = %q does not balance", s, p)
		}
		if Plain(p) != Plain(s) && collapseSpace(Plain(p)) != collapseSpace(Plain(s)) {
			t.Errorf("ProtectCase(%q) = %q reads differently", s, p)
		}
	})
}

func TestInnerCapitals(t *testing.T) {
	for _, tc := range []struct {
		title string
		want  []TitleWord
	}{
		{"The DNA of iPhone users", []TitleWord{{"DNA", 4}, {"iPhone", 11}}},
		{"{DNA} and {\\LaTeX} in $O(N)$ time", nil},
		{"Deep Learning: A Survey", nil},
		{"ALL CAPITALS TITLE", nil},
		{"On (GPT-4).", []TitleWord{{"GPT-4", 4}}},
	} {
		got := InnerCapitals(tc.title)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("InnerCapitals(%q) (-want +got):\n%s", tc.title, diff)
		}
	}
}
