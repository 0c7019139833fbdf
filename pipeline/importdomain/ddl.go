package importdomain

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// rowPolicy is a row-level policy DuckDB cannot execute (PostgreSQL CREATE
// POLICY or ClickHouse CREATE ROW POLICY), kept as parsed text.
type rowPolicy struct {
	Name, Table, Using, To string
	Where                  string
}

// sqlFacts is what the statements DuckDB does not execute say.
type sqlFacts struct {
	// Tables in creation order.
	Tables []string
	// ClickHouse is set when a table is created with an ENGINE clause.
	ClickHouse bool
	// OrderBy is each ClickHouse table's sorting key.
	OrderBy map[string][]string
	// RLS lists the tables with ROW LEVEL SECURITY enabled.
	RLS      map[string]bool
	Policies []rowPolicy
	Grants   []string
	// Views are the materialized views, in creation order.
	Views []*matView
	// Skipped lists statements read but not converted, as "path:line: why".
	Skipped []string
}

var (
	reDrop        = regexp.MustCompile(`(?is)^drop\s`)
	reDo          = regexp.MustCompile(`(?is)^do\s`)
	reCreateRole  = regexp.MustCompile(`(?is)^create\s+(role|user|database|settings\s+profile|quota)\s`)
	reCreateTable = regexp.MustCompile(`(?is)^create\s+table\s+(?:if\s+not\s+exists\s+)?([\w.]+)\s*\(`)
	reAlterRLS    = regexp.MustCompile(`(?is)^alter\s+table\s+(?:only\s+)?([\w.]+)\s+(enable|force)\s+row\s+level\s+security$`)
	rePGPolicy    = regexp.MustCompile(`(?is)^create\s+policy\s+(\w+)\s+on\s+([\w.]+)(.*?)\s+using\s*\((.*)\)\s*(?:with\s+check.*)?$`)
	reCHPolicy    = regexp.MustCompile(`(?is)^create\s+row\s+policy\s+(?:if\s+not\s+exists\s+)?(\w+)\s+on\s+([\w.]+)\s+(?:as\s+\w+\s+)?(?:for\s+select\s+)?using\s+(.*?)\s+to\s+(.*)$`)
	reGrant       = regexp.MustCompile(`(?is)^grant\s`)
	reMatView     = regexp.MustCompile(`(?is)^create\s+materialized\s+view\s+(?:if\s+not\s+exists\s+)?([\w.]+)`)
	reIgnorable   = regexp.MustCompile(`(?is)^(create\s+(unique\s+)?index|comment\s+on|set\s|begin|commit|analyze|vacuum)`)
	reInsert      = regexp.MustCompile(`(?is)^insert\s+into\s+([\w.]+)`)
	reEngine      = regexp.MustCompile(`(?is)\)\s*engine\s*=`)
	reOrderBy     = regexp.MustCompile(`(?is)order\s+by\s+\(?([^)]*?)\)?\s*(?:settings\s.*)?$`)
	reSerial      = regexp.MustCompile(`(?i)\b(\w+)\s+(?:big|small)?serial\b`)
	reCHWrapper   = regexp.MustCompile(`(?i)\b(?:LowCardinality|Nullable)\(\s*(\w+)\s*\)`)
	reCHInt       = regexp.MustCompile(`(?i)\bU?Int(?:8|16|32|64|128|256)\b`)
	reCHFloat     = regexp.MustCompile(`(?i)\bFloat(?:32|64)\b`)
	reCHDateTime  = regexp.MustCompile(`(?i)\bDateTime(?:64)?(?:\([^)]*\))?`)
)

// bare drops a schema prefix (policystrata.events -> events).
func bare(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToLower(strings.Trim(name, `"`))
}

// schemaSQL executes the CREATE TABLE statements of schema.sql into db and
// records the rest.
func schemaSQL(ctx context.Context, db *sql.DB, path string, stmts []Statement, f *sqlFacts) error {
	for _, st := range stmts {
		t := st.Text
		switch {
		case reDrop.MatchString(t):
		case reCreateTable.MatchString(t):
			if err := createTable(ctx, db, path, st, f); err != nil {
				return err
			}
		default:
			if !otherStatement(path, st, f) {
				return strictyaml.Errorf(path, st.Line, "statement not understood: %s", firstWords(t))
			}
		}
	}
	return nil
}

