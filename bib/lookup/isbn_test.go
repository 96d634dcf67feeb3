package lookup

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/bibshelf/bibshelf/bib/ident"
)

func openLibraryRoute(isbn string) string {
	return "/openlibrary/api/books?" + url.Values{"bibkeys": {"ISBN:" + isbn}, "format": {"json"}, "jscmd": {"data"}}.Encode()
}

func googleRoute(isbn string) string { return "/books/volumes?q=isbn:" + isbn }

func TestISBN(t *testing.T) {
	f := newFakeServer(t)
	f.on(openLibraryRoute("9780316030571"), reply{file: "openlibrary-9780316030571.json"})
	// Open Library answers an ISBN it has no record of with {}; Google Books has it.
	f.on(openLibraryRoute("9780099560432"), reply{body: "{}"})
	f.on(googleRoute("9780099560432"), reply{file: "googlebooks-9780099560432.json"})
	// Open Library fails; Google Books has it.
	f.on(openLibraryRoute("9780008117498"), reply{status: 502})
	f.on(googleRoute("9780008117498"), reply{file: "googlebooks-9780008117498.json"})
	f.on(openLibraryRoute("9780918024565"), reply{body: "{}"})
	f.on(googleRoute("9780918024565"), reply{file: "googlebooks-9780918024565.json"})
	c, _ := newTestClient(f)
	for _, tc := range []struct{ isbn, golden, source string }{
		{"978-0-316-03057-1", "isbn-openlibrary", "Open Library"},
		{"9780099560432", "isbn-google", "Google Books"},
		{"978 0008117498", "isbn-google-after-failure", "Google Books"},
		{"9780918024565", "isbn-google-no-publisher", "Google Books"},
	} {
		t.Run(tc.isbn, func(t *testing.T) {
			r, err := c.Lookup(context.Background(), ident.ID{Kind: ident.ISBN, Value: tc.isbn})
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != tc.source {
				t.Errorf("source %q, want %q", r.Source, tc.source)
			}
			checkGolden(t, tc.golden, r.Entry)
		})
	}
}

func TestISBNNotFound(t *testing.T) {
	f := newFakeServer(t)
	f.on(openLibraryRoute("9780000000002"), reply{body: "{}"})
	// Google Books's answer to an ISBN it does not know.
	f.on(googleRoute("9780000000002"), reply{body: `{"kind": "books#volumes", "totalItems": 0}`})
	f.on(openLibraryRoute("9780000000019"), reply{status: 500})
	f.on(googleRoute("9780000000019"), reply{body: `{"kind": "books#volumes", "totalItems": 0}`})
	c, _ := newTestClient(f)
	if _, err := c.ISBN(context.Background(), "9780000000002"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown ISBN: got %v, want ErrNotFound", err)
	}
	// Open Library failed and Google Books does not know it: the failure is what to report.
	if _, err := c.ISBN(context.Background(), "9780000000019"); !errors.Is(err, ErrServer) {
		t.Errorf("got %v, want ErrServer", err)
	}
}

func TestBookDate(t *testing.T) {
	for _, tc := range []struct {
		in          string
		year, month int
	}{
		{"July 28, 2008", 2008, 7}, {"2008", 2008, 0}, {"Jul 2008", 2008, 7}, {"2016-09-19", 2016, 9},
		{"c1998", 1998, 0}, {"[1975?]", 1975, 0}, {"", 0, 0}, {"unknown", 0, 0},
	} {
		if y, m := bookDate(tc.in); y != tc.year || m != tc.month {
			t.Errorf("bookDate(%q) = %d, %d, want %d, %d", tc.in, y, m, tc.year, tc.month)
		}
	}
}
