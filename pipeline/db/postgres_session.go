package db

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// pgSession is one worker's server connection. Every Run is its own
// read-only transaction, rolled back at the end, so nothing a statement
// sets outlives it.
type pgSession struct {
	e    *Postgres
	conn *pgx.Conn
}

func (s *pgSession) Close() error {
	return s.conn.Close(context.Background())
}

// setupSQL renders the statements that open e's transaction: BEGIN READ
// ONLY, then the role, tenant setting and search path of its namespace.
func (s *pgSession) setupSQL(e Exec) (string, error) {
	o := s.e.obj
	parts := []string{"BEGIN READ ONLY"}
	tenants := func() (string, error) {
		if err := checkTenants(e.Tenants); err != nil {
			return "", err
		}
		for _, t := range e.Tenants {
			if strings.Contains(t, ",") {
				return "", fmt.Errorf("tenant id %q contains a comma", t)
			}
		}
		return quoteLit(strings.Join(e.Tenants, ",")), nil
	}
	path := func(sch string) string {
		return "SET LOCAL search_path TO " + quoteIdent(sch) + ", " + quoteIdent(o.Compat)
	}
	switch e.Mode {
	case Live:
		ts, err := tenants()
		if err != nil {
			return "", err
		}
		sch, ok := o.Variants[e.Containment]
		if !ok {
			return "", fmt.Errorf("unknown containment %q", e.Containment)
		}
		role, ok := o.Roles[e.Containment][e.Role]
		if !ok {
			return "", fmt.Errorf("unknown role %q", e.Role)
		}
		parts = append(parts, "SET LOCAL ROLE "+quoteIdent(role),
			"SELECT pg_catalog.set_config("+quoteLit(tenantSetting)+", "+ts+", true)", path(sch))
	case Base:
		// The connecting user owns the base tables, which have no
		// row-level security: base reads are unrestricted.
		parts = append(parts, path(o.Base))
	case Oracle:
		ts, err := tenants()
		if err != nil {
			return "", err
		}
		parts = append(parts, "SELECT pg_catalog.set_config("+quoteLit(oracleSetting)+", "+ts+", true)", path(o.Oracle))
	default:
		return "", fmt.Errorf("unknown mode %d", e.Mode)
	}
	return strings.Join(parts, "; "), nil
}

// Run executes e.SQL in its namespace (memoized: the database is read-only).
func (s *pgSession) Run(ctx context.Context, e Exec) (Result, error) {
	return guardedRun(ctx, s.e.results, s, s.e.stats, s.run, e)
}

func (s *pgSession) run(ctx context.Context, e Exec) (Result, error) {
	setup, err := s.setupSQL(e)
	if err != nil {
		return Result{}, fmt.Errorf("configure session: %w", err)
	}
	if _, err := s.conn.Exec(ctx, setup); err != nil {
		_ = s.rollback(ctx)
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, fmt.Errorf("configure session: %w", err)
	}
	s.e.stats.add(StatConfigure, 1, 0)
	start := time.Now()
	res, qerr := s.query(ctx, e.SQL)
	s.e.stats.add(statOfMode(e.Mode), 1, time.Since(start))
	if rerr := s.rollback(ctx); rerr != nil && qerr == nil {
		qerr = rerr
	}
	if qerr != nil {
		return Result{}, qerr
	}
	return res, nil
}

func (s *pgSession) rollback(ctx context.Context) error {
	if _, err := s.conn.Exec(ctx, "ROLLBACK"); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("end transaction: %w", err)
	}
	return nil
}

// query runs one statement with the extended protocol (so the text holds
// exactly one statement) and text results, normalized with pgCell.
func (s *pgSession) query(ctx context.Context, text string) (Result, error) {
	rr := s.conn.PgConn().ExecParams(ctx, text, nil, nil, nil, nil)
	fields := rr.FieldDescriptions()
	res := Result{Columns: make([]string, len(fields)), Rows: [][]string{}}
	for i, f := range fields {
		res.Columns[i] = f.Name
	}
	over := false
	for rr.NextRow() {
		if len(res.Rows) == MaxResultRows {
			over = true
			break
		}
		vals := rr.Values()
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = pgCell(fields[i].DataTypeOID, v)
		}
		res.Rows = append(res.Rows, row)
	}
	if _, err := rr.Close(); err != nil {
		return s.refusal(ctx, err)
	}
	if over {
		return Result{Blocked: true, Error: fmt.Sprintf("result exceeds %d rows", MaxResultRows)}, nil
	}
	return res, nil
}

