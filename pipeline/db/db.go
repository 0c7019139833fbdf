// Package db executes lowered SQL on a real database loaded with a domain's
// schema and generated state, under real containment. Embedded DuckDB is the
// default engine: the application's session reads per-role secure views,
// bound to the session's tenants through a session variable, whose columns are
// the role's grants. Each containment variant (the database layer's versions)
// is its own set of views. Two further namespaces serve the oracle and the
// detector: the unrestricted base tables and oracle views filtered by row
// ownership computed independently in Go.
//
// PostgreSQL is the second engine (OpenPostgres): each containment variant is
// a schema of tables under FORCE ROW LEVEL SECURITY with policies bound to
// the transaction's app.tenant_id setting, read by non-owner application
// roles through column grants. Both engines implement Engine and Session,
// normalize results identically and parse SQL with the same DuckDB parser,
// so CompareEngines can check that they agree.
package db

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Containment describes one variant of the database layer's controls.
type Containment struct {
	// Name identifies the variant (e.g. v7, legacy_ownership).
	Name string
	// LegacyOwnership makes tenant isolation test the pre-migration tenant
	// column against the tenants' legacy keys instead of the current column.
	LegacyOwnership bool
	// TableGrants exposes every column of every table (table-level grants)
	// instead of the role's column grants.
	TableGrants bool
	// UnprotectedDepth, when positive, leaves tables whose owner chain is at
	// least this many steps long without any tenant isolation (tables added
	// after the policies were written).
	UnprotectedDepth int
	// UnprotectedDirect leaves the tables that hold the tenant id
	// themselves (owned straight by the tenancy table) without tenant
	// isolation: their row policies carry no tenant predicate.
	UnprotectedDirect bool
	// NoRowPolicies leaves every table without tenant isolation: the
	// session runs as a role no row policy names.
	NoRowPolicies bool
	// RemoteShardsUnfiltered reads the rows of distributed tables that live
	// on remote shards (sharding key mod shards is not 0) without tenant
	// isolation: the shards run the query as a user no row policy names.
	RemoteShardsUnfiltered bool
}

// Unprotected reports whether containment c leaves table without tenant
// isolation.
func (c Containment) Unprotected(d *spec.Domain, table string) bool {
	ten := d.Policy.Tenancy.Table
	switch {
	case c.NoRowPolicies:
		return true
	case table == ten:
		return false
	case c.UnprotectedDirect && resolve.DirectlyOwned(d.Schema, table, ten):
		return true
	case c.UnprotectedDepth <= 0:
		return false
	}
	chain, err := resolve.OwnerChain(d.Schema, table, ten)
	return err == nil && len(chain) >= c.UnprotectedDepth
}

// remoteShards is the condition (unqualified columns of table) true for
// the rows containment c reads from remote shards without isolation, or ""
// when c filters every row of table.
func (c Containment) remoteShards(d *spec.Domain, table string) string {
	t := d.Schema.Table(table)
	if !c.RemoteShardsUnfiltered || t == nil || t.Distributed == nil {
		return ""
	}
	return fmt.Sprintf("(%s %% %d) <> 0", quoteIdent(t.Distributed.ShardingKey), t.Distributed.Shards)
}

// rowFilter is containment c's row filter of table: the ownership
// predicate, unless c leaves the table unprotected, widened by the rows of
// remote shards c reads unfiltered.
func (c Containment) rowFilter(d *spec.Domain, table, pred string) string {
	if c.Unprotected(d, table) {
		return "TRUE"
	}
	if remote := c.remoteShards(d, table); remote != "" {
		return "(" + pred + ") OR " + remote
	}
	return pred
}

// Mode selects the namespace a statement runs in.
type Mode int

const (
	// Live runs as the application: secure views of a containment variant,
	// for a role, bound to the session's tenants.
	Live Mode = iota
	// Base runs on the unrestricted base tables.
	Base
	// Oracle runs on views restricted to the rows the oracle says the
	// tenants own (all columns visible).
	Oracle
)

// Exec is one statement to run.
type Exec struct {
	Mode        Mode
	Containment string
	Role        string
	Tenants     []string
	SQL         string
}

// Result is a normalized statement result. A statement the database refused
// (binder error, permission error) is Blocked with its Error; Rows are
// normalized text cells so results from different engines compare.
type Result struct {
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	Blocked bool       `json:"blocked"`
	Error   string     `json:"error,omitempty"`
}

// Visibility is what a live session can see of one table.
type Visibility struct {
	Rows    []string
	Columns []string
}

// Session is one worker's connection.
type Session interface {
	// Run executes a statement. Policy refusals come back as Blocked
	// results; only infrastructure failures are errors.
	Run(ctx context.Context, e Exec) (Result, error)
	// Visible reports which rows (primary keys as text, sorted) and columns
	// (sorted, qualified) of table a live session can see.
	Visible(ctx context.Context, containment, role string, tenants []string, table string) (Visibility, error)
	// Inspect answers what DuckDB's parser says of sql (every engine
	// answers the same; see fastInspect for how).
	Inspect(ctx context.Context, sql string) (SQLInfo, error)
	Close() error
}

// Engine is a loaded database shared by the run's sessions.
type Engine interface {
	Name() string
	Session(ctx context.Context) (Session, error)
	Close() error
}

var identRE = regexp.MustCompile(`[^a-z0-9_]`)

// SchemaName is the namespace of a containment variant's views for a role.
func SchemaName(containment, role string) string {
	return "sv_" + identRE.ReplaceAllString(strings.ToLower(containment), "_") + "__" + identRE.ReplaceAllString(strings.ToLower(role), "_")
}

// quoteIdent double-quotes an identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteLit single-quotes a string literal.
func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// listLit renders a list of string literals: ['a', 'b'].
func listLit(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quoteLit(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func checkTenants(ts []string) error {
	if len(ts) == 0 {
		return fmt.Errorf("session has no tenants")
	}
	return nil
}
