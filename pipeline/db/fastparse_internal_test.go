package db

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// duckInfo parses text with DuckDB only (the authority the fast parser
// must agree with).
func duckInfo(t testing.TB, text string) SQLInfo {
	t.Helper()
	info, err := sqliteParse(context.Background(), text)
	if err != nil {
		t.Fatalf("duckdb parse %q: %v", text, err)
	}
	return info
}

// sqlInfoOpts compares SQLInfo with its unexported text-column marks.
var sqlInfoOpts = cmp.AllowUnexported(SQLInfo{})

// checkFast fails when the fast parser accepts text and answers other
// than DuckDB does, and reports whether it accepted.
func checkFast(t testing.TB, text string) bool {
	t.Helper()
	got, ok := fastInspect(text)
	if !ok {
		return false
	}
	if diff := cmp.Diff(duckInfo(t, text), got, sqlInfoOpts); diff != "" {
		t.Fatalf("fast parser disagrees with DuckDB on %q (-duckdb +fast):\n%s", text, diff)
	}
	return true
}

// fastParseCases are texts around the edges of the fast parser's grammar:
// fast says whether it must recognize the text (false: DuckDB's to read).
var fastParseCases = []struct {
	name string
	sql  string
	fast bool
}{
	{"bindings equal and in", "SELECT a.x FROM a WHERE a.t = 'acme' AND a.u IN ('p', 'q') AND 'z' = a.v", true},
	{"binding integers", "SELECT a.x FROM a WHERE a.n = 42 AND a.m IN (1, 12345678901)", true},
	{"binding nested and", "SELECT a.x FROM a WHERE (a.t = 'x' AND (a.u = 'y' AND a.v IN ('z'))) AND a.w = 'q'", true},
	{"or at the top binds nothing", "SELECT a.x FROM a WHERE a.t = 'acme' AND a.u = 'p' OR a.v = 'q'", true},
	{"not binds nothing", "SELECT a.x FROM a WHERE NOT a.t = 'acme' AND a.u NOT IN ('p') AND a.v IS NOT NULL AND a.w IS NULL", true},
	{"boolean and null constants bind nothing", "SELECT a.x FROM a WHERE a.b = TRUE AND a.c = FALSE AND a.d = NULL AND a.e IN ('x', NULL)", true},
	{"decimal binding goes to duckdb", "SELECT a.x FROM a WHERE a.r = 0.5", false},
	{"decimal elsewhere", "SELECT round(a.x, 2) * 0.5 AS v FROM a WHERE a.r > 0.5", true},
	{"hugeint goes to duckdb", "SELECT a.x FROM a WHERE a.n = 123456789012345678901234", false},
	{"aliases", "SELECT t.x, u.y FROM accounts t JOIN users AS u ON u.id = t.uid WHERE t.tenant_id IN ('acme') AND u.org = 'o'", true},
	{"alias bound twice goes to duckdb", "SELECT 1 FROM a AS t JOIN (SELECT 2 FROM b AS t) AS s ON 1 = 1", false},
	{"subquery alias shadows table", "SELECT events.id FROM (SELECT DISTINCT events.id FROM events WHERE events.p IN ('x')) AS events LIMIT 7", true},
	{"in subquery", "SELECT e.id FROM events e WHERE e.lp IN (SELECT projects.legacy FROM projects WHERE projects.id IN ('p')) AND e.c = 'x'", true},
	{"not in subquery", "SELECT e.id FROM events e WHERE e.lp NOT IN (SELECT p.l FROM projects AS p WHERE p.id = 'p')", true},
	{"mixed case and quoted identifiers", `SELECT "Acc"."Id", Foo.Bar AS "my ""col""" FROM "Acc" JOIN Foo ON Foo.k = "Acc".k WHERE "Acc"."T" = 'it''s'`, true},
	{"unicode string", "SELECT a.x FROM a WHERE a.city = 'Zürich — 東京'", true},
	{"text casts", "SELECT CAST(a.x AS VARCHAR), CAST(a.y AS TEXT), CAST(a.z AS integer), a.w FROM a", true},
	{"date literals", "SELECT a.x FROM a WHERE a.d >= DATE '2026-01-01' AND a.d < DATE'2026-02-01'", true},
	{"aggregates", "SELECT count(*) AS n, count(DISTINCT a.u) FILTER (WHERE a.ok) AS d, sum(a.v) / 100 AS s, avg(a.v) % 3, min(a.v) - max(a.v) + 1, a.s || 'x' FROM a GROUP BY a.g HAVING count(*) > 1 ORDER BY a.g DESC NULLS LAST, 2 ASC LIMIT 100", true},
	{"clickhouse functions", "SELECT uniqExact(e.u), countIf(e.n = 'p'), uniqExactIf(e.u, e.n = 'r') FROM e WHERE inSample(e.id, 0.1) AND toDateTime(e.t, p.tz) >= DATE '2026-01-01'", true},
	{"date_trunc", "SELECT date_trunc('month', t.d) AS m FROM t GROUP BY m ORDER BY m", true},
	{"star", "SELECT * FROM a", true},
	{"no from", "SELECT accounts.region", true},
	{"select distinct", "SELECT DISTINCT a.x FROM a", true},
	{"comma and left join", "SELECT a.x FROM a, b LEFT JOIN c ON c.k = b.k LEFT OUTER JOIN d ON d.k = c.k INNER JOIN e ON e.k = d.k", true},
	{"limit zero and bigint", "SELECT 1 LIMIT 0", true},
	{"limit bigint", "SELECT 1 LIMIT 9223372036854775807", true},
	{"limit too large", "SELECT 1 LIMIT 9223372036854775808", false},
	{"limit expression", "SELECT 1 LIMIT 1 + 1", false},
	{"offset", "SELECT 1 LIMIT 5 OFFSET 2", false},
	{"semicolon", "SELECT 1;", false},
	{"two statements", "SELECT 1; SELECT 2", false},
	{"line comment", "SELECT 1 -- x", false},
	{"block comment", "SELECT /* x */ 1", false},
	{"empty", "", false},
	{"whitespace", " \n\t", false},
	{"not select", "DELETE FROM a", false},
	{"union", "SELECT 1 UNION SELECT 2", false},
	{"with", "WITH x AS (SELECT 1) SELECT * FROM x", false},
	{"schema qualified", "SELECT 1 FROM main.accounts", false},
	{"table function", "SELECT * FROM read_csv('x')", false},
	{"denied function", "SELECT set_config('app.tenant', 'beta', false)", false},
	{"unknown function", "SELECT getenv('HOME')", false},
	{"count no args", "SELECT count() FROM a", true},
	{"sum no args", "SELECT sum(), COUNT(*) FROM a", true},
	{"coalesce rewritten", "SELECT coalesce(a.x, 0) FROM a", false},
	{"double colon cast", "SELECT a.x::VARCHAR FROM a", false},
	{"case", "SELECT CASE WHEN a.x THEN 1 END FROM a", false},
	{"unary minus", "SELECT -1", false},
	{"chained comparison", "SELECT a.x FROM a WHERE a.x = a.y = a.z", false},
	{"comparison then in", "SELECT a.x FROM a WHERE a.x = a.y IN (1)", false},
	{"like", "SELECT a.x FROM a WHERE a.x LIKE 'a%'", false},
	{"between", "SELECT a.x FROM a WHERE a.x BETWEEN 1 AND 2", false},
	{"parameter", "SELECT a.x FROM a WHERE a.t = $1", false},
	{"question parameter", "SELECT a.x FROM a WHERE a.t = ?", false},
	{"escape string", "SELECT E'a\\nb'", false},
	{"adjacent strings", "SELECT 'a'\n'b'", false},
	{"exponent", "SELECT 1e3", false},
	{"keyword as column", "SELECT a.x FROM a WHERE date = 1", false},
	{"keyword as alias", "SELECT a.x AS select FROM a", false},
	{"alias without as", "SELECT a.x y FROM a", false},
	{"window", "SELECT sum(a.x) OVER () FROM a", false},
	{"unterminated string", "SELECT 'abc", false},
	{"unterminated identifier", `SELECT "abc`, false},
	{"empty quoted identifier", `SELECT ""`, false},
	{"nul byte", "SELECT 'a\x00b'", false},
	{"control character", "SELECT 'a\x01b'", false},
	{"invalid utf8", "SELECT 'a\xffb'", false},
	{"non-ascii identifier", "SELECT café FROM a", false},
	{"four part column", "SELECT c.s.t.x FROM t", true},
	{"five part column", "SELECT d.c.s.t.x FROM t", false},
	{"deep parentheses", "SELECT " + strings.Repeat("(", 40) + "1" + strings.Repeat(")", 40), true},
	{"too deep parentheses", "SELECT " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), false},
	{"long sum", "SELECT " + strings.Repeat("a.x + ", 400) + "1 FROM a", true},
	{"too many tokens", "SELECT " + strings.Repeat("a.x + ", 600) + "1 FROM a", false},
	{"trailing garbage", "SELECT 1 FROM a WHERE", false},
	{"in empty list", "SELECT 1 FROM a WHERE a.x IN ()", false},
	{"distinct on", "SELECT DISTINCT ON (a.x) a.y FROM a", false},
	{"group by all", "SELECT a.x FROM a GROUP BY ALL", false},
	{"filter on non-count star", "SELECT sum(*) FROM a", false},
}

