// Package cell renders database values in the normalized text form shared by
// every engine and the oracle, so results from different sources compare.
package cell

import (
	"fmt"
	"math/big"
	"strconv"
	"time"
)

// Format renders one database value in the normalized text form shared by
// every engine and by the oracle: integers in decimal, floats with six
// decimals, dates as YYYY-MM-DD, timestamps as YYYY-MM-DD HH:MM:SS, NULL as
// "NULL".
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int:
		return strconv.Itoa(x)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case *big.Int:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', 6, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', 6, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		u := x.UTC()
		if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
			return u.Format("2006-01-02")
		}
		return u.Format("2006-01-02 15:04:05")
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
