package importdomain

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// dbColumn is a column read from duckdb_columns().
type dbColumn struct {
	Name, DuckType string
}

// dbForeignKey is a foreign key read from duckdb_constraints().
type dbForeignKey struct {
	Column, RefTable, RefColumn string
}

// dbTable is one table as DuckDB's catalog describes it, with its rows.
type dbTable struct {
	Name        string
	Columns     []dbColumn
	PrimaryKey  []string
	ForeignKeys []dbForeignKey
	Rows        [][]any
}

// readCatalog reads the tables' columns, keys and rows back from DuckDB.
func readCatalog(ctx context.Context, db *sql.DB, names []string) ([]*dbTable, error) {
	var out []*dbTable
	for _, name := range names {
		t := &dbTable{Name: name}
		if err := readColumns(ctx, db, t); err != nil {
			return nil, err
		}
		if err := readConstraints(ctx, db, t); err != nil {
			return nil, err
		}
		if err := readRows(ctx, db, t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func readColumns(ctx context.Context, db *sql.DB, t *dbTable) error {
	rows, err := db.QueryContext(ctx, `select column_name, data_type from duckdb_columns()
		where schema_name = 'main' and table_name = ? order by column_index`, t.Name)
	if err != nil {
		return fmt.Errorf("read columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c dbColumn
		if err := rows.Scan(&c.Name, &c.DuckType); err != nil {
			return fmt.Errorf("read columns of %s: %w", t.Name, err)
		}
		c.Name = strings.ToLower(c.Name)
		t.Columns = append(t.Columns, c)
	}
	return rows.Err()
}

func readConstraints(ctx context.Context, db *sql.DB, t *dbTable) error {
	rows, err := db.QueryContext(ctx, `select constraint_type, constraint_column_names,
		coalesce(referenced_table, ''), coalesce(referenced_column_names, []::varchar[])
		from duckdb_constraints()
		where schema_name = 'main' and table_name = ? and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY')
		order by constraint_index`, t.Name)
	if err != nil {
		return fmt.Errorf("read constraints of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, ref string
		var cols, refCols any
		if err := rows.Scan(&kind, &cols, &ref, &refCols); err != nil {
			return fmt.Errorf("read constraints of %s: %w", t.Name, err)
		}
		cs, rcs := strList(cols), strList(refCols)
		switch kind {
		case "PRIMARY KEY":
			t.PrimaryKey = cs
		case "FOREIGN KEY":
			if len(cs) == 1 && len(rcs) == 1 {
				t.ForeignKeys = append(t.ForeignKeys, dbForeignKey{Column: strings.ToLower(cs[0]), RefTable: strings.ToLower(ref), RefColumn: strings.ToLower(rcs[0])})
			}
		}
	}
	return rows.Err()
}

func strList(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func readRows(ctx context.Context, db *sql.DB, t *dbTable) error {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`select * from "%s" order by rowid`, t.Name))
	if err != nil {
		return fmt.Errorf("read rows of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read rows of %s: %w", t.Name, err)
		}
		for i, v := range vals {
			vals[i] = normalize(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	return rows.Err()
}

// normalize maps a driver value to int64, string, bool, time.Time (UTC) or
// nil.
func normalize(v any) any {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case time.Time:
		return x.UTC()
	case []byte:
		return string(x)
	case float32, float64:
		return fmt.Sprint(x)
	}
	return v
}

// portableType maps a DuckDB type to schema.yaml's types; ok is false when
// there is none (the column becomes text and the report says so).
func portableType(duck string) (string, bool) {
	d := strings.ToUpper(duck)
	switch {
	case strings.Contains(d, "INT"):
		return "integer", true
	case d == "VARCHAR" || strings.HasPrefix(d, "VARCHAR("):
		return "text", true
	case d == "BOOLEAN":
		return "boolean", true
	case d == "DATE":
		return "date", true
	case strings.HasPrefix(d, "TIMESTAMP"):
		return "timestamp", true
	}
	return "text", false
}
