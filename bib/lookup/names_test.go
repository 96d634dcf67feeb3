package lookup

import "testing"

func TestPersonName(t *testing.T) {
	for _, tc := range []struct{ given, family, suffix, want string }{
		{"Martial", "Sankar", "", "Sankar, Martial"},
		{"Johannes Diderik", "van der Waals", "", "van der Waals, Johannes Diderik"},
		{"Guy", "Tran Van Nhieu", "", "Tran Van Nhieu, Guy"},
		{"Martin Luther", "King", "Jr.", "King, Jr., Martin Luther"},
		{"Martin Luther, Jr.", "King", "", "King, Jr., Martin Luther"},
		{"Martin Luther", "King III", "", "King, III, Martin Luther"},
		{"Sabrina", "Mühlen", "", "Mühlen, Sabrina"},
		{"A. & B.", "O'Neil_x", "", `O'Neil\_x, A. \& B.`},
		{"", "Plato", "", "Plato"},
		{"Aristotle", "", "", "{Aristotle}"},
		{"Ann", "Smith, Jones", "", "{Smith, Jones}, Ann"},
		{"Jo", "Barnes and Noble", "", "{Barnes and Noble}, Jo"},
	} {
		if got := personName(tc.given, tc.family, tc.suffix); got != tc.want {
			t.Errorf("personName(%q, %q, %q) = %q, want %q", tc.given, tc.family, tc.suffix, got, tc.want)
		}
	}
}

func TestFullName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"James M. Murray", "Murray, James M."},
		{"Adrian Del Maestro", "Del Maestro, Adrian"},
		{"Van Morrison", "Morrison, Van"},
		{"Ludwig van Beethoven", "van Beethoven, Ludwig"},
		{"Charles Louis de la Vallée Poussin", "de la Vallée Poussin, Charles Louis"},
		{"Martin Luther King Jr.", "King, Jr., Martin Luther"},
		{"Murray, James M.", "Murray, James M."},
		{"Zlatko  Tesanovic ", "Tesanovic, Zlatko"},
		{"Madonna", "Madonna"},
		{"", ""},
	} {
		if got := fullName(tc.name); got != tc.want {
			t.Errorf("fullName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCorporateName(t *testing.T) {
	if got, want := corporateName("World Health Organization"), "{World Health Organization}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := corporateName("Research & Development"), `{Research \& Development}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
