package cell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Date and timestamp layouts of the JSON form of a value.
const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02T15:04:05.999999999Z"
)

// ToJSON encodes a state value of a column of the portable type typ
// (integer, text, boolean, date, timestamp) so that FromJSON gives the same
// Go value back: integers as JSON numbers (exact for every int64), text as
// strings, booleans, dates as "YYYY-MM-DD", timestamps as RFC 3339 in UTC
// with nanoseconds, NULL as null. A value of another Go type is an error.
func ToJSON(typ string, v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	switch typ {
	case "integer":
		if x, ok := v.(int64); ok {
			return json.RawMessage(strconv.FormatInt(x, 10)), nil
		}
	case "text":
		if x, ok := v.(string); ok {
			return json.Marshal(x)
		}
	case "boolean":
		if x, ok := v.(bool); ok {
			return json.Marshal(x)
		}
	case "date":
		if x, ok := v.(time.Time); ok {
			u := x.UTC()
			if u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
				return nil, fmt.Errorf("encode date: %s is not midnight UTC", u.Format(time.RFC3339Nano))
			}
			return json.Marshal(u.Format(dateLayout))
		}
	case "timestamp":
		if x, ok := v.(time.Time); ok {
			return json.Marshal(x.UTC().Format(timestampLayout))
		}
	default:
		return nil, fmt.Errorf("encode value: unknown column type %q", typ)
	}
	return nil, fmt.Errorf("encode %s value: unexpected Go type %T", typ, v)
}

// FromJSON decodes the JSON form ToJSON writes for a column of type typ.
func FromJSON(typ string, raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode integer: %s is not a 64-bit integer", raw)
		}
		return n, nil
	case "text":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decode text: %s is not a string", raw)
		}
		return s, nil
	case "boolean":
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("decode boolean: %s is not true or false", raw)
		}
		return b, nil
	case "date", "timestamp":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decode %s: %s is not a string", typ, raw)
		}
		layout := dateLayout
		if typ == "timestamp" {
			layout = time.RFC3339Nano
		}
		t, err := time.Parse(layout, s)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %q is not %s", typ, s, map[string]string{"date": "YYYY-MM-DD", "timestamp": "an RFC 3339 time"}[typ])
		}
		return t.UTC(), nil
	}
	return nil, fmt.Errorf("decode value: unknown column type %q", typ)
}
