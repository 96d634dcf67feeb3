package lint

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// Why each command has no business in a bibliography. A .bib file is shared, downloaded and
// pasted from; whatever TeX its fields and @preamble hold, LaTeX runs while it typesets the
// bibliography, and with shell escape on (\write18, which some editors turn on for minted or
// gnuplot) that is any command on the machine.
const (
	whyShell  = "runs a shell command when shell escape is on"
	whyWrite  = "writes to a file, or as \\write18 runs a shell command when shell escape is on"
	whyRead   = "reads a file, or a command's output (|\"cmd\") when shell escape is on"
	whyDefine = "defines a command, which can redefine any command of the document"
	whyHide   = "changes how TeX reads what follows, which can hide any command from this check"
	whySetup  = "changes the document's setup, which has no place in a bibliography"
	whyLua    = "runs Lua code, which can run any command"
	whyDriver = "passes a command to the DVI or PDF driver (dvips runs `-quoted commands)"
)

// dangerous maps the control words that have no business in a bibliography to why.
var dangerous = map[string]string{
	"write": whyWrite, "immediate": whyWrite, "openout": whyWrite, "closeout": whyWrite, "newwrite": whyWrite,
	"ShellEscape": whyShell,
	"openin":      whyRead, "closein": whyRead, "read": whyRead, "readline": whyRead, "newread": whyRead,
	"input": whyRead, "include": whyRead, "InputIfFileExists": whyRead, "@input": whyRead,
	"def": whyDefine, "edef": whyDefine, "gdef": whyDefine, "xdef": whyDefine, "let": whyDefine,
	"futurelet": whyDefine, "global": whyDefine, "newcommand": whyDefine, "renewcommand": whyDefine,
	"providecommand": whyDefine, "DeclareRobustCommand": whyDefine, "newenvironment": whyDefine,
	"renewenvironment": whyDefine, "NewDocumentCommand": whyDefine, "RenewDocumentCommand": whyDefine,
	"ProvideDocumentCommand": whyDefine, "DeclareDocumentCommand": whyDefine,
	"catcode": whyHide, "lccode": whyHide, "uccode": whyHide, "csname": whyHide, "scantokens": whyHide,
	"makeatletter": whyHide, "endlinechar": whyHide, "escapechar": whyHide, "newlinechar": whyHide,
	"everyjob": whyHide, "everypar": whyHide, "everyeof": whyHide, "everymath": whyHide,
	"everydisplay": whyHide, "everyhbox": whyHide, "everyvbox": whyHide, "everycr": whyHide,
	"afterassignment": whyHide, "globaldefs": whyHide,
	"documentclass": whySetup, "usepackage": whySetup, "RequirePackage": whySetup, "endinput": whySetup,
	"directlua": whyLua, "latelua": whyLua, "luaexec": whyLua, "luadirect": whyLua,
	"special": whyDriver, "pdfliteral": whyDriver,
}

// tex reports the dangerous TeX in a field's raw text, every field, repeated ones included:
// biber reads what BibTeX leaves.
func (c *checker) tex(e *bib.Entry, f *bib.Field) {
	for _, h := range findTeX(f.Raw) {
		c.add(DangerousTeX, Error, e, f, h.off, "", "%s: %s %s", f.Name, h.name, h.why)
	}
}

// texItem reports the dangerous TeX in a @preamble or @string item.
func (c *checker) texItem(it *bib.Item, what string) {
	for _, h := range findTeX(it.Raw) {
		line := it.Line + strings.Count(it.Raw[:h.off], "\n")
		ls := strings.LastIndexByte(it.Raw[:h.off], '\n') + 1
		col := utf8.RuneCountInString(it.Raw[ls:h.off]) + 1
		if ls == 0 {
			col += utf8.RuneCountInString(it.Prefix)
		}
		msg := fmt.Sprintf("%s: %s %s", what, h.name, h.why)
		if it.Kind == bib.KindString {
			msg = fmt.Sprintf("@string %s: %s %s", it.Name, h.name, h.why)
		}
		c.out = append(c.out, Finding{Check: DangerousTeX, Severity: Error, File: c.file, Line: line, Col: col, Field: what, Msg: msg})
	}
}

// texHit is one dangerous command in a text, at the byte offset off.
type texHit struct {
	off       int
	name, why string
}

// findTeX returns the dangerous commands of s, each name once, in order: control words (\def;
// \@input too, whose @ is a letter where it is used) and ^^ notation, with which ^^5c spells a
// backslash that no check of text sees.
func findTeX(s string) []texHit {
	var hits []texHit
	seen := func(name string) bool {
		for _, h := range hits {
			if h.name == name {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '^':
			if i+1 < len(s) && s[i+1] == '^' && !seen("^^") {
				hits = append(hits, texHit{i, "^^", "spells characters by their codes (^^5c is a backslash), which can hide any command from this check"})
			}
		case '\\':
			j := i + 1
			if j < len(s) && s[j] == '@' {
				j++ // \@input, where @ is a letter (which \makeatletter, reported, makes it)
			}
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j == i+1 || j == i+2 && s[i+1] == '@' {
				i++ // a control symbol, such as \\ or \{
				continue
			}
			name := s[i+1 : j]
			if why, ok := dangerous[name]; ok {
				shown := "\\" + name
				if name == "write" && strings.HasPrefix(s[j:], "18") {
					shown, why = "\\write18", whyShell
				}
				if !seen(shown) {
					hits = append(hits, texHit{i, shown, why})
				}
			}
			i = j - 1
		}
	}
	return hits
}
