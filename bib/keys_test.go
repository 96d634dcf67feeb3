package bib

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// keyTestBib holds real entries, some with their metadata as publishers and Google Scholar
// export it, to run through the real parser.
const keyTestBib = `
@inproceedings{vaswani,
  author    = {Ashish Vaswani and Noam Shazeer and Niki Parmar and others},
  title     = {Attention Is All You Need},
  booktitle = {Advances in Neural Information Processing Systems},
  pages     = {5998--6008},
  year      = {2017},
}
@article{godel,
  author  = {Kurt G{\"o}del},
  title   = {{\"U}ber formal unentscheidbare S{\"a}tze der {P}rincipia {M}athematica und verwandter {S}ysteme {I}},
  journal = {Monatshefte f{\"u}r Mathematik und Physik},
  volume  = 38,
  pages   = {173--198},
  year    = 1931,
}
@article{orsted,
  author = {Ørsted, Hans Christian},
  title  = {Experimenta circa effectum conflictus electrici in acum magneticam},
  year   = {1820},
}
@article{lukasiewicz,
  author  = {Jan {\L}ukasiewicz},
  title   = {O logice tr{\'o}jwarto{\'s}ciowej},
  journal = {Ruch Filozoficzny},
  volume  = 5,
  pages   = {170--171},
  year    = 1920,
}
@book{gauss,
  author = {Gauß, Carl Friedrich},
  title  = {Disquisitiones Arithmeticae},
  year   = 1801,
}
@book{linnaeus,
  author = {Linn{\ae}us, Carl},
  title  = {Systema Natur{\ae}},
  year   = 1735,
}
@techreport{who,
  author      = {{World Health Organization}},
  title       = {World Report on Ageing and Health},
  institution = {World Health Organization},
  year        = 2015,
}
@phdthesis{waals,
  author = {van der Waals, Johannes Diderik},
  title  = {Over de Continu{\"\i}teit van den Gas- en Vloeistoftoestand},
  school = {Universiteit Leiden},
  year   = 1873,
}
@article{poussin,
  author = {Charles-Jean de la Vall{\'e}e Poussin},
  title  = {Recherches analytiques sur la th{\'e}orie des nombres premiers},
  year   = 1896,
}
@misc{king,
  author = {King, Jr., Martin Luther},
  title  = {Letter from Birmingham Jail},
  year   = 1963,
}
@book{homer,
  author = {Homer},
  title  = {The Odyssey},
}
@online{python,
  author = {van Rossum, Guido},
  title  = {Python Reference Manual},
  date   = {1995-05-01},
}
@book{goodin,
  editor    = {Goodin, Robert E.},
  title     = {The {Oxford} Handbook of Political Science},
  publisher = {Oxford University Press},
  year      = 2009,
}
@inproceedings{devlin,
  author    = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina},
  title     = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},
  booktitle = {Proceedings of the 2019 Conference of the North {A}merican Chapter of the Association for Computational Linguistics},
  pages     = {4171--4186},
  year      = {2019},
}
@inproceedings{bachem,
  author = {Bachem, Olivier and Lucic, Mario and Krause, Andreas},
  title  = {Scalable {$k$}-Means Clustering via Lightweight Coresets},
  year   = {2018},
}
@article{shannon,
  author  = {Shannon, Claude E.},
  title   = {A Mathematical Theory of Communication},
  journal = {Bell System Technical Journal},
  year    = 1948,
}
@article{erdos,
  author = {Erdős, Paul and Rényi, Alfréd},
  title  = {On the Evolution of Random Graphs},
  year   = 1960,
}
@inproceedings{nguyen,
  author = {Nguyễn, Văn Thành and Trần, Thị Hoa},
  title  = {Deep Learning for {V}ietnamese Named Entity Recognition},
  year   = 2020,
}
@inproceedings{he,
  author    = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  title     = {Deep residual learning for image recognition},
  booktitle = {Proceedings of the {IEEE} Conference on Computer Vision and Pattern Recognition},
  pages     = {770--778},
  year      = {2016},
}
@article{canny,
  author  = {Canny, John},
  title   = {A Computational Approach to Edge Detection},
  journal = {IEEE Transactions on Pattern Analysis and Machine Intelligence},
  volume  = 8,
  number  = 6,
  pages   = {679--698},
  doi     = {10.1109/TPAMI.1986.4767851},
  year    = 1986,
}
@article{blochl,
  author  = {Bl{\"o}chl, P. E.},
  title   = {Projector augmented-wave method},
  journal = {Physical Review B},
  volume  = 50,
  pages   = {17953--17979},
  year    = 1994,
}
@misc{beowulf,
  title = {Beowulf},
}
@misc{empty,
  note = {Nothing to go on},
}
`

