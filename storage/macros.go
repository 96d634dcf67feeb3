package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// macroPlanner decides which @string items an export writes, and where, so that every entry
// reads each macro it uses with the value its own file gave it. It goes through the entries in
// the order they are written (after the preambles) and keeps the value each macro name has in the
// export so far; an entry that needs another value gets the @string item it needs (and those
// that item's own value uses) written right before it. A definition that is the first of its
// name, read by nothing before it, and whose own macros are all defined at the top, goes to the
// top of the export: an export of one file's entries starts with that file's @string items, in
// their order, as the file did.
type macroPlanner struct {
	ctx  context.Context
	tx   *sql.Tx
	stmt *sql.Stmt
	defs map[int64]*stringDef
	// value is the value each macro name (lower case) has in the export so far, and by the
	// definition that gave it; a name without one is not defined.
	value map[string]string
	by    map[string]*emission
	// read holds the names an entry or preamble read before the export defined them.
	read    map[string]bool
	legacy  []*emission // the head of an export of entries stored before contexts were kept
	emitted []*emission
}

// stringDef is an @string item of the library.
type stringDef struct {
	id         int64
	order      int64  // its place in the library's order (orderKey)
	name, text string // name in lower case; text is the item's source
	// value is what the macro expands to, or, for an item stored before contexts were kept (its
	// value and its context unknown), a key no other value has.
	value  string
	c      readContext
	legacy bool
}

// emission is a definition of a macro the export writes: an @string item, or empty text.
type emission struct {
	def     *stringDef // nil: name = {}
	name    string
	at      int  // the index of the preamble or entry it is written before
	hoisted bool // written at the top of the export instead
}

func (e *emission) text() string {
	if e.def == nil {
		return "@string{" + e.name + " = {}}"
	}
	return e.def.text
}

func newMacroPlanner(ctx context.Context, tx *sql.Tx) *macroPlanner {
	return &macroPlanner{ctx: ctx, tx: tx, defs: map[int64]*stringDef{}, value: map[string]string{},
		by: map[string]*emission{}, read: map[string]bool{}}
}

func (m *macroPlanner) close() error {
	if m.stmt != nil {
		if err := m.stmt.Close(); err != nil {
			return fmt.Errorf("close statement: %w", err)
		}
	}
	return nil
}

// def returns the @string item id.
func (m *macroPlanner) def(id int64) (*stringDef, error) {
	if d := m.defs[id]; d != nil {
		return d, nil
	}
	if m.stmt == nil {
		var err error
		if m.stmt, err = m.tx.PrepareContext(m.ctx, `SELECT name, source, expansion, context, `+orderKey("")+` FROM items WHERE id = ? AND kind = 'string'`); err != nil {
			return nil, err
		}
	}
	var name string
	var col sql.NullString
	d := &stringDef{id: id}
	if err := m.stmt.QueryRowContext(m.ctx, id).Scan(&name, &d.text, &d.value, &col, &d.order); err != nil {
		return nil, fmt.Errorf("@string item %d: %w", id, err)
	}
	d.name = strings.ToLower(name)
	var err error
	if d.c, d.legacy, err = decodeContext(col); err != nil {
		return nil, fmt.Errorf("@string item %d: %w", id, err)
	}
	if d.legacy {
		d.value = fmt.Sprintf("\x00%d", id)
	}
	if d.c.Prefix != "" {
		// biber does not read it: it is not the same as a definition of the same value that
		// biber reads.
		d.text = d.c.Prefix + d.text
		d.value += "\x00%"
	}
	m.defs[id] = d
	return d, nil
}

// closure returns the @string items ids, and those their values use, in the order they were
// defined (the library's order: each one's definitions come before it).
func (m *macroPlanner) closure(ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []int64
	seen := map[int64]bool{}
	todo := slices.Clone(ids)
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		d, err := m.def(id)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
		todo = append(todo, d.c.Strings...)
	}
	slices.SortFunc(out, func(a, b int64) int { return cmp.Compare(m.defs[a].order, m.defs[b].order) })
	return out, nil
}

// legacyHead starts the export with every @string item stored before contexts were kept, as
// earlier versions wrote them.
func (m *macroPlanner) legacyHead() error {
	rows, err := m.tx.QueryContext(m.ctx, `SELECT id FROM items WHERE kind = 'string' AND context IS NULL ORDER BY id`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		d, err := m.def(id)
		if err != nil {
			return err
		}
		e := &emission{def: d, name: d.name, hoisted: true}
		m.legacy = append(m.legacy, e)
		m.value[d.name], m.by[d.name] = d.value, e
	}
	return nil
}

// need makes the macros that c uses have, from the preamble or entry at on, the values its file
// gave them.
func (m *macroPlanner) need(at int, c readContext) error {
	ids, err := m.closure(c.Strings)
	if err != nil {
		return err
	}
	for _, id := range ids {
		d := m.defs[id]
		for _, u := range d.c.Undefined {
			m.undefine(at, u)
		}
		if v, ok := m.value[d.name]; ok && v == d.value {
			continue
		}
		m.emit(at, d.name, d)
	}
	for _, u := range c.Undefined {
		m.undefine(at, u)
	}
	for _, id := range c.Strings {
		m.read[m.defs[id].name] = true
	}
	for _, n := range c.Undefined {
		m.read[n] = true
	}
	for _, n := range c.Months {
		m.read[n] = true
	}
	return nil
}

// undefine makes name read as BibTeX reads an undefined macro, empty, from at on.
func (m *macroPlanner) undefine(at int, name string) {
	if v, ok := m.value[name]; ok && v != "" {
		m.emit(at, name, nil)
	}
}

func (m *macroPlanner) emit(at int, name string, d *stringDef) {
	e := &emission{def: d, name: name, at: at}
	e.hoisted = d != nil && !d.legacy && m.by[name] == nil && !m.read[name] && len(d.c.Undefined) == 0
	if e.hoisted {
		for _, id := range d.c.Strings {
			if b := m.by[m.defs[id].name]; b == nil || !b.hoisted {
				e.hoisted = false
				break
			}
		}
	}
	m.by[name] = e
	m.value[name] = ""
	if d != nil {
		m.value[name] = d.value
	}
	m.emitted = append(m.emitted, e)
}
