package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// skippedRecordTypes are the Node recorder's non-SQL records: skipped when
// they carry no top-level sql.
var skippedRecordTypes = []string{"agent_session", "tool_execution", "mutation"}

var safeIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// SafeID reports whether s is a safe identifier (at most 128 characters).
func SafeID(s string) bool { return len(s) <= 128 && safeIDRE.MatchString(s) }

// DecodeLine decodes one non-blank JSONL line. skip is true for a recorder
// record without SQL; err is a message (without location) for a line that
// breaks the contract.
func DecodeLine(line []byte) (t *Trace, skip bool, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil || raw == nil {
		if err == nil || !bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) {
			return nil, false, fmt.Errorf("each line must be a JSON object")
		}
		return nil, false, fmt.Errorf("invalid JSON: %v", err)
	}
	if rt, ok := raw["record_type"]; ok {
		var s string
		if json.Unmarshal(rt, &s) == nil && slices.Contains(skippedRecordTypes, s) && !present(raw, "sql") {
			return nil, true, nil
		}
	}
	if !present(raw, "sql") {
		if q, ok := raw["query"]; ok && !isNull(q) {
			var qm map[string]json.RawMessage
			if json.Unmarshal(q, &qm) == nil && present(qm, "sql") {
				raw["sql"] = qm["sql"]
			}
		}
	}
	if !present(raw, "id") && present(raw, "trace_id") {
		raw["id"] = raw["trace_id"]
	}
	t = &Trace{Source: "imported_trace", RegressionCase: "unclassified"}
	if t.ID, err = reqString(raw, "id"); err != nil {
		return nil, false, err
	}
	if !SafeID(t.ID) {
		return nil, false, fmt.Errorf("id %q is not a safe identifier", t.ID)
	}
	if t.Principal, err = reqString(raw, "principal"); err != nil {
		return nil, false, err
	}
	if t.SQL, err = reqString(raw, "sql"); err != nil {
		return nil, false, err
	}
	if v, ok := raw["tenant_ids"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &t.TenantIDs); err != nil {
			return nil, false, fmt.Errorf("tenant_ids must be a list of strings")
		}
	}
	if s, ok, err := optString(raw, "source"); err != nil {
		return nil, false, err
	} else if ok {
		t.Source = s
	}
	if v, ok := raw["timestamp"]; ok {
		t.Timestamp = v
	}
	if v, ok := raw["release_allowed"]; ok && !isNull(v) {
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return nil, false, fmt.Errorf("release_allowed must be a boolean or null")
		}
		t.ReleaseAllowed = &b
	}
	if s, ok, err := optString(raw, "evidence_level"); err != nil {
		return nil, false, err
	} else if ok {
		if !slices.Contains(EvidenceLevels, s) {
			return nil, false, fmt.Errorf("unknown evidence_level %q", s)
		}
		t.EvidenceLevel = s
	}
	if v, ok := raw["expected_policy"]; ok && !isNull(v) {
		t.ExpectedPolicy = v
	}
	if s, ok, err := optString(raw, "regression_case"); err != nil {
		return nil, false, err
	} else if ok {
		if !slices.Contains(RegressionCases, s) {
			return nil, false, fmt.Errorf("unknown regression_case %q", s)
		}
		t.RegressionCase = s
	}
	if v, ok := raw["semantic_ir"]; ok && !isNull(v) {
		ir, err := decodeIR(v)
		if err != nil {
			return nil, false, fmt.Errorf("semantic_ir: %v", err)
		}
		t.IR = ir
	}
	return t, false, nil
}

func decodeIR(v json.RawMessage) (*IR, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil || raw == nil {
		return nil, fmt.Errorf("must be an object")
	}
	ir := &IR{TimeRange: "last_month", Grain: "month", Limit: 100, Dimensions: []string{}, Filters: map[string]any{}}
	var err error
	if ir.Metric, err = reqString(raw, "metric"); err != nil {
		return nil, err
	}
	if d, ok := raw["dimensions"]; ok && !isNull(d) {
		if err := json.Unmarshal(d, &ir.Dimensions); err != nil {
			return nil, fmt.Errorf("dimensions must be a list of strings")
		}
		if ir.Dimensions == nil {
			ir.Dimensions = []string{}
		}
	}
	if f, ok := raw["filters"]; ok && !isNull(f) {
		var fm map[string]json.RawMessage
		if err := json.Unmarshal(f, &fm); err != nil {
			return nil, fmt.Errorf("filters must be an object")
		}
		for k, fv := range fm {
			var val any
			dec := json.NewDecoder(bytes.NewReader(fv))
			dec.UseNumber()
			if err := dec.Decode(&val); err != nil {
				return nil, fmt.Errorf("filters.%s: %v", k, err)
			}
			switch val.(type) {
			case nil, string, bool, json.Number:
			default:
				return nil, fmt.Errorf("filters.%s must be a scalar", k)
			}
			ir.Filters[k] = val
		}
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"time_range", &ir.TimeRange}, {"grain", &ir.Grain}} {
		if s, ok, err := optString(raw, f.key); err != nil {
			return nil, err
		} else if ok {
			*f.dst = s
		}
	}
	if l, ok := raw["limit"]; ok && !isNull(l) {
		n, err := strictInt(l)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("limit must be an integer >= 1")
		}
		ir.Limit = n
	}
	return ir, nil
}

// strictInt accepts a JSON integer literal (not a bool, string or fraction).
func strictInt(v json.RawMessage) (int, error) {
	s := strings.TrimSpace(string(v))
	if s == "" || strings.ContainsAny(s, ".eE\"") || s == "true" || s == "false" {
		return 0, fmt.Errorf("not an integer")
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, err
	}
	i, err := n.Int64()
	if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
		return 0, fmt.Errorf("not an integer")
	}
	return int(i), nil
}

func present(raw map[string]json.RawMessage, key string) bool {
	v, ok := raw[key]
	return ok && !isNull(v)
}

func isNull(v json.RawMessage) bool { return strings.TrimSpace(string(v)) == "null" }

func reqString(raw map[string]json.RawMessage, key string) (string, error) {
	s, ok, err := optString(raw, key)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%s is required", key)
	}
	return s, nil
}

func optString(raw map[string]json.RawMessage, key string) (string, bool, error) {
	v, ok := raw[key]
	if !ok || isNull(v) {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false, fmt.Errorf("%s must be a string", key)
	}
	return s, true, nil
}
