package paper

import "github.com/bibshelf/bibshelf/bib"

// RenameKey returns src, the text of a .tex file, with the citation key old written new in the
// key arguments of its cite commands, and the citations it changed (their positions in src).
// A key that differs from old only in case is renamed too: BibTeX takes it for the same entry.
// Nothing else changes: not comments, verbatim text, other commands' arguments or text, nor a
// key that merely holds old. When nothing is cited as old, it returns src itself.
func RenameKey(name string, src []byte, old, new string) ([]byte, []Citation) {
	var changed []Citation
	for _, c := range ScanTeX(name, src).Citations {
		if bib.SameKey(c.Key, old) {
			changed = append(changed, c)
		}
	}
	if len(changed) == 0 {
		return src, nil
	}
	out := make([]byte, 0, len(src)+len(changed)*(len(new)-len(old)))
	last := 0
	for _, c := range changed {
		out = append(out, src[last:c.Start]...)
		out = append(out, new...)
		last = c.End
	}
	return append(out, src[last:]...), changed
}
