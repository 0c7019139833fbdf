package db

import "testing"

// The adapter rewrites typed literals, casts and ORDER BY items, and never
// touches string literals, quoted identifiers or comments.
func TestSQLiteDialectAdapt(t *testing.T) {
	a := &sqliteDialect{booleans: map[string]bool{"support_tickets.escalated": true, "escalated": true},
		times: map[string]bool{"invoices.invoice_date": true, "support_tickets.opened_at": true}}
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
		// date_trunc of a date or timestamp column: written natively
		{"SELECT date_trunc('month', invoices.invoice_date) AS m FROM invoices GROUP BY 1",
			"SELECT (substr(invoices.invoice_date, 1, 7) || '-01 00:00:00') AS m FROM invoices GROUP BY 1"},
		{"SELECT DATE_TRUNC ( 'Year' , support_tickets.opened_at )",
			"SELECT (substr(support_tickets.opened_at, 1, 4) || '-01-01 00:00:00')"},
		{"SELECT CAST(date_trunc('day', Support_Tickets.Opened_At) AS VARCHAR)",
			"SELECT CAST((substr(Support_Tickets.Opened_At, 1, 10) || ' 00:00:00') AS TEXT)"},
		// anything else calls the registered function
		{"SELECT date_trunc('week', invoices.invoice_date)", "SELECT date_trunc('week', invoices.invoice_date)"},
		{"SELECT date_trunc('quarter', invoices.invoice_date)", "SELECT date_trunc('quarter', invoices.invoice_date)"},
		{"SELECT date_trunc('month', invoice_date) FROM invoices", "SELECT date_trunc('month', invoice_date) FROM invoices"},
		{"SELECT date_trunc('month', invoices.amount)", "SELECT date_trunc('month', invoices.amount)"},
		{"SELECT date_trunc('month', invoices.invoice_date + 1)", "SELECT date_trunc('month', invoices.invoice_date + 1)"},
		{"SELECT date_trunc(p, invoices.invoice_date)", "SELECT date_trunc(p, invoices.invoice_date)"},
		{"SELECT date_trunc('month')", "SELECT date_trunc('month')"},
		{"SELECT date_trunc", "SELECT date_trunc"},
		{"SELECT 'date_trunc(''month'', invoices.invoice_date)'", "SELECT 'date_trunc(''month'', invoices.invoice_date)'"},
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
