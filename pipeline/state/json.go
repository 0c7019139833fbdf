package state

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// EncodedTable is the JSON form of one base table's rows (columns in
// schema order, values as cell.ToJSON writes them).
type EncodedTable struct {
	Table   string              `json:"table"`
	Columns []string            `json:"columns"`
	Rows    [][]json.RawMessage `json:"rows"`
}

// EncodeRows writes rows (FromRows's input) in JSON form, one entry per
// base table of d in schema order.
func EncodeRows(d *spec.Domain, rows map[string][][]any) ([]EncodedTable, error) {
	out := []EncodedTable{}
	for _, t := range d.Schema.Tables {
		if t.MaterializedView != nil {
			continue
		}
		et := EncodedTable{Table: t.Name, Columns: []string{}, Rows: [][]json.RawMessage{}}
		for _, c := range t.Columns {
			et.Columns = append(et.Columns, c.Name)
		}
		for _, r := range rows[t.Name] {
			if len(r) != len(t.Columns) {
				return nil, fmt.Errorf("encode state: table %s: row has %d values, want %d", t.Name, len(r), len(t.Columns))
			}
			er := make([]json.RawMessage, len(r))
			for i, v := range r {
				raw, err := cell.ToJSON(t.Columns[i].Type, v)
				if err != nil {
					return nil, fmt.Errorf("encode state: table %s column %s: %w", t.Name, t.Columns[i].Name, err)
				}
				er[i] = raw
			}
			et.Rows = append(et.Rows, er)
		}
		out = append(out, et)
	}
	return out, nil
}

// DecodeRows reads EncodeRows's form back into FromRows's input, checking
// every table and column against d's schema.
func DecodeRows(d *spec.Domain, tables []EncodedTable) (map[string][][]any, error) {
	out := map[string][][]any{}
	for _, et := range tables {
		t := d.Schema.Table(et.Table)
		if t == nil {
			return nil, fmt.Errorf("decode state: unknown table %q", et.Table)
		}
		if t.MaterializedView != nil {
			return nil, fmt.Errorf("decode state: table %s is a materialized view (its rows are derived)", et.Table)
		}
		if _, dup := out[et.Table]; dup {
			return nil, fmt.Errorf("decode state: table %s listed twice", et.Table)
		}
		var want []string
		for _, c := range t.Columns {
			want = append(want, c.Name)
		}
		if !slices.Equal(et.Columns, want) {
			return nil, fmt.Errorf("decode state: table %s: columns %v, want %v", et.Table, et.Columns, want)
		}
		rows := make([][]any, 0, len(et.Rows))
		for i, er := range et.Rows {
			if len(er) != len(t.Columns) {
				return nil, fmt.Errorf("decode state: table %s row %d: %d values, want %d", et.Table, i+1, len(er), len(t.Columns))
			}
			r := make([]any, len(er))
			for j, raw := range er {
				v, err := cell.FromJSON(t.Columns[j].Type, raw)
				if err != nil {
					return nil, fmt.Errorf("decode state: table %s row %d column %s: %w", et.Table, i+1, t.Columns[j].Name, err)
				}
				r[j] = v
			}
			rows = append(rows, r)
		}
		out[et.Table] = rows
	}
	return out, nil
}