// refusal turns a statement error into a Blocked result when the server
// refused the statement, or an error when the infrastructure failed
// (connection loss, resources, shutdown, internal errors, cancellation).
func (s *pgSession) refusal(ctx context.Context, err error) (Result, error) {
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && !pgInfraError(pe.Code) {
		return Result{Blocked: true, Error: cleanError(pe)}, nil
	}
	return Result{}, fmt.Errorf("run statement: %w", err)
}

// pgInfraError reports SQLSTATE classes that are failures of the server or
// connection rather than refusals of the statement: 08 connection, 53
// insufficient resources, 57 operator intervention, 58 system, XX internal.
func pgInfraError(code string) bool {
	if len(code) < 2 {
		return true
	}
	switch code[:2] {
	case "08", "53", "57", "58", "XX":
		return true
	}
	return false
}

// Timestamp layouts of PostgreSQL's ISO text output.
const (
	pgDate        = "2006-01-02"
	pgTimestamp   = "2006-01-02 15:04:05.999999999"
	pgTimestampTZ = "2006-01-02 15:04:05.999999999Z07"
)

// pgCell normalizes one text-format value the way the DuckDB engine's Go
// values normalize: integers and numerics without a fraction (count, sum of
// bigint) print as integers, numerics with a fraction (avg) and floats as
// float64 with six decimals, booleans as true/false, dates and timestamps
// through cell.Format (midnight timestamps print as dates).
func pgCell(oid uint32, raw []byte) string {
	if raw == nil {
		return cell.Format(nil)
	}
	s := string(raw)
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return cell.Format(v)
		}
	case pgtype.NumericOID:
		if !strings.ContainsAny(s, ".eEIN") {
			if v, ok := new(big.Int).SetString(s, 10); ok {
				return cell.Format(v)
			}
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return cell.Format(v)
		}
	case pgtype.Float4OID, pgtype.Float8OID:
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return cell.Format(v)
		}
	case pgtype.BoolOID:
		switch s {
		case "t":
			return cell.Format(true)
		case "f":
			return cell.Format(false)
		}
	case pgtype.DateOID:
		if v, err := time.Parse(pgDate, s); err == nil {
			return cell.Format(v)
		}
	case pgtype.TimestampOID:
		if v, err := time.Parse(pgTimestamp, s); err == nil {
			return cell.Format(v)
		}
	case pgtype.TimestamptzOID:
		for _, layout := range []string{pgTimestampTZ, pgTimestampTZ + ":00", pgTimestampTZ + ":00:00"} {
			if v, err := time.Parse(layout, s); err == nil {
				return cell.Format(v)
			}
		}
	}
	return s
}

// Visible reports the rows and columns of table visible to a live session:
// columns from the application role's privileges, rows by reading the
// primary key under the role's row-level security.
func (s *pgSession) Visible(ctx context.Context, containment, role string, tenants []string, table string) (Visibility, error) {
	return probeVisibility(ctx, s.e.visible, s.e.domain, s, containment, role, tenants, table,
		func(ctx context.Context, t *spec.Table) ([]string, error) {
			sch, ok := s.e.obj.Variants[containment]
			if !ok {
				return nil, fmt.Errorf("unknown containment %q", containment)
			}
			appRole, ok := s.e.obj.Roles[containment][role]
			if !ok {
				return nil, fmt.Errorf("unknown role %q", role)
			}
			rows, err := s.conn.Query(ctx, `SELECT $3::text || '.' || a.attname FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND pg_catalog.has_column_privilege($2::text, a.attrelid, a.attnum, 'SELECT')`,
				quoteIdent(sch)+"."+quoteIdent(t.Name), appRole, t.Name)
			if err != nil {
				return nil, err
			}
			return pgx.CollectRows(rows, pgx.RowTo[string])
		})
}

// Inspect answers what DuckDB's parser says of sql, as the other engines
// do (the fast parser's answer where it recognizes the text, else
// json_serialize_sql's on the engine's in-memory parser database).
func (s *pgSession) Inspect(ctx context.Context, text string) (SQLInfo, error) {
	return memoParse(ctx, s.e.parses, s.e.stats, text, func(ctx context.Context, text string) (SQLInfo, error) {
		return inspectDuck(ctx, parseOn(s.e.parser), text)
	})
}
