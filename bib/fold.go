package bib

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold spells plain text (as Plain returns it) without accents, in the letters of the Latin
// alphabet wherever Unicode or a short list allows. It is the one folding of text that citation
// keys and duplicate detection share, each adding a step of its own: a key keeps ASCII letters,
// digits and a few signs, spelling Greek letters by name (Ω Omega); duplicate detection keeps
// the letters and digits of any script, in lower case. Folding
//
//   - decomposes letters and digits (NFKD) and drops the combining marks, so accents go however
//     they are written (Gödel, and o followed by U+0308, give Godel), and compatibility forms
//     become plain ones (the ligature ﬁ fi, x² x2, full-width Ａ A, ℝ R, µ μ);
//   - spells the Latin letters that have no decomposition by their base letters: ß ss, æ ae,
//     œ oe, þ th, ø o, ł l, đ d, ð d, ı i, ħ h, ŋ n, and the hooked and barred letters of
//     Latin Extended-B (foldLetters);
//   - turns every dash and the minus sign into "-", and every space (no-break, thin...) and
//     control character into a space;
//   - keeps case, and everything else as it is: Greek, Cyrillic, CJK, punctuation, symbols
//     (signs such as ™ are not decomposed, while ½ is a number: 1⁄2).
//
// Search does not use Fold: SQLite's FTS5 tokenizer folds the index and the query its own way
// (see docs/DEVELOPMENT.md). Text that is ASCII without control characters comes back as it
// is, without allocating.
func Fold(s string) string {
	if foldsToItself(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			b = append(b, ' ')
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		case unicode.Is(unicode.Mn, r):
		case r >= 0x2010 && r <= 0x2015 || r == 0x2212:
			b = append(b, '-')
		case unicode.IsSpace(r):
			b = append(b, ' ')
		case r >= hangulFirst && r <= hangulLast:
			// Hangul syllables decompose by a formula, not a table: Decomposition has none.
			b = norm.NFKD.AppendString(b, s[i:i+utf8.RuneLen(r)])
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			dec := norm.NFKD.PropertiesString(s[i:]).Decomposition()
			if dec == nil {
				b = foldRune(b, r)
				continue
			}
			for len(dec) > 0 {
				d, n := utf8.DecodeRune(dec)
				b, dec = foldRune(b, d), dec[n:]
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

// The Hangul syllables, U+AC00 to U+D7A3.
const hangulFirst, hangulLast = 0xac00, 0xd7a3

// foldRune appends a rune of a letter's decomposition: nothing for a combining mark, the
// spelling of a letter in foldLetters, the rune itself otherwise.
func foldRune(b []byte, r rune) []byte {
	if unicode.Is(unicode.Mn, r) {
		return b
	}
	if s, ok := foldLetters[r]; ok {
		return append(b, s...)
	}
	return utf8.AppendRune(b, r)
}

// foldsToItself reports whether Fold(s) is s: ASCII without control characters.
func foldsToItself(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// foldLetters spells the Latin letters that Unicode does not decompose into a base letter and
// marks. A capital's spelling is all capitals: Æ AE, Þ TH.
var foldLetters = map[rune]string{
	// Latin-1 Supplement.
	'Æ': "AE", 'æ': "ae", 'Ð': "D", 'ð': "d", 'Ø': "O", 'ø': "o", 'Þ': "TH", 'þ': "th",
	'ß': "ss",
	// Latin Extended-A.
	'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i", 'ĸ': "k", 'Ł': "L", 'ł': "l", 'Ŋ': "N",
	'ŋ': "n", 'Œ': "OE", 'œ': "oe", 'Ŧ': "T", 'ŧ': "t",
	// Latin Extended-B.
	'ƀ': "b", 'Ɓ': "B", 'Ƃ': "B", 'ƃ': "b", 'Ɔ': "O", 'Ƈ': "C", 'ƈ': "c", 'Ɖ': "D", 'Ɗ': "D",
	'Ƌ': "D", 'ƌ': "d", 'Ǝ': "E", 'Ə': "E", 'Ɛ': "E", 'Ƒ': "F", 'ƒ': "f", 'Ɠ': "G", 'Ɣ': "G",
	'Ɩ': "I", 'Ɨ': "I", 'Ƙ': "K", 'ƙ': "k", 'ƚ': "l", 'Ɯ': "M", 'Ɲ': "N", 'ƞ': "n", 'Ɵ': "O",
	'Ƥ': "P", 'ƥ': "p", 'Ʀ': "R", 'ƫ': "t", 'Ƭ': "T", 'ƭ': "t", 'Ʈ': "T", 'Ʊ': "U", 'Ʋ': "V",
	'Ƴ': "Y", 'ƴ': "y", 'Ƶ': "Z", 'ƶ': "z", 'ǝ': "e", 'Ǥ': "G", 'ǥ': "g", 'Ƞ': "N", 'ȡ': "d",
	'Ȥ': "Z", 'ȥ': "z", 'ȴ': "l", 'ȵ': "n", 'ȶ': "t", 'ȷ': "j", 'Ⱥ': "A", 'Ȼ': "C", 'ȼ': "c",
	'Ƚ': "L", 'Ⱦ': "T", 'ȿ': "s", 'ɀ': "z", 'Ƀ': "B", 'Ʉ': "U", 'Ʌ': "V", 'Ɇ': "E", 'ɇ': "e",
	'Ɉ': "J", 'ɉ': "j", 'Ɋ': "Q", 'ɋ': "q", 'Ɍ': "R", 'ɍ': "r", 'Ɏ': "Y", 'ɏ': "y",
	// The small letters of capitals above, in IPA Extensions and Latin Extended-C.
	'ɓ': "b", 'ɔ': "o", 'ɖ': "d", 'ɗ': "d", 'ə': "e", 'ɛ': "e", 'ɠ': "g", 'ɣ': "g", 'ɨ': "i",
	'ɩ': "i", 'ɯ': "m", 'ɲ': "n", 'ɵ': "o", 'ʀ': "r", 'ʈ': "t", 'ʉ': "u", 'ʊ': "u", 'ʋ': "v",
	'ʌ': "v", 'ⱥ': "a", 'ⱦ': "t", 'Ȿ': "S", 'Ɀ': "Z",
	// Latin Extended Additional.
	'ẜ': "s", 'ẝ': "s", 'ẞ': "SS", 'ẟ': "d", 'Ỻ': "LL", 'ỻ': "ll", 'Ỽ': "V", 'ỽ': "v", 'Ỿ': "Y",
	'ỿ': "y",
}
