// Package sqlast parses SQL statements with DuckDB's own parser
// (json_serialize_sql, which reads PostgreSQL-style `$1`, `::` casts and
// quoted identifiers) into a JSON syntax tree, and answers the structural
// questions the scan checks ask of it: which SELECT nodes read which
// tables under which aliases, which predicates hold under AND from the
// root of a WHERE or ON tree, and the canonical form of an expression.
// Rewritten trees are turned back into SQL with json_deserialize_sql.
package sqlast

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Parser holds one DuckDB connection used only for parsing. It is not safe
// for concurrent use: give each worker its own.
type Parser struct {
	db   *sql.DB
	conn *sql.Conn
	ser  *sql.Stmt
	des  *sql.Stmt
}

// Open starts an in-memory DuckDB with one thread for parsing.
func Open(ctx context.Context) (*Parser, error) {
	connector, err := duckdb.NewConnector("?threads=1", nil)
	if err != nil {
		return nil, fmt.Errorf("open parser: %w", err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open parser: %w", err)
	}
	p := &Parser{db: db, conn: conn}
	if p.ser, err = conn.PrepareContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR"); err != nil {
		p.Close()
		return nil, fmt.Errorf("open parser: %w", err)
	}
	if p.des, err = conn.PrepareContext(ctx, "SELECT json_deserialize_sql(?::JSON)"); err != nil {
		p.Close()
		return nil, fmt.Errorf("open parser: %w", err)
	}
	return p, nil
}

// Close releases the parser's database.
func (p *Parser) Close() error {
	for _, s := range []*sql.Stmt{p.ser, p.des} {
		if s != nil {
			s.Close()
		}
	}
	if p.conn != nil {
		p.conn.Close()
	}
	return p.db.Close()
}

// Error kinds of a statement the scan cannot accept.
const (
	ErrEmpty     = "empty"
	ErrNotSelect = "not_select"
	ErrMultiple  = "multiple_statements"
	ErrSyntax    = "syntax"
)

// ParseError is a statement the parser rejected or that is not one
// read-only SELECT.
type ParseError struct {
	Kind string
	Msg  string
}

// Error returns the message.
func (e *ParseError) Error() string { return e.Msg }

// Statement is one parsed SELECT statement.
type Statement struct {
	// Text is the SQL as given; Root is the statement's query node tree.
	Text string
	Root Node

	selects []*Select
}

// Parse parses text, which must be exactly one SELECT statement (a trailing
// `;` allowed). Placeholders (`:name`, `$name`, `%s`, `?`, `$1`) become
// anonymous parameters of the same length, so locations still point into
// text.
func (p *Parser) Parse(ctx context.Context, text string) (*Statement, error) {
	prepared := NormalizePlaceholders(text)
	if isEmptyStatement(prepared) {
		return nil, &ParseError{Kind: ErrEmpty, Msg: "empty SQL statement"}
	}
	raw, err := p.serialize(ctx, prepared)
	if err != nil {
		return nil, err
	}
	doc, err := decodeDoc(raw, nil)
	if err != nil {
		return nil, err
	}
	if doc.err != nil {
		return nil, doc.err
	}
	if len(doc.nodes) != 1 {
		return nil, &ParseError{Kind: ErrMultiple, Msg: fmt.Sprintf("expected exactly one statement, got %d", len(doc.nodes))}
	}
	return &Statement{Text: text, Root: doc.nodes[0]}, nil
}

// isEmptyStatement reports whether prepared holds no statement: nothing
// but comments, whitespace and semicolons at its ends.
func isEmptyStatement(prepared string) bool {
	s := strings.TrimSpace(StripComments(prepared))
	return s == "" || strings.TrimSpace(strings.Trim(s, ";")) == ""
}

// serialize runs json_serialize_sql on text.
func (p *Parser) serialize(ctx context.Context, text string) ([]byte, error) {
	var raw []byte
	if err := p.ser.QueryRowContext(context.WithoutCancel(ctx), text).Scan(&raw); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("parse sql: %w", err)
	}
	return raw, nil
}

// ParseExpr parses one SQL expression (as `SELECT <expr>`) and returns it.
func (p *Parser) ParseExpr(ctx context.Context, expr string) (Node, error) {
	st, err := p.Parse(ctx, "select "+expr)
	if err != nil {
		return nil, err
	}
	list, _ := st.Root["select_list"].([]any)
	if len(list) != 1 {
		return nil, &ParseError{Kind: ErrSyntax, Msg: fmt.Sprintf("%q is not one expression", expr)}
	}
	n, _ := list[0].(map[string]any)
	return n, nil
}

// ParsePredicate parses one boolean SQL predicate (as `SELECT 1 WHERE <p>`).
func (p *Parser) ParsePredicate(ctx context.Context, pred string) (Node, error) {
	st, err := p.Parse(ctx, "select 1 where "+pred)
	if err != nil {
		return nil, err
	}
	n, _ := st.Root["where_clause"].(map[string]any)
	if n == nil {
		return nil, &ParseError{Kind: ErrSyntax, Msg: fmt.Sprintf("%q is not a predicate", pred)}
	}
	return n, nil
}

// Deparse turns a (possibly rewritten) statement tree back into SQL.
func (p *Parser) Deparse(ctx context.Context, root Node) (string, error) {
	doc := map[string]any{"error": false, "statements": []any{map[string]any{"node": root, "named_param_map": []any{}}}}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("deparse sql: %w", err)
	}
	var out string
	if err := p.des.QueryRowContext(context.WithoutCancel(ctx), string(b)).Scan(&out); err != nil {
		return "", fmt.Errorf("deparse sql: %w", err)
	}
	return out, nil
}
