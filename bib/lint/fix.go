package lint

import (
	"errors"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// Fix applies to e the fixes of the findings about it (its key, a Fix set), each with
// bib.Entry.SetRaw, so that the entry's source keeps every byte but the fixed values', and
// returns the findings it applied. It applies none to an entry read with a syntax error, one fix
// per field (the others are found again by the next check), and no fix that would cost the entry
// its source (a field the source does not hold as the entry has it).
func Fix(e *bib.Entry, findings []Finding) []Finding {
	if e.Broken {
		return nil
	}
	var applied []Finding
	done := map[string]bool{}
	for _, f := range findings {
		if f.Fix == "" || f.Key != e.Key || f.Field == "" || done[f.Field] {
			continue
		}
		c := e.Clone()
		if err := c.SetRaw(f.Field, f.Fix); err != nil || e.Source != "" && c.Source == "" {
			continue
		}
		*e = *c
		done[f.Field] = true
		applied = append(applied, f)
	}
	return applied
}

// ErrNotVerbatim is FixFile's error for a file whose parsed items are not its bytes (a file in
// another encoding than UTF-8, decoded to read it): it is not rewritten.
var ErrNotVerbatim = errors.New("the file is not UTF-8 as read: it is not rewritten")

// FixFile applies the findings' fixes to the entries of f, parsed from src, and returns the
// file's new text and the fixes applied. A finding goes to the entry of its key whose lines hold
// it. The text is the items' source text in order, each entry's as Fix left it: everything not
// fixed is byte for byte as in src, so that with no fix to apply the text is src. It returns
// ErrNotVerbatim when the items do not add up to src. The entries fixed are changed in f.
func FixFile(f *bib.File, src []byte, findings []Finding) ([]byte, []Finding, error) {
	n := 0
	for i := range f.Items {
		raw := f.Items[i].Raw
		if n+len(raw) > len(src) || string(src[n:n+len(raw)]) != raw {
			return nil, nil, ErrNotVerbatim
		}
		n += len(raw)
	}
	if n != len(src) {
		return nil, nil, ErrNotVerbatim
	}
	var applied []Finding
	var out strings.Builder
	out.Grow(len(src))
	for i := range f.Items {
		it := &f.Items[i]
		if it.Kind != bib.KindEntry {
			out.WriteString(it.Raw)
			continue
		}
		last := it.Line + strings.Count(it.Raw, "\n")
		var mine []Finding
		for _, fd := range findings {
			if fd.Fix != "" && fd.Key == it.Entry.Key && fd.Line >= it.Line && fd.Line <= last {
				mine = append(mine, fd)
			}
		}
		if len(mine) > 0 {
			applied = append(applied, Fix(it.Entry, mine)...)
		}
		if it.Entry.Source != "" {
			out.WriteString(it.Entry.Source)
		} else {
			out.WriteString(it.Raw)
		}
	}
	return []byte(out.String()), applied, nil
}
