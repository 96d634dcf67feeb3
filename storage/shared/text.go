package shared

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// PostgreSQL's text holds no NUL byte, which a library keeps as its file had it (bibtex passes
// one through to the .bbl). Every text value the server holds is therefore written so: the
// byte 0x01 twice, and a NUL byte as 0x01 0x02 (migrations/0004_text_escaped.sql). The
// transactions and connections of this package escape what they send and unescape what they
// scan (serverTx, serverRows, serverRow), so that the rest of the package, and the server's
// comparisons (fold(key), a note's body), see one value for one text.
const (
	escByte = 0x01
	nulByte = 0x02 // after escByte: a NUL byte
)

// toServer returns s as the server holds it.
func toServer(s string) string {
	if strings.IndexByte(s, 0) < 0 && strings.IndexByte(s, escByte) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteByte(escByte)
			b.WriteByte(nulByte)
		case escByte:
			b.WriteByte(escByte)
			b.WriteByte(escByte)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fromServer returns the text the server holds as s. A 0x01 followed by neither 0x01 nor 0x02
// (which no release writes) is kept as it is.
func fromServer(s string) string {
	if strings.IndexByte(s, escByte) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == escByte && i+1 < len(s) {
			switch s[i+1] {
			case escByte:
				i++
			case nulByte:
				c = 0
				i++
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// serverArgs returns args with the text among them as the server holds it.
func serverArgs(args []any) []any {
	var out []any
	for i, a := range args {
		var v any
		switch a := a.(type) {
		case string:
			if s := toServer(a); s != a {
				v = s
			}
		case pgtype.Text:
			if s := toServer(a.String); s != a.String {
				v = pgtype.Text{String: s, Valid: a.Valid}
			}
		case sql.NullString:
			if s := toServer(a.String); s != a.String {
				v = pgtype.Text{String: s, Valid: a.Valid}
			}
		case []string:
			for j, s := range a {
				if t := toServer(s); t != s {
					if v == nil {
						a = append([]string(nil), a...)
						v = a
					}
					a[j] = t
				}
			}
		}
		if v != nil {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = v
		}
	}
	if out == nil {
		return args
	}
	return out
}

// fromServerDest unescapes the text scanned into dest.
func fromServerDest(dest []any) {
	for _, d := range dest {
		switch d := d.(type) {
		case *string:
			*d = fromServer(*d)
		case *pgtype.Text:
			d.String = fromServer(d.String)
		case *sql.NullString:
			d.String = fromServer(d.String)
		case *[]string:
			for i := range *d {
				(*d)[i] = fromServer((*d)[i])
			}
		}
	}
}

// serverTx is a transaction on the server that escapes the text it sends and unescapes the
// text it scans. Every transaction of this package is one (inTx, beginTx).
type serverTx struct{ pgx.Tx }

// beginTx begins a transaction of conn with opts.
func beginTx(ctx context.Context, conn *pgx.Conn, opts pgx.TxOptions) (pgx.Tx, error) {
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return serverTx{tx}, nil
}

func (t serverTx) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := t.Tx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return serverTx{tx}, nil
}

func (t serverTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.Tx.Exec(ctx, sql, serverArgs(args)...)
}

func (t serverTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := t.Tx.Query(ctx, sql, serverArgs(args)...)
	if err != nil {
		return rows, err
	}
	return serverRows{rows}, nil
}

func (t serverTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return serverRow{t.Tx.QueryRow(ctx, sql, serverArgs(args)...)}
}

func (t serverTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	return t.Tx.CopyFrom(ctx, table, columns, serverSource{src})
}

// queryRow is conn.QueryRow, escaping and unescaping as serverTx does.
func queryRow(ctx context.Context, conn *pgx.Conn, sql string, args ...any) pgx.Row {
	return serverRow{conn.QueryRow(ctx, sql, serverArgs(args)...)}
}

// serverRows unescapes the text it scans.
type serverRows struct{ pgx.Rows }

func (r serverRows) Scan(dest ...any) error {
	if err := r.Rows.Scan(dest...); err != nil {
		return err
	}
	fromServerDest(dest)
	return nil
}

// serverRow unescapes the text it scans.
type serverRow struct{ pgx.Row }

func (r serverRow) Scan(dest ...any) error {
	if err := r.Row.Scan(dest...); err != nil {
		return err
	}
	fromServerDest(dest)
	return nil
}

// serverSource escapes the text of the rows it gives COPY.
type serverSource struct{ pgx.CopyFromSource }

func (s serverSource) Values() ([]any, error) {
	v, err := s.CopyFromSource.Values()
	return serverArgs(v), err
}

// SendBatch sends the queries of b, escaped, and unescapes what their results scan. (The
// package sends none now; a batch sent around the escaping would write NUL-less text that
// reads back otherwise.)
func (t serverTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	for _, q := range b.QueuedQueries {
		q.Arguments = serverArgs(q.Arguments)
	}
	return serverBatchResults{t.Tx.SendBatch(ctx, b)}
}

// serverBatchResults unescapes the text its results scan.
type serverBatchResults struct{ pgx.BatchResults }

func (r serverBatchResults) Query() (pgx.Rows, error) {
	rows, err := r.BatchResults.Query()
	if err != nil {
		return rows, err
	}
	return serverRows{rows}, nil
}

func (r serverBatchResults) QueryRow() pgx.Row { return serverRow{r.BatchResults.QueryRow()} }

// Values returns the row's values, its text unescaped.
func (r serverRows) Values() ([]any, error) {
	v, err := r.Rows.Values()
	for i, x := range v {
		if s, ok := x.(string); ok {
			v[i] = fromServer(s)
		}
	}
	return v, err
}
