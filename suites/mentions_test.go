package suites

import (
	"regexp"
	"testing"
)

// TestMentionsMatchesIdentifierRegexp checks mentions against the regular
// expression it replaces, on names with and without non-identifier
// characters and on quoted, prefixed, suffixed and boundary occurrences.
func TestMentionsMatchesIdentifierRegexp(t *testing.T) {
	sqls := []string{
		`SELECT * FROM tickets`, `SELECT * FROM "tickets" t`, `SELECT tickets_old.id FROM tickets_old`,
		`SELECT x FROM mytickets`, `tickets`, `"tickets"`, `SELECT a.b FROM acct.tickets`, ``,
		`SELECT * FROM "a-b" JOIN a ON 1=1`, `SELECT * FROM a-bc`, `SELECT * FROM xa-b`, `ticketsticketstickets tickets2 tickets`,
		`SELECT accounts.id, tickets.id FROM accounts JOIN tickets ON tickets.account_id = accounts.id LIMIT 5`,
	}
	names := []string{"tickets", "accounts", "a-b", "a", "t", "tickets_old", "b"}
	for _, name := range names {
		re := regexp.MustCompile(`(^|[^A-Za-z0-9_])"?` + regexp.QuoteMeta(name) + `"?([^A-Za-z0-9_]|$)`)
		for _, sql := range sqls {
			if got, want := mentions(sql, name), re.MatchString(sql); got != want {
				t.Errorf("mentions(%q, %q) = %v, want %v", sql, name, got, want)
			}
		}
	}
}

// limitSpec is the regular expression trailingLimit stands for.
var limitSpec = regexp.MustCompile(`(?i)\bLIMIT\s+(\d+)\s*;?\s*$`)

// checkTrailingLimit compares trailingLimit with limitSpec on sql.
func checkTrailingLimit(t *testing.T, sql string) {
	t.Helper()
	got, ok := trailingLimit(sql)
	m := limitSpec.FindStringSubmatch(sql)
	if ok != (m != nil) || (ok && got != m[1]) {
		t.Errorf("trailingLimit(%q) = %q %v, regexp %q", sql, got, ok, m)
	}
}

// TestTrailingLimitMatchesRegexp checks trailingLimit against the regular
// expression it replaces on boundaries: case, whitespace kinds, a trailing
// semicolon, identifiers ending in "limit", no digits, no space.
func TestTrailingLimitMatchesRegexp(t *testing.T) {
	for _, sql := range []string{
		"SELECT 1 LIMIT 5", "SELECT 1\nLIMIT 100", "select 1 limit 7;", "select 1 limit 7 ; \n", "LIMIT 3", "limit\t\n 3",
		"SELECT 1 LIMIT", "SELECT 1 LIMIT x", "SELECT 1 LIMIT5", "SELECT 1 nolimit 5", "SELECT 1 _limit 5", "SELECT 1 x.limit 5",
		"SELECT 1 LIMIT 5 OFFSET 2", "SELECT 1 LIMIT 5;;", "SELECT 1 LIMIT 99999999999999999999999", "", ";", " 5", "LiMiT 0012",
		"SELECT 1 LIMIT 5\v", "SELECT 1 LIMIT\u00a05", "(LIMIT 5", "\"LIMIT 5", "élimit 5",
	} {
		checkTrailingLimit(t, sql)
	}
}

// FuzzTrailingLimit compares trailingLimit with limitSpec on any text.
func FuzzTrailingLimit(f *testing.F) {
	for _, s := range []string{"SELECT 1 LIMIT 5", "limit 1;", "x LIMIT  9 ;  ", "LIMIT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) { checkTrailingLimit(t, sql) })
}
