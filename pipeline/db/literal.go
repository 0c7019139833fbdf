package db

import (
	"strconv"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
)

// SQLLiteral renders a state value as a SQL literal portable across engines.
func SQLLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case string:
		return quoteLit(x)
	case time.Time:
		u := x.UTC()
		if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 {
			return "DATE " + quoteLit(u.Format("2006-01-02"))
		}
		return "TIMESTAMP " + quoteLit(u.Format("2006-01-02 15:04:05"))
	}
	return quoteLit(cell.Format(v))
}

// insertBatch is how many rows one INSERT statement carries.
const insertBatch = 500

// insertStatements renders rows as INSERT statements of literal VALUES into
// table (already quoted), insertBatch rows each. Both engines load state
// through them, so they hold identical values.
func insertStatements(table string, rows [][]any) []string {
	var out []string
	for start := 0; start < len(rows); start += insertBatch {
		end := min(start+insertBatch, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " VALUES ")
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(SQLLiteral(v))
			}
			b.WriteByte(')')
		}
		out = append(out, b.String())
	}
	return out
}