func TestFastParseAgreesWithDuckDB(t *testing.T) {
	for _, c := range fastParseCases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkFast(t, c.sql); got != c.fast {
				t.Errorf("fast parser recognized %q: %v, want %v", c.sql, got, c.fast)
			}
		})
	}
}

// TestFastParseCorpus: every statement shape the compilers emitted in
// runs of the built-in domains is recognized and answered as DuckDB does.
func TestFastParseCorpus(t *testing.T) {
	f, err := os.Open("testdata/fastparse_corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		var text string
		if err := json.Unmarshal(sc.Bytes(), &text); err != nil {
			t.Fatalf("testdata/fastparse_corpus.txt:%d: %v", line, err)
		}
		if !checkFast(t, text) {
			t.Errorf("testdata/fastparse_corpus.txt:%d: the fast parser does not recognize %q", line, text)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 500 {
		t.Fatalf("%d statements in the corpus, want the 519 shapes", n)
	}
}

// TestParseCheckReportsDisagreement: with the check on, a fast answer
// that differs from the other parser's fails the parse; with it off, the
// fast answer is returned without asking.
func TestParseCheckReportsDisagreement(t *testing.T) {
	prev := SetParseCheck(true)
	t.Cleanup(func() { SetParseCheck(prev) })
	ctx := context.Background()
	text := "SELECT a.x FROM a WHERE a.t = 'acme'"
	wrong := func(context.Context, string) (SQLInfo, error) { return SQLInfo{Valid: true, Limit: -1}, nil }
	if _, fast, err := inspectText(ctx, text, wrong); err == nil || !fast || !strings.Contains(err.Error(), "disagree") {
		t.Fatalf("inspectText with a disagreeing parser: fast %v, err %v; want a disagreement", fast, err)
	}
	if _, fast, err := inspectText(ctx, text, sqliteParse); err != nil || !fast {
		t.Fatalf("inspectText with DuckDB: fast %v, err %v", fast, err)
	}
	SetParseCheck(false)
	calls := 0
	counting := func(ctx context.Context, s string) (SQLInfo, error) { calls++; return wrong(ctx, s) }
	if _, fast, err := inspectText(ctx, text, counting); err != nil || !fast || calls != 0 {
		t.Fatalf("check off: fast %v, err %v, %d calls to the other parser; want the fast answer alone", fast, err, calls)
	}
	if _, fast, err := inspectText(ctx, "SELECT 1; SELECT 2", counting); err != nil || fast || calls != 1 {
		t.Fatalf("unrecognized text: fast %v, err %v, %d calls; want the other parser's answer", fast, err, calls)
	}
}

func FuzzFastParse(f *testing.F) {
	for _, c := range fastParseCases {
		f.Add(c.sql)
	}
	f.Add("SELECT (count(*)) * 10 AS value\nFROM (\n  SELECT DISTINCT events.id\n  FROM events\n  JOIN projects ON projects.id = events.project_id\n  WHERE events.project_id IN ('project_acme_mobile')\n    AND toDateTime(events.event_time, projects.timezone) >= DATE '2026-04-01'\n    AND inSample(events.id, 0.1)\n    AND CAST(events.country AS VARCHAR) = 'US'\n) AS events\nLIMIT 10")
	f.Fuzz(func(t *testing.T, text string) {
		checkFast(t, text)
	})
}

// benchParseText is a statement of the support_saas compiler (a fan-out
// metric by two dimensions).
const benchParseText = "SELECT d_region AS \"region\", d_severity AS \"severity\", sum(invoices.net_amount_cents) AS value\nFROM (\n  SELECT DISTINCT invoices.id, invoices.net_amount_cents, accounts.region AS d_region, support_tickets.severity AS d_severity\n  FROM invoices\n  JOIN subscriptions ON subscriptions.id = invoices.subscription_id\n  JOIN accounts ON accounts.id = subscriptions.account_id\n  JOIN support_tickets ON support_tickets.account_id = accounts.id\n  WHERE accounts.tenant_id IN ('acme')\n    AND invoices.invoice_date >= DATE '2026-05-01'\n    AND invoices.invoice_date < DATE '2026-06-01'\n) AS invoices\nGROUP BY d_region, d_severity\nORDER BY d_region, d_severity\nLIMIT 1892"

// BenchmarkParsers compares the fast parser with DuckDB's parser (the
// prepared json_serialize_sql and the decoding of its tree) on one
// compiled statement.
func BenchmarkParsers(b *testing.B) {
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, ok := fastInspect(benchParseText); !ok {
				b.Fatal("not recognized")
			}
		}
	})
	b.Run("duckdb", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			if _, err := sqliteParse(ctx, benchParseText); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestMemoParseCountsByParser: run.json's parse and parse_go lines count
// each parser's parses and the memo hits of the entries it answered.
func TestMemoParseCountsByParser(t *testing.T) {
	ctx := context.Background()
	stats := &Stats{}
	memo := newLRU(16)
	for _, text := range []string{"SELECT a.x FROM a", "SELECT a.x FROM a", "SELECT 1; SELECT 2", "SELECT 1; SELECT 2", "SELECT 1; SELECT 2"} {
		if _, err := memoParse(ctx, memo, stats, text, sqliteParse); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][2]int64{}
	for _, l := range stats.Lines() {
		got[l.Kind] = [2]int64{l.Executed, l.Cached}
	}
	if got["parse_go"] != [2]int64{1, 1} || got["parse"] != [2]int64{1, 2} {
		t.Fatalf("parse_go executed/cached %v, parse %v; want [1 1] and [1 2]", got["parse_go"], got["parse"])
	}
}

// TestRecognizedTextsNeverReachDuckDB: an engine's Inspect of a text the
// fast parser recognizes makes no parse on DuckDB's parser database (a run
// whose every text is recognized never opens it); a text it does not
// recognize does.
func TestRecognizedTextsNeverReachDuckDB(t *testing.T) {
	ctx := context.Background()
	memo := newLRU(0)
	before := parserUses.Load()
	if _, err := memoParse(ctx, memo, nil, benchParseText, sqliteParse); err != nil {
		t.Fatal(err)
	}
	if got := parserUses.Load(); got != before {
		t.Fatalf("a recognized text made %d parses on DuckDB's parser", got-before)
	}
	if _, err := memoParse(ctx, memo, nil, "SELECT 1; SELECT 2", sqliteParse); err != nil {
		t.Fatal(err)
	}
	if parserUses.Load() == before {
		t.Fatal("an unrecognized text did not reach DuckDB's parser")
	}
}
