package db

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// The ClickHouse dialect runs on both engines through compatibility
// functions with ClickHouse's names and semantics (there is no ClickHouse
// server): DuckDB macros in the main schema, and PostgreSQL functions and
// aggregates in the run's compat schema, which every session's search path
// holds. Lowered SQL calls them unqualified, so the same text runs on both.
//
//	uniqExact(x)            the number of distinct non-NULL x
//	uniqExactIf(x, cond)    the number of distinct non-NULL x where cond holds
//	countIf(cond)           the number of rows where cond holds
//	countIf(x, cond)        the number of non-NULL x where cond holds
//	toDateTime(ts, tz)      the wall-clock time in zone tz of UTC timestamp ts
//	toDate(ts)              the date of ts (the server's zone, UTC)
//	toDate(ts, tz)          the date of ts in zone tz
//	sampleHash32(k)         the 32-bit hash a SAMPLE clause compares
//	inSample(k, f)          whether the row with SAMPLE BY key k is in SAMPLE f
//
// sampleHash32 is Knuth's multiplicative hash (k * 2654435761 mod 2^32), not
// ClickHouse's intHash32: what matters is that both engines and the oracle
// agree on which rows a SAMPLE keeps.

// clickHouseDuckDB returns the DuckDB macros of the ClickHouse dialect.
func clickHouseDuckDB() []string {
	return []string{
		"CREATE MACRO main.uniqExact(x) AS count(DISTINCT x)",
		"CREATE MACRO main.uniqExactIf(x, cond) AS count(DISTINCT CASE WHEN cond THEN x END)",
		"CREATE MACRO main.countIf(cond) AS count(CASE WHEN cond THEN 1 END), (x, cond) AS count(CASE WHEN cond THEN x END)",
		"CREATE MACRO main.toDateTime(ts, tz) AS timezone(tz, timezone('UTC', ts))",
		"CREATE MACRO main.toDate(ts) AS CAST(ts AS DATE), (ts, tz) AS CAST(timezone(tz, timezone('UTC', ts)) AS DATE)",
		"CREATE MACRO main.sampleHash32(k) AS ((k * 2654435761) % 4294967296)",
		"CREATE MACRO main.inSample(k, fraction) AS (sampleHash32(k) < fraction * 4294967296)",
	}
}

// clickHousePostgres returns the PostgreSQL functions and aggregates of the
// ClickHouse dialect, created in schema compat (already quoted).
func clickHousePostgres(compat string) []string {
	fn := func(sig, returns, body string) string {
		return fmt.Sprintf("CREATE FUNCTION %s.%s RETURNS %s LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %s", compat, sig, returns, quoteLit(body))
	}
	return []string{
		fn("todatetime(timestamp, text)", "timestamp", "SELECT pg_catalog.timezone($2, pg_catalog.timezone('UTC', $1))"),
		fn("todate(timestamp)", "date", "SELECT CAST($1 AS date)"),
		fn("todate(timestamp, text)", "date", "SELECT CAST(pg_catalog.timezone($2, pg_catalog.timezone('UTC', $1)) AS date)"),
		fn("samplehash32(bigint)", "bigint", "SELECT ($1 * 2654435761) % 4294967296"),
		fn("insample(bigint, numeric)", "boolean", fmt.Sprintf("SELECT %s.samplehash32($1) < $2 * 4294967296", compat)),
		fn("countif_step(bigint, boolean)", "bigint", "SELECT $1 + CASE WHEN $2 THEN 1 ELSE 0 END"),
		fmt.Sprintf("CREATE AGGREGATE %s.countif(boolean) (SFUNC = %s.countif_step, STYPE = bigint, INITCOND = '0')", compat, compat),
		fn("countif_value_step(bigint, anyelement, boolean)", "bigint", "SELECT $1 + CASE WHEN $3 AND $2 IS NOT NULL THEN 1 ELSE 0 END"),
		fmt.Sprintf("CREATE AGGREGATE %s.countif(anyelement, boolean) (SFUNC = %s.countif_value_step, STYPE = bigint, INITCOND = '0')", compat, compat),
		fn("uniq_step(anyarray, anyelement)", "anyarray", "SELECT CASE WHEN $2 IS NULL THEN $1 ELSE $1 || $2 END"),
		fn("uniq_if_step(anyarray, anyelement, boolean)", "anyarray", "SELECT CASE WHEN $2 IS NULL OR $3 IS NOT TRUE THEN $1 ELSE $1 || $2 END"),
		fn("uniq_final(anyarray)", "bigint", "SELECT count(DISTINCT x) FROM unnest($1) AS x"),
		fmt.Sprintf("CREATE AGGREGATE %s.uniqexact(anyelement) (SFUNC = %s.uniq_step, STYPE = anyarray, FINALFUNC = %s.uniq_final, INITCOND = '{}')", compat, compat, compat),
		fmt.Sprintf("CREATE AGGREGATE %s.uniqexactif(anyelement, boolean) (SFUNC = %s.uniq_if_step, STYPE = anyarray, FINALFUNC = %s.uniq_final, INITCOND = '{}')", compat, compat, compat),
	}
}

// dialectDuckDB returns the statements that install domain d's dialect on
// DuckDB (none for the default dialect).
func dialectDuckDB(d *spec.Domain) []string {
	if d.Policy.SQLDialect() == spec.DialectClickHouse {
		return clickHouseDuckDB()
	}
	return nil
}

// dialectPostgres returns the statements that install domain d's dialect
// in schema compat on PostgreSQL (none for the default dialect).
func dialectPostgres(d *spec.Domain, compat string) []string {
	if d.Policy.SQLDialect() == spec.DialectClickHouse {
		return clickHousePostgres(compat)
	}
	return nil
}
