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
