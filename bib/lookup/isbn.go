package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// openLibraryBook is the part of Open Library's /api/books?jscmd=data answer the entry is
// made of.
type openLibraryBook struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle"`
	Authors  []struct {
		Name string `json:"name"`
	} `json:"authors"`
	Publishers []struct {
		Name string `json:"name"`
	} `json:"publishers"`
	PublishPlaces []struct {
		Name string `json:"name"`
	} `json:"publish_places"`
	PublishDate   string `json:"publish_date"`
	NumberOfPages int    `json:"number_of_pages"`
	Identifiers   struct {
		ISBN13 []string `json:"isbn_13"`
	} `json:"identifiers"`
}

// googleVolume is the part of a Google Books volume the entry is made of.
type googleVolume struct {
	Title               string   `json:"title"`
	Subtitle            string   `json:"subtitle"`
	Authors             []string `json:"authors"`
	Publisher           string   `json:"publisher"`
	PublishedDate       string   `json:"publishedDate"`
	PageCount           int      `json:"pageCount"`
	IndustryIdentifiers []struct {
		Type       string `json:"type"`
		Identifier string `json:"identifier"`
	} `json:"industryIdentifiers"`
}

// ISBN looks a book up by its ISBN-13 or ISBN-10 (hyphens and spaces allowed): first in Open
// Library (/api/books?jscmd=data, one request with the authors' names), then, when Open
// Library has no record or fails, in Google Books (/volumes?q=isbn:...). The two sources are
// the ones citation-js's ISBN plugin (@citation-js/plugin-isbn) asks; that plugin asks Google
// Books first, Bibshelf asks Open Library first because it is an open catalogue, and Google
// Books only for what it lacks. The entry is a @book with author, title, publisher, address,
// year and month, the ISBN-13 and the page count (biblatex's pagetotal).
func (c *Client) ISBN(ctx context.Context, isbn string) (*Result, error) {
	isbn = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(isbn))
	r, err := c.openLibrary(ctx, isbn)
	if err == nil {
		return r, nil
	}
	r, gerr := c.googleBooks(ctx, isbn)
	if gerr == nil {
		return r, nil
	}
	if errors.Is(gerr, ErrNotFound) && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return nil, gerr
}

func (c *Client) openLibrary(ctx context.Context, isbn string) (*Result, error) {
	q := url.Values{"bibkeys": {"ISBN:" + isbn}, "format": {"json"}, "jscmd": {"data"}}
	body, _, err := c.get(ctx, request{
		kind: ident.ISBN, id: isbn, service: "Open Library", accept: "application/json",
		url: orDefault(c.OpenLibraryBase, DefaultOpenLibraryBase) + "/api/books?" + q.Encode(),
	})
	if err != nil {
		return nil, err
	}
	var answer map[string]openLibraryBook
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, &Error{Kind: ident.ISBN, ID: isbn, Service: "Open Library", Status: 200, Reason: ErrMalformed, Err: err}
	}
	book, ok := answer["ISBN:"+isbn]
	if !ok {
		// Open Library answers an ISBN it does not know with {}.
		return nil, &Error{Kind: ident.ISBN, ID: isbn, Service: "Open Library", Status: 200, Reason: ErrNotFound}
	}
	b := newBuilder("book")
	var authors []string
	for _, a := range book.Authors {
		authors = append(authors, fullName(a.Name))
	}
	b.names("author", authors)
	b.title("title", joinSubtitle(book.Title, book.Subtitle))
	b.date(bookDate(book.PublishDate))
	if len(book.Publishers) > 0 {
		b.text("publisher", book.Publishers[0].Name)
	}
	if len(book.PublishPlaces) > 0 {
		b.text("address", book.PublishPlaces[0].Name)
	}
	b.raw("isbn", orDefault(first(book.Identifiers.ISBN13), isbn))
	if book.NumberOfPages > 0 {
		b.text("pagetotal", strconv.Itoa(book.NumberOfPages))
	}
	return &Result{Entry: b.e, Source: "Open Library"}, nil
}

func (c *Client) googleBooks(ctx context.Context, isbn string) (*Result, error) {
	body, _, err := c.get(ctx, request{
		kind: ident.ISBN, id: isbn, service: "Google Books", accept: "application/json",
		url: orDefault(c.GoogleBooksBase, DefaultGoogleBooksBase) + "/volumes?q=isbn:" + url.QueryEscape(isbn),
	})
	if err != nil {
		return nil, err
	}
	var answer struct {
		TotalItems int `json:"totalItems"`
		Items      []struct {
			VolumeInfo googleVolume `json:"volumeInfo"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, &Error{Kind: ident.ISBN, ID: isbn, Service: "Google Books", Status: 200, Reason: ErrMalformed, Err: err}
	}
	if len(answer.Items) == 0 {
		return nil, &Error{Kind: ident.ISBN, ID: isbn, Service: "Google Books", Status: 200, Reason: ErrNotFound}
	}
	v := answer.Items[0].VolumeInfo
	b := newBuilder("book")
	var authors []string
	for _, a := range v.Authors {
		authors = append(authors, fullName(a))
	}
	b.names("author", authors)
	b.title("title", joinSubtitle(v.Title, v.Subtitle))
	b.date(isoDate(v.PublishedDate))
	b.text("publisher", v.Publisher)
	isbn13 := isbn
	for _, id := range v.IndustryIdentifiers {
		if id.Type == "ISBN_13" {
			isbn13 = id.Identifier
		}
	}
	b.raw("isbn", isbn13)
	if v.PageCount > 0 {
		b.text("pagetotal", strconv.Itoa(v.PageCount))
	}
	return &Result{Entry: b.e, Source: "Google Books"}, nil
}

var yearPattern = regexp.MustCompile(`(?:^|\D)(1[5-9]\d\d|20\d\d)(?:\D|$)`)

// bookDate reads Open Library's free-form publish_date: "July 28, 2008", "2008", "Jul
// 2008", "2008-07-28".
func bookDate(s string) (year, month int) {
	s = strings.TrimSpace(s)
	if y, m := isoDate(s); y > 0 && (len(s) == 4 || m > 0) {
		return y, m
	}
	m := yearPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, 0
	}
	year, _ = strconv.Atoi(m[1])
	for _, layout := range []string{"January 2, 2006", "January 2006", "Jan 2, 2006", "Jan 2006", "2 January 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return year, int(t.Month())
		}
	}
	return year, 0
}
