package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// Adding papers by identifier: the entry for each DOI, arXiv id, ISBN, PMID or PMCID comes from
// a Fetcher (bib/lookup's client in the program), unless the library has the paper already.

// Fetcher gives the entry a registry has for an identifier, without a key (the key pattern makes
// one). Its errors say what went wrong for that identifier (bib/lookup's: not found, rate
// limited, offline...).
type Fetcher interface {
	Fetch(ctx context.Context, id ident.ID) (*bib.Entry, error)
}

// AddStatus is what became of one identifier.
type AddStatus int

const (
	Added    AddStatus = iota + 1 // looked up and added
	Existing                      // the library has the paper already (Key), maybe in the Trash
	Failed                        // the look-up failed (Err): not found, offline...
)

// Addition is what became of one identifier.
type Addition struct {
	ID      ident.ID
	Status  AddStatus
	Key     string // the entry added, or the one the library had
	Trashed bool   // Existing: the library's entry is in the Trash
	Err     error  // Failed
}

// AddOptions says how papers are added.
type AddOptions struct {
	KeyPattern string   // for the keys of the entries added (bib.PatternJabRef when empty)
	Collection int64    // a collection to put the entries added, and those the library had, in
	Tags       []string // tags for them
	// Progress, when set, is told after each identifier how many are done of how many.
	Progress func(done, total int)
}

// AddIdentifiers adds the paper of each identifier: the library's entry when it has the paper
// (by DOI, arXiv id or ISBN, before the look-up, and again by what the registry gives, so that a
// PMID of a paper the library has under its DOI is found), otherwise the entry fetch gives,
// imported as an import would. Each identifier is its own transaction: a cancelled batch keeps
// what it added, and the context's error is returned with the additions made.
func (l *Library) AddIdentifiers(ctx context.Context, ids []ident.ID, fetch Fetcher, opts AddOptions) ([]Addition, error) {
	return each(ctx, ids, opts.Progress, func(id ident.ID) (Addition, error) { return l.addIdentifier(ctx, id, fetch, opts) })
}

// each adds the items one after the other, telling progress (when set) after each: a cancelled
// batch keeps what it added and returns the context's error with the additions made; an error of
// the library stops it likewise.
func each[T, R any](ctx context.Context, items []T, progress func(done, total int), add func(T) (R, error)) ([]R, error) {
	var out []R
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, err := add(it)
		if err != nil {
			return out, err
		}
		out = append(out, r)
		if progress != nil {
			progress(i+1, len(items))
		}
	}
	return out, nil
}

// addIdentifier adds one paper; its error is one of the library's (the look-up's are in the
// Addition).
func (l *Library) addIdentifier(ctx context.Context, id ident.ID, fetch Fetcher, opts AddOptions) (Addition, error) {
	a := Addition{ID: id}
	have, err := l.findIdentity(ctx, identityOf(id))
	if err != nil {
		return a, err
	}
	if have.key == "" {
		e, ferr := fetch.Fetch(ctx, id)
		if ferr != nil {
			if ctx.Err() != nil {
				return a, ctx.Err()
			}
			a.Status, a.Err = Failed, ferr
			return a, nil
		}
		if have, err = l.findIdentity(ctx, identify(e)); err != nil {
			return a, err
		}
		if have.key == "" {
			key, failure, err := l.addEntry(ctx, id.String(), e, opts)
			if err != nil || failure != nil {
				a.Status, a.Err = Failed, failure
				return a, err
			}
			a.Status, a.Key = Added, key
			return a, nil
		}
	}
	a.Status, a.Key, a.Trashed = Existing, have.key, have.trashed
	if opts.Collection != 0 {
		if _, err := l.AddToCollection(ctx, opts.Collection, a.Key); err != nil {
			return a, err
		}
	}
	return a, l.tagAdded(ctx, a.Key, opts.Tags)
}

// addEntry imports one new entry as an import of a file called name would, into the
// collection and with the tags opts gives, and returns its key. An entry the import refuses is a
// failure (for the report), not an error of the library.
func (l *Library) addEntry(ctx context.Context, name string, e *bib.Entry, opts AddOptions) (key string, failure, err error) {
	rep, err := l.ImportWith(ctx, &bib.File{Name: name, Items: []bib.Item{{Kind: bib.KindEntry, Entry: e}}},
		ImportOptions{KeyPattern: opts.KeyPattern, Collection: opts.Collection})
	if err != nil {
		return "", nil, fmt.Errorf("add %s: %w", name, err)
	}
	if len(rep.Added) != 1 {
		reason := rep.Problems.Err()
		if reason == nil {
			reason = errors.New("nothing was imported")
		}
		return "", fmt.Errorf("add %s: the entry could not be imported: %w", name, reason), nil
	}
	// The entry is in: it gets its tags even if ctx is done by now, or the report would not
	// know of an entry the library has.
	return rep.Added[0], nil, l.tagAdded(context.WithoutCancel(ctx), rep.Added[0], opts.Tags)
}

func (l *Library) tagAdded(ctx context.Context, key string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	_, err := l.AddTags(ctx, []string{key}, tags...)
	return err
}

// identityOf is what duplicate detection would read from an entry holding id: the DOI, arXiv id
// or ISBN; a PMID or PMCID has no column of its own.
func identityOf(id ident.ID) identity {
	switch id.Kind {
	case ident.DOI:
		return identity{DOI: normDOI(id.Value)}
	case ident.ArXiv:
		return identity{ArXiv: strings.ToLower(id.Value)}
	case ident.ISBN:
		return identity{ISBN: normISBN(id.Value)}
	}
	return identity{}
}

// found is the library's entry of an identity.
type found struct {
	key     string // "" when there is none
	trashed bool
}

// findIdentity returns the entry that has the identity's DOI, arXiv id or ISBN (in that order),
// out of the Trash first.
func (l *Library) findIdentity(ctx context.Context, id identity) (found, error) {
	for _, c := range []struct{ column, value string }{{"doi", id.DOI}, {"arxiv", id.ArXiv}, {"isbn", id.ISBN}} {
		if c.value == "" {
			continue
		}
		var f found
		err := l.rdb.QueryRowContext(ctx, `SELECT key, trashed IS NOT NULL FROM entries WHERE `+c.column+` = ?
			ORDER BY trashed IS NOT NULL, id LIMIT 1`, c.value).Scan(&f.key, &f.trashed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return found{}, fmt.Errorf("find %s %s: %w", c.column, c.value, err)
		}
		return f, nil
	}
	return found{}, nil
}

// Identifiers returns the identifiers an entry is found by, as duplicate detection and
// AddIdentifiers read them: its DOI, arXiv id and ISBN, each when it has one, in that order
// (the order a look-up prefers them in). A DOI keeps the case its field writes it in when its
// field holds it plainly; it is lower-case otherwise (DOIs ignore case).
func Identifiers(e *bib.Entry) []ident.ID {
	id := identify(e)
	var out []ident.ID
	if id.DOI != "" {
		doi := ident.ID{Kind: ident.DOI, Value: id.DOI}
		for _, found := range ident.Find(e.Get("doi") + "\n" + e.Get("url")) {
			if found.Kind == ident.DOI && found.Key() == id.DOI {
				doi.Value = found.Value
				break
			}
		}
		out = append(out, doi)
	}
	if id.ArXiv != "" {
		out = append(out, ident.ID{Kind: ident.ArXiv, Value: id.ArXiv})
	}
	if id.ISBN != "" {
		out = append(out, ident.ID{Kind: ident.ISBN, Value: id.ISBN})
	}
	return out
}