// keyTestEntries returns the entries of keyTestBib by key.
func keyTestEntries(t testing.TB) map[string]*Entry {
	t.Helper()
	f := Parse("keys.bib", []byte(keyTestBib))
	if errs := f.Errors(); len(errs) > 0 {
		t.Fatalf("test entries do not parse: %v", errs)
	}
	m := map[string]*Entry{}
	for _, e := range f.Entries() {
		m[e.Key] = e
	}
	return m
}

func mustParsePattern(t testing.TB, s string) *KeyPattern {
	t.Helper()
	p, err := ParsePattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeyPresets(t *testing.T) {
	entries := keyTestEntries(t)
	type keys struct{ JabRef, BetterBibTeX, AuthorYearTitle string }
	tests := []struct {
		entry string
		want  keys
	}{
		{"vaswani", keys{"Vaswani2017", "vaswaniAttentionAllYou2017", "vaswani2017attention"}},
		{"godel", keys{"Godel1931", "godelUberFormalUnentscheidbare1931", "godel1931uber"}},
		{"orsted", keys{"Orsted1820", "orstedExperimentaCircaEffectum1820", "orsted1820experimenta"}},
		{"lukasiewicz", keys{"Lukasiewicz1920", "lukasiewiczLogiceTrojwartosciowej1920", "lukasiewicz1920logice"}},
		{"gauss", keys{"Gauss1801", "gaussDisquisitionesArithmeticae1801", "gauss1801disquisitiones"}},
		{"linnaeus", keys{"Linnaeus1735", "linnaeusSystemaNaturae1735", "linnaeus1735systema"}},
		{"who", keys{"WorldHealthOrganization2015", "worldhealthorganizationWorldReportAgeing2015", "worldhealthorganization2015world"}},
		{"waals", keys{"Waals1873", "waalsContinuiteitVanGas1873", "waals1873continuiteit"}},
		{"poussin", keys{"ValleePoussin1896", "valleepoussinRecherchesAnalytiquesTheorie1896", "valleepoussin1896recherches"}},
		{"king", keys{"King1963", "kingLetterBirminghamJail1963", "king1963letter"}},
		{"homer", keys{"Homer", "homerOdyssey", "homerodyssey"}},
		{"python", keys{"Rossum1995", "rossumPythonReferenceManual1995", "rossum1995python"}},
		{"goodin", keys{"Goodin2009", "goodinOxfordHandbookPolitical2009", "goodin2009oxford"}},
		{"devlin", keys{"Devlin2019", "devlinBERTPretrainingDeep2019", "devlin2019bert"}},
		{"bachem", keys{"Bachem2018", "bachemScalableKMeansClustering2018", "bachem2018scalable"}},
		{"shannon", keys{"Shannon1948", "shannonMathematicalTheoryCommunication1948", "shannon1948mathematical"}},
		{"erdos", keys{"Erdos1960", "erdosEvolutionRandomGraphs1960", "erdos1960evolution"}},
		{"nguyen", keys{"Nguyen2020", "nguyenDeepLearningVietnamese2020", "nguyen2020deep"}},
		{"he", keys{"He2016", "heDeepResidualLearning2016", "he2016deep"}},
		{"blochl", keys{"Blochl1994", "blochlProjectorAugmentedwaveMethod1994", "blochl1994projector"}},
		// No author or year: JabRef's pattern has nothing, so the fallback gives the title word.
		{"beowulf", keys{"Beowulf", "Beowulf", "beowulf"}},
		{"empty", keys{"key", "key", "key"}},
	}
	jabref := mustParsePattern(t, PatternJabRef)
	bbt := mustParsePattern(t, PatternBetterBibTeX)
	ayt := mustParsePattern(t, PatternAuthorYearTitle)
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			e := entries[tt.entry]
			if e == nil {
				t.Fatalf("no entry %q in the test file", tt.entry)
			}
			got := keys{jabref.Key(e), bbt.Key(e), ayt.Key(e)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeyMarkers(t *testing.T) {
	entries := keyTestEntries(t)
	tests := []struct {
		pattern, entry, want string
	}{
		{"[auth3]", "vaswani", "Vas"},
		{"[auth3_2]", "vaswani", "Sha"},
		{"[auth3_9]", "vaswani", "Attention2017"}, // no ninth author: fallback
		{"[authEtAl]", "shannon", "Shannon"},
		{"[authEtAl]", "erdos", "ErdosRenyi"},
		{"[authEtAl]", "bachem", "BachemEtAl"},
		{"[authEtAl]", "vaswani", "VaswaniEtAl"},
		{"[auth.etal]", "shannon", "Shannon"},
		{"[auth.etal]", "erdos", "Erdos.Renyi"},
		{"[auth.etal]", "bachem", "Bachem.etal"},
		{"[auth.etal]", "vaswani", "Vaswani.etal"},
		{"[auth.auth.ea]", "erdos", "Erdos.Renyi"},
		{"[auth.auth.ea]", "bachem", "Bachem.Lucic.ea"},
		{"[auth.auth.ea]", "vaswani", "Vaswani.Shazeer.ea"},
		{"[authors]", "bachem", "BachemLucicKrause"},
		{"[authors]", "vaswani", "VaswaniShazeerParmarEtAl"},
		{"[authors2]", "bachem", "BachemLucicEtAl"},
		{"[authors2]", "erdos", "ErdosRenyi"},
		{"[authors1]", "vaswani", "VaswaniEtAl"},
		{"[authorLast]", "bachem", "Krause"},
		{"[authorLast]", "vaswani", "Parmar"},
		{"[edtr]", "goodin", "Goodin"},
		{"[editors]", "goodin", "Goodin"},
		{"[edtr]", "shannon", "Mathematical1948"}, // no editor: fallback
		{"[auth][shortyear]", "vaswani", "Vaswani17"},
		{"[title]", "shannon", "AMathematicalTheoryofCommunication"},
		{"[camel]", "shannon", "AMathematicalTheoryOfCommunication"},
		{"[title]", "vaswani", "AttentionIsAllYouNeed"},
		{"[shorttitle]", "he", "DeepResidualLearning"},
		{"[shorttitle2]", "shannon", "MathematicalTheory"},
		{"[shorttitle3_1]", "he", "Deepresiduallearning"},
		{"[shorttitle3_0]", "bachem", "ScalablekMeansClustering"},
		{"[shorttitle9]", "homer", "Odyssey"},
		{"[veryshorttitle]", "he", "Deep"},
		{"[firstpage]-[lastpage]", "he", "770-778"},
		{"[auth][VOLUME]-[firstpage]", "canny", "Canny8-679"},
		{"[journal]", "shannon", "BSTJ"},
		{"[journal]", "canny", "IEEETPAMI"},
		{"[journal]", "blochl", "PRB"},
		{"[venue]", "he", "PIEEECCVPR"},
		{"[venue]", "vaswani", "ANIPS"},
		{"[venue]", "devlin", "PCNACACL"},
		{"[venue]", "goodin", "OUP"},
		{"[venue]", "who", "WHO"},
		{"[auth][journal]", "vaswani", "Vaswani"}, // not a journal article
		{"[DOI]", "canny", "10.1109TPAMI.1986.4767851"},
		{"[TITLE]", "devlin", "BERT:Pre-trainingofDeepBidirectionalTransformersforLanguageUnderstanding"},
		{"[auth:upper]", "canny", "CANNY"},
		{"[auth:lower:3]", "canny", "can"},
		{"[auth:truncate3]", "canny", "Can"},
		{"[auth:abbr]", "who", "WHO"},
		{"[auth:abbr2]", "who", "WoHeOr"},
		{"[TITLE:abbr]", "canny", "ACAtED"},
		{"[title:capitalize]", "shannon", "AMathematicalTheoryOfCommunication"},
		{"[TITLE:lower:capitalize]", "devlin", "Bert:Pre-trainingOfDeepBidirectionalTransformersForLanguageUnderstanding"},
		{"[title:12]", "vaswani", "AttentionIsA"},
		{"[venue:lower]", "vaswani", "anips"},
		{"[auth]:[year]", "canny", "Canny:1986"},
		{"[auth]_[shorttitle1:lower]", "canny", "Canny_computational"},
		{"ref-[auth]", "canny", "ref-Canny"},
		{"ref-[auth]", "empty", "key"},
		{"ref", "empty", "ref"},
		{"[auth][year]", "python", "Rossum1995"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.entry, func(t *testing.T) {
			got := mustParsePattern(t, tt.pattern).Key(entries[tt.entry])
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyNames(t *testing.T) {
	tests := []struct{ author, want string }{
		{"Ludwig van Beethoven", "Beethoven"},
		{"van Beethoven, Ludwig", "Beethoven"},
		{"Jean de La Fontaine", "LaFontaine"}, // BibTeX: "La" is upper case, so part of Last
		{"de la Fontaine, Jean", "Fontaine"},
		{"Fontaine, Jr., Jean de la", "Fontaine"},
		{"{van Gogh}, Vincent", "vanGogh"}, // braces keep the particle
		{"Vincent {van Gogh}", "vanGogh"},
		{"Ludwig van", "van"}, // the Last part is never empty
		{"O'Brien, Flann", "OBrien"},
		{"Smith-Jones, Alice", "Smith-Jones"},
		{"d'Alembert, Jean le Rond", "dAlembert"},
		{`{\'E}mile Borel`, "Borel"},
		{`Borel, {\'E}mile`, "Borel"},
		{`Paul Erd{\H{o}}s`, "Erdos"},
		{`Paul Erd\H{o}s`, "Erdos"},
		{"Антон Чехов", "key"}, // no ASCII form at all: fallback
		{"{Deutsches Institut f{\"u}r Normung}", "DeutschesInstitutfurNormung"},
		{"others", "key"},
		{"and", "and"},
		{"", "key"},
	}
	p := mustParsePattern(t, "[auth]")
	for _, tt := range tests {
		t.Run(tt.author, func(t *testing.T) {
			e := &Entry{Fields: []Field{{Name: "author", Value: tt.author}}}
			if got := p.Key(e); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyYear(t *testing.T) {
	tests := []struct{ year, date, want string }{
		{"2017", "", "2017"},
		{"1995a", "", "1995"},
		{"c. 1850", "", "1850"},
		{"", "2019-05-01", "2019"},
		{"", "2020/2021", "2020"},
		{"in press", "", "key"},
		{"12345", "", "key"},
	}
	p := mustParsePattern(t, "[year]")
	for _, tt := range tests {
		t.Run(tt.year+tt.date, func(t *testing.T) {
			e := &Entry{Fields: []Field{{Name: "year", Value: tt.year}, {Name: "date", Value: tt.date}}}
			if got := p.Key(e); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Gödel", "Godel"},
		{"Ørsted", "Orsted"},
		{"Łukasiewicz", "Lukasiewicz"},
		{"Straße", "Strasse"},
		{"Encyclopædia", "Encyclopaedia"},
		{"Ærø", "AEro"},
		{"Œuvres", "OEuvres"},
		{"Dvořák", "Dvorak"},
		{"Şahin", "Sahin"},
		{"Đorđević", "Dordevic"},
		{"İstanbul", "Istanbul"},
		{"Nguyễn", "Nguyen"},
		{"Þórsson", "THorsson"},
		{"ﬁnite eﬀects", "finite effects"},
		{"α-helix", "alpha-helix"},
		{"Ω", "Omega"},
		// Before keys used Fold, these letters were dropped.
		{"ά ΐ", "alpha iota"},
		{"H₂O x⁴", "H2O x4"},
		{"ℝ Ａ", "R A"},
		{"ɓ ɔ", "b o"},
		{"2×2", "2x2"},
		{"Go\u0308del", "Godel"},
		{"en–dash—em", "en-dash-em"},
		{"no\u00a0break", "no break"},
		{"日本語 text", " text"},
		{"bad \xff byte", "bad  byte"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := keyFold(tt.in); got != tt.want {
				t.Errorf("keyFold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyFoldIsASCII(t *testing.T) {
	for r := rune(0); r < 0x2000; r++ {
		if s := keyFold(string(r)); !keyIsASCII(s) {
			t.Errorf("keyFold(%q) = %q is not ASCII", r, s)
		}
	}
}

func keyIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func TestKeyZeroValues(t *testing.T) {
	var zero KeyPattern
	var nilPattern *KeyPattern
	p := mustParsePattern(t, PatternJabRef)
	got := []string{zero.Key(nil), nilPattern.Key(&Entry{}), p.Key(nil), p.Key(&Entry{}), nilPattern.String()}
	if diff := cmp.Diff([]string{"key", "key", "key", "key", ""}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := p.String(); got != PatternJabRef {
		t.Errorf("String() = %q, want %q", got, PatternJabRef)
	}
}

// TestKeyLength: a key made from a title of one long word was that long (100 MB from a hostile
// file); it is cut at maxMadeKey bytes, between characters.
func TestKeyLength(t *testing.T) {
	word := strings.Repeat("é", 1<<20)
	e := &Entry{Type: "misc", Fields: []Field{{Name: "title", Value: word}, {Name: "author", Value: "A" + word}, {Name: "year", Value: "2001"}}}
	for _, pattern := range []string{PatternJabRef, "[title]", "[auth][year]", "[shorttitle:lower]"} {
		k := mustParsePattern(t, pattern).Key(e)
		if len(k) > maxMadeKey || len(k) < maxMadeKey-1 || !utf8.ValidString(k) {
			t.Errorf("%s: a key of %d bytes, valid UTF-8 %v", pattern, len(k), utf8.ValidString(k))
		}
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		pattern string
		col     int
		msg     string
	}{
		{"", 1, "empty pattern"},
		{"[auth", 1, "[ without a ] after it"},
		{"[auth][year", 7, "[ without a ] after it"},
		{"[auth[year]", 1, "[ without a ] after it"},
		{"auth]", 5, "] without a [ before it"},
		{"[]", 2, "empty marker"},
		{"[:lower]", 2, "empty marker"},
		{"[autor][year]", 2, `unknown marker "autor" (did you mean [auth]?)`},
		{"[Auth][year]", 2, `unknown marker "Auth" (did you mean [auth]?)`},
		{"[authetal]", 2, `unknown marker "authetal" (did you mean [authEtAl]?)`},
		{"[auth_etal]", 2, `unknown marker "auth_etal" (did you mean [auth.etal]?)`},
		{"[auth][volume]", 8, `unknown marker "volume" (a field is named in upper case, as in [VOLUME])`},
		{"[auth][x.y]", 8, `unknown marker "x.y"`},
		{"[auth:lowr]", 7, `unknown modifier "lowr" (use lower, upper, capitalize, abbr, abbrN, truncateN or N)`},
		{"[auth::lower]", 7, "empty modifier"},
		{"[auth:lower:]", 13, "empty modifier"},
		{"[auth0]", 2, `marker "auth0": the number must be at least 1`},
		{"[auth3_0]", 2, `marker "auth3_0": the number must be at least 1`},
		{"[auth3_]", 2, `marker "auth3_": a number is missing`},
		{"[shorttitle3_x]", 2, `marker "shorttitle3_x": "x" is not a number`},
		{"[authors2_1]", 2, `marker "authors2_1": "2_1" is not a number`},
		{"[authors99999999999999999999]", 2, `marker "authors99999999999999999999": 99999999999999999999 is too large`},
		{"[auth:truncate0]", 7, `modifier "truncate0": the number must be at least 1`},
		{"[auth:abbr0]", 7, `modifier "abbr0": the number must be at least 1`},
		{"[auth] [year]", 7, `' ' cannot be part of a citation key: literal text may use ASCII letters, digits and - _ . : +`},
		{"[auth],[year]", 7, `',' cannot be part of a citation key: literal text may use ASCII letters, digits and - _ . : +`},
		{"[auth]é", 7, `'é' cannot be part of a citation key: literal text may use ASCII letters, digits and - _ . : +`},
		{"[auth:lower:é]", 13, `unknown modifier "é" (use lower, upper, capitalize, abbr, abbrN, truncateN or N)`},
		{"auth.lower + shorttitle(3,3) + year", 11, `' ' cannot be part of a citation key: literal text may use ASCII letters, digits and - _ . : +; markers go in brackets, as in [auth][year]`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			p, err := ParsePattern(tt.pattern)
			if err == nil {
				t.Fatalf("got pattern %+v, want an error", p)
			}
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *PatternError", err, err)
			}
			want := &PatternError{Pattern: tt.pattern, Col: tt.col, Msg: tt.msg}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	_, err := ParsePattern("[autor]")
	if got, want := err.Error(), `key pattern "[autor]": column 2: unknown marker "autor" (did you mean [auth]?)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParsePatternValid(t *testing.T) {
	for _, s := range []string{
		PatternJabRef, PatternBetterBibTeX, PatternAuthorYearTitle,
		"[auth:lower:capitalize:upper:abbr:abbr3:truncate4:12]", "[auth12_3][authors5][shorttitle4_2]",
		"[VOLUME][AUTHOR][DATE-ADDED][X_1]", "ref", "a-b_c.d:e+f",
	} {
		if _, err := ParsePattern(s); err != nil {
			t.Errorf("ParsePattern(%q): %v", s, err)
		}
	}
}

func TestUniqueKey(t *testing.T) {
	library := map[string]bool{}
	taken := func(k string) bool { return library[strings.ToLower(k)] }
	var got []string
	for range 30 {
		k := UniqueKey("Chen2014", taken)
		library[strings.ToLower(k)] = true
		got = append(got, k)
	}
	want := []string{"Chen2014"}
	for c := 'a'; c <= 'z'; c++ {
		want = append(want, "Chen2014"+string(c))
	}
	want = append(want, "Chen2014aa", "Chen2014ab", "Chen2014ac")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys for 30 entries with one base (-want +got):\n%s", diff)
	}

	// A key taken in another case clashes; a gap in the sequence is reused.
	library = map[string]bool{"chen2014": true, "chen2014b": true}
	if got := UniqueKey("Chen2014", taken); got != "Chen2014a" {
		t.Errorf("got %q, want Chen2014a", got)
	}
	library["chen2014a"] = true
	if got := UniqueKey("Chen2014", taken); got != "Chen2014c" {
		t.Errorf("got %q, want Chen2014c", got)
	}
	if got := UniqueKey("Chen2014", nil); got != "Chen2014" {
		t.Errorf("nil taken: got %q", got)
	}
}

func TestKeySuffix(t *testing.T) {
	tests := map[int]string{1: "a", 2: "b", 26: "z", 27: "aa", 52: "az", 53: "ba", 702: "zz", 703: "aaa", 18278: "zzz"}
	for n, want := range tests {
		if got := keySuffix(n); got != want {
			t.Errorf("keySuffix(%d) = %q, want %q", n, got, want)
		}
	}
}

// checkKey fails unless k is a key Key may return: never empty, and only key characters.
func checkKey(t *testing.T, k, pattern string, e *Entry) {
	t.Helper()
	if k == "" {
		t.Fatalf("pattern %q gives an empty key for %+v", pattern, e)
	}
	for i := 0; i < len(k); i++ {
		if !keyChar(k[i]) {
			t.Fatalf("pattern %q gives key %q with %q for %+v", pattern, k, k[i], e)
		}
	}
}

// keyFuzzPatterns are every marker and modifier, for FuzzKey to run on each entry.
func keyFuzzPatterns(t testing.TB) []*KeyPattern {
	ps := []*KeyPattern{
		mustParsePattern(t, PatternJabRef), mustParsePattern(t, PatternBetterBibTeX),
		mustParsePattern(t, PatternAuthorYearTitle),
		mustParsePattern(t, "[auth2_3:abbr2][authors2][VOLUME:capitalize][shorttitle2_1:3][camel:upper]"),
	}
	for name := range keySpecials {
		ps = append(ps, mustParsePattern(t, "["+name+":abbr:lower]x["+name+":capitalize:2]"))
	}
	return ps
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		PatternJabRef, PatternBetterBibTeX, PatternAuthorYearTitle, "", "[", "]", "[]", "[:]",
		"[auth:lower:3]", "[auth3_2]", "[shorttitle3_0]", "[VOLUME]", "ref-[year]", "[auth]ü",
		"[authors99999999999999999999]", "auth.lower + shorttitle(3,3) + year",
	} {
		f.Add(s)
	}
	entries := keyTestEntries(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T", err, err)
			}
			if pe.Col < 1 || pe.Col > utf8.RuneCountInString(s)+1 {
				t.Fatalf("column %d outside %q", pe.Col, s)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		for _, e := range entries {
			checkKey(t, p.Key(e), s, e)
		}
	})
}

func FuzzKey(f *testing.F) {
	f.Add(keyTestBib, "")
	f.Add(`@article{x, author = {{\"O}zt{\"u}rk, {\c{S}}ahin and others}, title = {{$\alpha$}-{$\beta$} {\em pruning}}, year = {20{1}9}}`, "[auth:abbr2][year]")
	f.Add("@misc{x, author = { and , and {}}, title = {:/ - {} \\}, pages = {--}}", "[authors1:capitalize]")
	f.Add("@book{x, editor = {{\\v{", "[edtr]")
	patterns := keyFuzzPatterns(f)
	f.Fuzz(func(t *testing.T, src, pattern string) {
		entries := Parse("fuzz.bib", []byte(src)).Entries()
		// The same text as every field's value, past what the parser would let through.
		var fields []Field
		for _, name := range []string{"author", "editor", "title", "year", "date", "pages", "journal", "booktitle", "volume"} {
			fields = append(fields, Field{Name: name, Value: src})
		}
		entries = append(entries, &Entry{Fields: fields})
		ps := patterns
		if p, err := ParsePattern(pattern); err == nil {
			ps = append(ps[:len(ps):len(ps)], p)
		}
		for _, e := range entries {
			for _, p := range ps {
				checkKey(t, p.Key(e), p.String(), e)
			}
		}
	})
}

func ExampleKeyPattern_Key() {
	src := `@inproceedings{vaswani2017attention,
  author = {Ashish Vaswani and Noam Shazeer and Niki Parmar and others},
  title  = {Attention Is All You Need},
  year   = {2017},
}`
	e := Parse("scholar.bib", []byte(src)).Entries()[0]
	for _, s := range []string{PatternJabRef, PatternBetterBibTeX, PatternAuthorYearTitle, "[auth.etal]:[shortyear]"} {
		p, err := ParsePattern(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Key(e))
	}
	// Output:
	// Vaswani2017
	// vaswaniAttentionAllYou2017
	// vaswani2017attention
	// Vaswani.etal:17
}

func ExampleUniqueKey() {
	library := map[string]bool{"vaswani2017": true, "vaswani2017a": true}
	taken := func(k string) bool { return library[strings.ToLower(k)] }
	fmt.Println(UniqueKey("Vaswani2017", taken))
	fmt.Println(UniqueKey("Shazeer2017", taken))
	// Output:
	// Vaswani2017b
	// Shazeer2017
}

// The domain rules that several packages apply are defined once, here: a year, a venue, a
// keywords field's words and the order of fields.
func TestSharedRules(t *testing.T) {
	e := Parse("t.bib", []byte(`@inproceedings{x, booktitle = {Proc. of X}, journal = { }, year = {c. 2019},
		keywords = {graphs; neural networks,, ml }}`)).Entries()[0]
	if got := Year(e); got != "2019" {
		t.Errorf("Year = %q, want 2019", got)
	}
	if got := Venue(e); got != "Proc. of X" {
		t.Errorf("Venue = %q: a blank journal does not count", got)
	}
	if got := SplitKeywords(Plain(e.Get("keywords")), ""); !slices.Equal(got, []string{"graphs", "neural networks", "ml"}) {
		t.Errorf("SplitKeywords = %q", got)
	}
	order := FieldOrder()
	order[0] = "changed"
	if FieldOrder()[0] != "author" || FieldRank("author") != 0 || FieldRank("zzz") != len(order) {
		t.Error("FieldOrder is changed through the slice it returned, or FieldRank disagrees with it")
	}
}

// TestFoldKey checks that keys fold their ASCII letters only, as BibTeX and NOCASE do.
func TestFoldKey(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Smith2020", "smith2020", true},
		{"SMITH2020a", "smith2020A", true},
		{"Ärzte2020", "ärzte2020", false},
		{"Ärzte2020", "Ärzte2020", true},
		{"straße", "STRASSE", false},
		{"k", "K ", false},
		{"", "", true},
	} {
		if got := SameKey(tc.a, tc.b); got != tc.same {
			t.Errorf("SameKey(%q, %q) = %v", tc.a, tc.b, got)
		}
		if got := FoldKey(tc.a) == FoldKey(tc.b); got != tc.same {
			t.Errorf("FoldKey(%q) = %q, FoldKey(%q) = %q", tc.a, FoldKey(tc.a), tc.b, FoldKey(tc.b))
		}
	}
	if k := "already-small"; FoldKey(k) != k {
		t.Error("FoldKey changed a small key")
	}
}