// otherStatement records a statement DuckDB does not execute; false when it
// is not one the importer knows.
func otherStatement(path string, st Statement, f *sqlFacts) bool {
	t := st.Text
	at := fmt.Sprintf("%s:%d", path, st.Line)
	switch {
	case reDrop.MatchString(t):
	case reIgnorable.MatchString(t):
		f.Skipped = append(f.Skipped, at+": "+firstWords(t)+" ignored (no bearing on the domain)")
	case reDo.MatchString(t):
		f.Skipped = append(f.Skipped, at+": DO block (role set-up) not converted; the engines create their own application roles")
	case reCreateRole.MatchString(t):
		f.Skipped = append(f.Skipped, at+": \""+firstWords(t)+" ...\" not converted; the engines create their own roles")
	case reAlterRLS.MatchString(t):
		m := reAlterRLS.FindStringSubmatch(t)
		f.RLS[bare(m[1])] = true
	case rePGPolicy.MatchString(t):
		m := rePGPolicy.FindStringSubmatch(t)
		f.Policies = append(f.Policies, rowPolicy{Name: m[1], Table: bare(m[2]), Using: strings.Join(strings.Fields(m[4]), " "), Where: at})
	case reCHPolicy.MatchString(t):
		m := reCHPolicy.FindStringSubmatch(t)
		f.Policies = append(f.Policies, rowPolicy{Name: m[1], Table: bare(m[2]), Using: strings.Join(strings.Fields(m[3]), " "), To: strings.TrimSpace(m[4]), Where: at})
	case reGrant.MatchString(t):
		f.Grants = append(f.Grants, strings.Join(strings.Fields(t), " "))
	case reMatView.MatchString(t):
		name := bare(reMatView.FindStringSubmatch(t)[1])
		for _, v := range f.Views {
			if v.Name == name {
				return true // row_policies.sql repeats schema.sql's views
			}
		}
		v := parseMatView(t, at)
		if v == nil {
			f.Skipped = append(f.Skipped, fmt.Sprintf("%s: materialized view %s not converted: its query is not SELECT ... FROM one table (declare it as a table with materialized_view in schema.yaml by hand)", at, name))
			return true
		}
		f.Views = append(f.Views, v)
	default:
		return false
	}
	return true
}

// createTable rewrites one CREATE TABLE for DuckDB and executes it.
func createTable(ctx context.Context, db *sql.DB, path string, st Statement, f *sqlFacts) error {
	t := st.Text
	name := bare(reCreateTable.FindStringSubmatch(t)[1])
	if loc := reEngine.FindStringIndex(t); loc != nil {
		f.ClickHouse = true
		if m := reOrderBy.FindStringSubmatch(t[loc[1]:]); m != nil {
			for _, k := range strings.Split(m[1], ",") {
				f.OrderBy[name] = append(f.OrderBy[name], strings.TrimSpace(k))
			}
		}
		t = t[:loc[0]+1]
		t = reCHWrapper.ReplaceAllString(t, "$1")
		t = reCHInt.ReplaceAllString(t, "BIGINT")
		t = reCHFloat.ReplaceAllString(t, "DOUBLE")
		t = reCHDateTime.ReplaceAllString(t, "TIMESTAMP")
	}
	var seqs []string
	t = reSerial.ReplaceAllStringFunc(t, func(s string) string {
		col := reSerial.FindStringSubmatch(s)[1]
		seq := fmt.Sprintf("importdomain_seq_%s_%s", name, col)
		seqs = append(seqs, seq)
		return fmt.Sprintf("%s integer default nextval('%s')", col, seq)
	})
	t = reCreateTable.ReplaceAllString(t, fmt.Sprintf(`create table "%s" (`, name))
	for _, s := range seqs {
		if _, err := db.ExecContext(ctx, "create sequence "+s); err != nil {
			return fmt.Errorf("create sequence: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, t); err != nil {
		return strictyaml.Errorf(path, st.Line, "DuckDB cannot create table %s: %v", name, err)
	}
	f.Tables = append(f.Tables, name)
	return nil
}

// seedSQL executes the seed's INSERT statements into db.
func seedSQL(ctx context.Context, db *sql.DB, path string, stmts []Statement, f *sqlFacts) error {
	for _, st := range stmts {
		t := st.Text
		switch {
		case reInsert.MatchString(t):
			name := bare(reInsert.FindStringSubmatch(t)[1])
			t = reInsert.ReplaceAllString(t, fmt.Sprintf(`insert into "%s"`, name))
			if _, err := db.ExecContext(ctx, t); err != nil {
				return strictyaml.Errorf(path, st.Line, "DuckDB cannot insert the seed rows of %s: %v", name, err)
			}
		case reDrop.MatchString(t), strings.HasPrefix(strings.ToLower(t), "truncate"), strings.HasPrefix(strings.ToLower(t), "delete"):
			f.Skipped = append(f.Skipped, fmt.Sprintf("%s:%d: %s ignored (the seed is read into an empty database)", path, st.Line, firstWords(t)))
		default:
			return strictyaml.Errorf(path, st.Line, "seed statement not understood (want INSERT): %s", firstWords(t))
		}
	}
	return nil
}

// rowPoliciesSQL reads an optional row_policies.sql: its row policies and
// grants; its CREATE TABLEs repeat schema.sql and are checked to name known
// tables.
func rowPoliciesSQL(path string, stmts []Statement, f *sqlFacts) error {
	for _, st := range stmts {
		if m := reCreateTable.FindStringSubmatch(st.Text); m != nil {
			if !contains(f.Tables, bare(m[1])) {
				return strictyaml.Errorf(path, st.Line, "table %s is not created by schema.sql", bare(m[1]))
			}
			continue
		}
		if !otherStatement(path, st, f) {
			return strictyaml.Errorf(path, st.Line, "statement not understood: %s", firstWords(st.Text))
		}
	}
	return nil
}

func firstWords(s string) string {
	w := strings.Fields(s)
	if len(w) > 4 {
		w = w[:4]
	}
	return strings.Join(w, " ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
