package db

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// checkSQLiteCompat refuses, as bad input naming the metric or dimension
// and its line, a domain whose own SQL (metric expressions, dimension
// columns) calls a function SQLite does not have: run on SQLite, every
// statement using it would be refused and read as a disagreement with the
// oracle. Such a domain runs with --engine duckdb.
func (e *SQLite) checkSQLiteCompat(ctx context.Context, known map[string]bool) error {
	d := e.domain
	if v, ok := compatChecked.Load(d); ok {
		err, _ := v.(error)
		return err
	}
	err := e.compat(ctx, known)
	if err == nil || strictyaml.IsInputError(err) {
		// a domain's answer does not change during a run (engines are
		// opened per search state and per task)
		compatChecked.Store(d, err)
	}
	return err
}

// compatChecked memoizes checkSQLiteCompat per loaded domain.
var compatChecked sync.Map

func (e *SQLite) compat(ctx context.Context, known map[string]bool) error {
	d := e.domain
	file := path.Join(d.Label, "policy.yaml")
	type item struct {
		kind, name, sql string
		line            int
	}
	var items []item
	for _, m := range spec.SortedKeys(d.Policy.Metrics) {
		met := d.Policy.Metrics[m]
		items = append(items, item{"metric", m, met.Expression, met.Line})
	}
	for _, n := range spec.SortedKeys(d.Policy.Dimensions) {
		dim := d.Policy.Dimensions[n]
		col := strings.NewReplacer("{time_column}", "t.c", "{timezone}", "'UTC'").Replace(dim.Column)
		items = append(items, item{"dimension", n, col, dim.Line})
	}
	for _, it := range items {
		if strings.TrimSpace(it.sql) == "" {
			continue
		}
		info, _, err := inspectText(ctx, "SELECT "+it.sql, sqliteParse)
		if err != nil {
			return err
		}
		for _, f := range info.Functions {
			if parserInternal[f] || !identLike(f) {
				// DuckDB's parser names count(*) count_star and some
				// operators (LIKE as ~~) as functions; SQLite has both
				continue
			}
			if !known[f] {
				return strictyaml.Errorf(file, it.line, "%s %s calls %s(), which the SQLite engine does not have: run this domain with --engine duckdb", it.kind, it.name, f)
			}
		}
	}
	return nil
}

// sqliteFunctions lists the functions a connection of the engine knows
// (SQLite's own and the registered ones), lowercased. Every connection of
// the process has the same ones (one driver, one set of registered
// functions), so the list is read once.
func sqliteFunctions(ctx context.Context, conn *sql.Conn) (map[string]bool, error) {
	knownFuncs.Lock()
	defer knownFuncs.Unlock()
	if knownFuncs.names != nil {
		return knownFuncs.names, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT DISTINCT lower(name) FROM pragma_function_list")
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	knownFuncs.names = out
	return out, nil
}

// knownFuncs is the function list sqliteFunctions read (read-only once
// set).
var knownFuncs struct {
	sync.Mutex
	names map[string]bool
}

// parserInternal are names DuckDB's parser gives to SQL SQLite also has.
var parserInternal = map[string]bool{"count_star": true}

// identLike reports whether name is a function name rather than an
// operator.
func identLike(name string) bool {
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return name != ""
}
