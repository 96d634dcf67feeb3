package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// keywordTagger gives just-inserted entries a tag for each of their keywords, with the tag ids
// it has seen and its statement kept from entry to entry.
type keywordTagger struct {
	seps string
	ids  map[string]int64 // by lower-case tag name
	link *sql.Stmt
	// batch, in a bulk import, collects links to tags that exist as [tag id, entry id] JSON
	// pairs, written by flush in one statement per tagBatch: one statement per link took a
	// twentieth of the import. Nil otherwise: merging reads the links of the entry just added.
	batch []byte
	n     int
}

// tagBatch is how many links a bulk import's keywordTagger writes per statement.
const tagBatch = 20000

func newKeywordTagger(ctx context.Context, tx *sql.Tx, seps string, batch bool) (*keywordTagger, error) {
	q := `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id) VALUES (?, ?)`
	if batch {
		q = `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id)
			SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`
	}
	link, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	k := &keywordTagger{seps: seps, ids: map[string]int64{}, link: link}
	if batch {
		k.batch = []byte{'['}
	}
	return k, nil
}

// keyword is one keyword of an entry: the tag it makes, or why it makes none.
type keyword struct {
	word, name string
	err        error
}

// words splits an entry's keywords field into tag names. It does not touch k's state, so that
// entries can be prepared on another goroutine.
func (k *keywordTagger) words(e *bib.Entry) []keyword {
	kw := e.Get("keywords")
	if kw == "" {
		return nil
	}
	var out []keyword
	for _, word := range bib.SplitKeywords(bib.Plain(kw), k.seps) {
		name, err := cleanTag(word)
		out = append(out, keyword{word: word, name: name, err: err})
	}
	return out
}

// tag gives the entry with the given id its keywords (from words) as tags. A keyword that
// cannot be a tag (one with an empty part between slashes, say) is reported and stays in the
// field only.
func (k *keywordTagger) tag(ctx context.Context, tx *sql.Tx, id int64, e *bib.Entry, words []keyword, rep *Report, file string) error {
	for _, w := range words {
		if w.err != nil {
			rep.Problems = append(rep.Problems, bib.Problem{File: file, Line: e.Line, Col: 1, Key: e.Key,
				Severity: bib.Warning, Msg: fmt.Sprintf("keyword %q is not made a tag: %v", w.word, w.err)})
			continue
		}
		tid, ok := k.ids[strings.ToLower(w.name)]
		if !ok {
			if _, err := addTag(ctx, tx, w.name, []int64{id}, make([]bool, 1)); err != nil {
				return err
			}
			tid, err := tagID(ctx, tx, w.name)
			if err != nil {
				return err
			}
			k.ids[strings.ToLower(w.name)] = tid
			continue
		}
		if k.batch == nil {
			if _, err := k.link.ExecContext(ctx, tid, id); err != nil {
				return fmt.Errorf("tag %q: %w", e.Key, err)
			}
			continue
		}
		if k.n > 0 {
			k.batch = append(k.batch, ',')
		}
		k.batch = append(strconv.AppendInt(append(strconv.AppendInt(append(k.batch, '['), tid, 10), ','), id, 10), ']')
		if k.n++; k.n >= tagBatch {
			if err := k.flush(ctx); err != nil {
				return fmt.Errorf("tag %q: %w", e.Key, err)
			}
		}
	}
	return nil
}

// flush writes the links batched so far.
func (k *keywordTagger) flush(ctx context.Context) error {
	if k.n == 0 {
		return nil
	}
	if _, err := k.link.ExecContext(ctx, string(append(k.batch, ']'))); err != nil {
		return fmt.Errorf("link tags: %w", err)
	}
	k.batch, k.n = k.batch[:1], 0
	return nil
}
