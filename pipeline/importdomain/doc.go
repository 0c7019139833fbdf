// Package importdomain converts a domain directory of the Python reference
// (policy.yaml, surfaces.yaml, schema.sql, seed.sql, optional
// row_policies.sql, tasks/) into this project's domain format (policy.yaml,
// surfaces.yaml, schema.yaml, state.yaml, tasks/).
//
// The SQL is read through DuckDB: the CREATE TABLE statements are executed
// into an in-memory database (PostgreSQL serial columns become sequences,
// ClickHouse engines and type wrappers are stripped) and the tables,
// columns, primary and foreign keys are read back from duckdb_tables(),
// duckdb_columns() and duckdb_constraints(); the seed INSERTs are executed
// into the same database and its rows read back as the explicit state.
// What DuckDB cannot execute (PostgreSQL CREATE POLICY, ROW LEVEL SECURITY,
// GRANT, DO blocks; ClickHouse row policies and materialized views) is
// parsed for what the conversion needs (the tenant column a row policy
// compares with the session's tenant) and listed in the report.
//
// Everything the reference files do not say (the tenancy table and column,
// each table's ownership path, the legacy tenant key, metric semantics,
// time columns, the calendar, column grants) is inferred and reported, and
// what could not be inferred is reported as needing a person.
package importdomain
