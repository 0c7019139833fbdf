package db

import "testing"

// The adapter rewrites typed literals, casts and ORDER BY items, and never
// touches string literals, quoted identifiers or comments.
func TestSQLiteDialectAdapt(t *testing.T) {
	a := &sqliteDialect{booleans: map[string]bool{"support_tickets.escalated": true, "escalated": true}}
	cases := []struct{ in, want string }{
		{"SELECT 1 WHERE d >= DATE '2026-05-01' AND t < TIMESTAMP '2026-05-01 10:00:00'",
			"SELECT 1 WHERE d >= '2026-05-01' AND t < '2026-05-01 10:00:00'"},
		{"SELECT 'DATE ''x''' AS s, \"DATE\" FROM t -- DATE 'y'\n",
			"SELECT 'DATE ''x''' AS s, \"DATE\" FROM t -- DATE 'y'\n"},
		{"SELECT CAST(date_trunc('month', x) AS DATE) = DATE '2026-05-01'",
			"SELECT date(date_trunc('month', x)) = '2026-05-01'"},
		{"SELECT CAST(x AS TIMESTAMP)", "SELECT datetime(x)"},
		{"SELECT CAST(support_tickets.escalated AS VARCHAR) = 'true'",
			"SELECT (CASE WHEN support_tickets.escalated IS NULL THEN NULL WHEN support_tickets.escalated THEN 'true' ELSE 'false' END) = 'true'"},
		{"SELECT CAST(accounts.id AS VARCHAR) IN ('a')", "SELECT CAST(accounts.id AS TEXT) IN ('a')"},
		{"SELECT CAST(CAST(x AS DATE) AS VARCHAR)", "SELECT CAST(date(x) AS TEXT)"},
		{"SELECT CAST(x AS INTEGER)", "SELECT CAST(x AS INTEGER)"},
		{"SELECT a FROM t ORDER BY a, b DESC LIMIT 5", "SELECT a FROM t ORDER BY a NULLS LAST, b DESC NULLS LAST LIMIT 5"},
		{"SELECT a FROM t ORDER BY a NULLS FIRST", "SELECT a FROM t ORDER BY a NULLS FIRST"},
		{"SELECT (SELECT max(x) FROM u ORDER BY x) FROM t ORDER BY f(a, b)", "SELECT (SELECT max(x) FROM u ORDER BY x NULLS LAST) FROM t ORDER BY f(a, b) NULLS LAST"},
		{"SELECT a FROM t ORDER BY a\n", "SELECT a FROM t ORDER BY a NULLS LAST\n"},
		{"SELECT 'ORDER BY' FROM t", "SELECT 'ORDER BY' FROM t"},
		{"SELECT x::varchar, t.d::DATE, '2026-01-01'::date", "SELECT CAST(x AS TEXT), date(t.d), date('2026-01-01')"},
		{"SELECT (a + b)::int, f(x, y)::varchar FROM t WHERE (x)::int > 1", "SELECT CAST((a + b) AS int), CAST(f(x, y) AS TEXT) FROM t WHERE CAST((x) AS int) > 1"},
		{"SELECT x::decimal(10,2) FROM t", "SELECT CAST(x AS decimal(10,2)) FROM t"},
		{"SELECT escalated::varchar FROM t", "SELECT (CASE WHEN escalated IS NULL THEN NULL WHEN escalated THEN 'true' ELSE 'false' END) FROM t"},
		{"SELECT ':' || '::x' FROM t", "SELECT ':' || '::x' FROM t"},
		{"SELECT sum(a) / count(*) /* x / y */, 'a/b' FROM t", "SELECT sum(a)  * 1.0 / count(*) /* x / y */, 'a/b' FROM t"},
	}
	for _, c := range cases {
		if got := a.adapt(c.in); got != c.want {
			t.Errorf("adapt(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzSQLiteDialect: the lexer gives the text back, and the adapter never
// panics.
func FuzzSQLiteDialect(f *testing.F) {
	for _, s := range []string{"SELECT CAST(x AS DATE) FROM t ORDER BY a", "'unterminated", "/* c", "CAST(", "ORDER BY (", "DATE"} {
		f.Add(s)
	}
	a := &sqliteDialect{booleans: map[string]bool{"x": true}}
	f.Fuzz(func(t *testing.T, s string) {
		var b []byte
		for _, tok := range lexSQL(s) {
			b = append(b, tok.text...)
		}
		if string(b) != s {
			t.Fatalf("lexSQL lost text: %q -> %q", s, b)
		}
		_ = a.adapt(s)
	})
}
