package db

import (
	"github.com/policystrata/policystrata/pipeline/cell"
	"strconv"
	"time"
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
