package storage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// registry is a Fetcher of entries given by identifier, standing for bib/lookup's client (which
// is tested against recorded responses of the real registries in its own package).
type registry struct {
	entries map[string]string // ID.Kind and ID.Value -> BibTeX of the entry, without a key
	asked   []string
}

var errNoSuchPaper = errors.New("no such paper")

func (r *registry) Fetch(ctx context.Context, id ident.ID) (*bib.Entry, error) {
	r.asked = append(r.asked, id.Kind.String()+" "+id.Value)
	src, ok := r.entries[id.Kind.String()+" "+id.Value]
	if !ok {
		return nil, errNoSuchPaper
	}
	return bib.Parse("registry", []byte(src)).Entries()[0], nil
}

func mustID(t *testing.T, s string) ident.ID {
	t.Helper()
	id, err := ident.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAddIdentifiers: a paper the library has (by DOI before the look-up, by the DOI the
// registry gives for a PMID after it) is not added again; a new one is, with the key pattern's
// key, into the collection and with the tags asked for; a failed look-up changes nothing.
func TestAddIdentifiers(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, bib.Parse("have.bib", []byte(
		"@article{known2019, title = {Known}, author = {Doe, Jane}, year = 2019, doi = {10.1000/KNOWN}}\n"))); err != nil {
		t.Fatal(err)
	}
	c, err := l.CreateCollection(ctx, nil, "Inbox")
	if err != nil {
		t.Fatal(err)
	}
	reg := &registry{entries: map[string]string{
		"DOI 10.1000/new":  "@article{, title = {A New Paper}, author = {Lovelace, Ada}, year = 2024, journal = {Notes}, doi = {10.1000/new}}",
		"PMID 12345":       "@article{, title = {Known}, author = {Doe, Jane}, year = 2019, doi = {10.1000/known}, pmid = {12345}}",
		"arXiv 2106.09685": "@misc{, title = {LoRA}, author = {Hu, Edward}, year = 2021, eprint = {2106.09685}, archiveprefix = {arXiv}}",
	}}
	ids := []ident.ID{mustID(t, "doi:10.1000/known"), mustID(t, "10.1000/new"), mustID(t, "PMID: 12345"),
		mustID(t, "arXiv:2106.09685v2"), mustID(t, "10.1000/missing")}
	var progress []int
	adds, err := l.AddIdentifiers(ctx, ids, reg, AddOptions{KeyPattern: bib.PatternJabRef, Collection: c.ID, Tags: []string{"inbox"},
		Progress: func(done, total int) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status AddStatus
		key    string
	}{{Existing, "known2019"}, {Added, "Lovelace2024"}, {Existing, "known2019"}, {Added, "Hu2021"}, {Failed, ""}}
	if len(adds) != len(want) {
		t.Fatalf("%d additions, want %d: %+v", len(adds), len(want), adds)
	}
	for i, w := range want {
		if adds[i].Status != w.status || adds[i].Key != w.key {
			t.Errorf("%s: %v %q, want %v %q (%v)", ids[i], adds[i].Status, adds[i].Key, w.status, w.key, adds[i].Err)
		}
	}
	if !errors.Is(adds[4].Err, errNoSuchPaper) {
		t.Errorf("the missing paper's error is %v", adds[4].Err)
	}
	if len(progress) != 5 || progress[4] != 5 {
		t.Errorf("progress %v", progress)
	}
	// The known DOI was not looked up; the PMID was, and found to be the known paper.
	for _, a := range reg.asked {
		if a == "DOI 10.1000/known" {
			t.Error("the DOI the library has was looked up")
		}
	}
	for _, key := range []string{"known2019", "Lovelace2024", "Hu2021"} {
		tags, err := l.EntryTags(ctx, key)
		if err != nil || len(tags) != 1 || tags[0] != "inbox" {
			t.Errorf("%s has the tags %v (%v)", key, tags, err)
		}
		cols, err := l.EntryCollections(ctx, key)
		if err != nil || len(cols) != 1 || cols[0].ID != c.ID {
			t.Errorf("%s is in %v (%v)", key, cols, err)
		}
	}
	if n, _ := l.Count(ctx); n != 3 {
		t.Errorf("the library has %d entries, want 3", n)
	}

	// A cancelled batch returns what it added, and the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if adds, err := l.AddIdentifiers(cctx, ids, reg, AddOptions{}); !errors.Is(err, context.Canceled) || len(adds) != 0 {
		t.Errorf("a cancelled batch: %v, %v", adds, err)
	}
}

// TestIdentifiers: an entry's identifiers are those duplicate detection reads, wherever the
// usual exports put them, the DOI in its field's case.
func TestIdentifiers(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`@article{a, doi = {10.7554/eLife.01567}, eprint = {1605.08386v2}, archiveprefix = {arXiv}}`, "DOI 10.7554/eLife.01567, arXiv 1605.08386"},
		{`@article{a, url = {https://doi.org/10.1000/ABC}}`, "DOI 10.1000/ABC"},
		{`@article{a, doi = {https://doi.org/10.1000/a\_b}}`, "DOI 10.1000/a_b"},
		{`@article{a, journal = {CoRR}, volume = {abs/2106.09685}}`, "arXiv 2106.09685"},
		{`@book{b, isbn = {0-19-953592-2}}`, "ISBN 9780199535927"},
		{`@incollection{c, isbn = {0-19-953592-2}}`, ""}, // the book's ISBN, not the chapter's
		{`@article{d, doi = {n/a}, title = {T}}`, ""},
	} {
		var got []string
		for _, id := range Identifiers(bib.Parse("t.bib", []byte(tc.src)).Entries()[0]) {
			got = append(got, id.Kind.String()+" "+id.Value)
		}
		if s := strings.Join(got, ", "); s != tc.want {
			t.Errorf("%s: %q, want %q", tc.src, s, tc.want)
		}
	}
}
