package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// A domain whose own SQL calls a function SQLite lacks is refused when the
// SQLite engine opens, as bad input naming the metric and pointing at
// --engine duckdb; DuckDB opens it. Built-in domains (date_trunc, the
// ClickHouse functions) open on SQLite.
func TestSQLiteRefusesDomainsItCannotRun(t *testing.T) {
	ctx := context.Background()
	for _, name := range domains.Names() {
		d, err := domains.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		st, err := state.Generate(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenSQLite(ctx, d, st, layers.Containments(), db.Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Policy.Metrics["ticket_count"].Expression = "approx_count_distinct(support_tickets.id)"
	_, err = db.OpenSQLite(ctx, d, st, layers.Containments(), db.Options{})
	if err == nil || !strictyaml.IsInputError(err) || !strings.Contains(err.Error(), "ticket_count") || !strings.Contains(err.Error(), "--engine duckdb") {
		t.Fatalf("got %v, want a bad-input error naming ticket_count and --engine duckdb", err)
	}
	eng, err := db.OpenDuckDB(ctx, d, st, layers.Containments())
	if err != nil {
		t.Fatalf("DuckDB refused it too: %v", err)
	}
	eng.Close()
}
