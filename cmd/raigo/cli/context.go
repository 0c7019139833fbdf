package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// listKeys are the context keys the engine reads as lists; a value given
// for them with key=value is always a list, even a single one.
var listKeys = []string{"data_classification", "anomaly_types"}

var contextKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ParseContext parses `--context` arguments into an evaluation context:
//
//	key=value   a string (repeat the key for a list of strings)
//	key:=JSON   a JSON value: true, 42, null, ["PII","PHI"], {"a":1}
//
// data_classification and anomaly_types always become lists. Repeating a
// key collects its values into a list, in order.
func ParseContext(pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	ctx := map[string]any{}
	for _, pair := range pairs {
		key, value, err := parseContextPair(pair)
		if err != nil {
			return nil, err
		}
		prev, seen := ctx[key]
		switch {
		case !seen && slices.Contains(listKeys, key):
			if s, ok := value.(string); ok {
				value = []any{s}
			}
			ctx[key] = value
		case !seen:
			ctx[key] = value
		default:
			list, ok := prev.([]any)
			if !ok {
				list = []any{prev}
			}
			if more, ok := value.([]any); ok {
				list = append(list, more...)
			} else {
				list = append(list, value)
			}
			ctx[key] = list
		}
	}
	return ctx, nil
}

func parseContextPair(pair string) (string, any, error) {
	i := bytes.IndexByte([]byte(pair), '=')
	if i < 0 {
		return "", nil, fmt.Errorf("context %q: expected key=value or key:=JSON", pair)
	}
	key, raw, isJSON := pair[:i], pair[i+1:], false
	if len(key) > 0 && key[len(key)-1] == ':' {
		key, isJSON = key[:len(key)-1], true
	}
	if !contextKeyRE.MatchString(key) {
		return "", nil, fmt.Errorf("context %q: invalid key %q (letters, digits, _ . -; starting with a letter or _)", pair, key)
	}
	if !isJSON {
		return key, raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", nil, fmt.Errorf("context %q: invalid JSON value: %v", pair, err)
	}
	if dec.More() {
		return "", nil, fmt.Errorf("context %q: invalid JSON value: more than one value", pair)
	}
	return key, normalizeJSON(v), nil
}

// normalizeJSON turns JSON numbers into float64 or int64 values (the
// types the engine's truthiness test knows).
func normalizeJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = normalizeJSON(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalizeJSON(v[k])
		}
	}
	return v
}
