package db

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/pgtest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// pgTestDSN is the environment's PostgreSQL DSN (see pgtest.DSN).
func pgTestDSN(tb testing.TB) string { return pgtest.DSN(tb) }

// pgLeftovers lists the schemas (in the DSN's database) and roles (on the
// server) whose names carry suffix.
func pgLeftovers(tb testing.TB, dsn, suffix string) (schemas, roles []string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	collect := func(sql string) []string {
		rows, err := conn.Query(ctx, sql, "ps_"+suffix+"_")
		if err != nil {
			tb.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	return collect("SELECT nspname::text FROM pg_catalog.pg_namespace WHERE starts_with(nspname, $1) ORDER BY 1"),
		collect("SELECT rolname::text FROM pg_catalog.pg_roles WHERE starts_with(rolname, $1) ORDER BY 1")
}

func testContainments() []Containment {
	return []Containment{{Name: "v7"}, {Name: "legacy_ownership", LegacyOwnership: true}, {Name: "table_grants", TableGrants: true}}
}

// A failed Open (here: a state value the column type rejects, after the
// schemas and roles were created) leaves no schema and no role behind.
func TestPostgresFailedOpenLeavesNothing(t *testing.T) {
	dsn := pgTestDSN(t)
	d, st := supportState(t)
	bad := &state.State{}
	for _, tb := range st.Tables {
		cp := *tb
		if tb.Name == "ticket_events" {
			cp.Rows = append([][]any{}, tb.Rows...)
			row := append([]any{}, cp.Rows[len(cp.Rows)-1]...)
			row[cp.PK] = "not a number"
			cp.Rows[len(cp.Rows)-1] = row
		}
		bad.Tables = append(bad.Tables, &cp)
	}
	suffix, err := newSuffix()
	if err != nil {
		t.Fatal(err)
	}
	e, err := openPostgres(context.Background(), dsn, d, bad, testContainments(), Options{}, suffix)
	if err == nil {
		e.Close()
		t.Fatal("open accepted a text value in a bigint column")
	}
	if !strings.HasPrefix(err.Error(), "load postgres: INSERT INTO") {
		t.Errorf("error %q, want load postgres failing on an INSERT (after the schemas and roles)", err)
	}
	if schemas, roles := pgLeftovers(t, dsn, suffix); len(schemas)+len(roles) > 0 {
		t.Errorf("failed open left schemas %v and roles %v", schemas, roles)
	}
}

func TestPGNames(t *testing.T) {
	long := strings.Repeat("very_long_containment_name_", 4)
	d := &spec.Domain{Policy: &spec.Policy{Roles: map[string]*spec.Role{"analyst": {}, "Finance Admin": {}}}}
	o := pgNames(d, []Containment{{Name: "v7"}, {Name: "V7"}, {Name: long}}, "0123456789ab")
	seen := map[string]bool{}
	for _, n := range append(o.Schemas(), o.AppRoles()...) {
		if len(n) > pgMaxIdent {
			t.Errorf("%q is longer than %d bytes", n, pgMaxIdent)
		}
		if !strings.HasPrefix(n, "ps_0123456789ab_") {
			t.Errorf("%q lacks the run prefix", n)
		}
		if identRE.MatchString(n) {
			t.Errorf("%q has characters outside [a-z0-9_]", n)
		}
		if seen[n] {
			t.Errorf("%q named twice", n)
		}
		seen[n] = true
	}
	if o.Variants["v7"] == o.Variants["V7"] {
		t.Errorf("v7 and V7 share schema %q", o.Variants["v7"])
	}
	if got := o.Roles["v7"]["analyst"]; got != "ps_0123456789ab_v7__analyst" {
		t.Errorf("role name %q", got)
	}
}

// PostgreSQL's text output normalizes to the same strings as the DuckDB
// driver's Go values for the same results.
func TestPGCellMatchesDuckDBValues(t *testing.T) {
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		oid   uint32
		raw   string
		duck  any // what the DuckDB driver returns for the same value
		isNil bool
	}{
		{"count is bigint", pgtype.Int8OID, "42", int64(42), false},
		{"sum of bigint is numeric, hugeint in DuckDB", pgtype.NumericOID, "123456789012345678901234", mustBig("123456789012345678901234"), false},
		{"negative sum", pgtype.NumericOID, "-17", mustBig("-17"), false},
		{"avg is numeric, double in DuckDB", pgtype.NumericOID, "1.6666666666666667", 5.0 / 3, false},
		{"avg of a whole number keeps six decimals", pgtype.NumericOID, "12.0000000000000000", 12.0, false},
		{"float8", pgtype.Float8OID, "0.1", 0.1, false},
		{"boolean true", pgtype.BoolOID, "t", true, false},
		{"boolean false", pgtype.BoolOID, "f", false, false},
		{"date", pgtype.DateOID, "2026-05-01", day, false},
		{"midnight timestamp prints as a date", pgtype.TimestampOID, "2026-05-01 00:00:00", day, false},
		{"timestamp", pgtype.TimestampOID, "2026-05-01 10:11:12", day.Add(10*time.Hour + 11*time.Minute + 12*time.Second), false},
		{"date_trunc of a date in PostgreSQL (timestamptz, UTC)", pgtype.TimestamptzOID, "2026-05-01 00:00:00+00", day, false},
		{"timestamptz with an offset", pgtype.TimestamptzOID, "2026-05-01 02:00:00+02", day, false},
		{"text", pgtype.TextOID, "west", "west", false},
		{"NULL", pgtype.Int8OID, "", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			if tc.isNil {
				raw = nil
			}
			if got, want := pgCell(tc.oid, raw), cell.Format(tc.duck); got != want {
				t.Errorf("pgCell = %q, DuckDB value formats as %q", got, want)
			}
		})
	}
}

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return v
}
