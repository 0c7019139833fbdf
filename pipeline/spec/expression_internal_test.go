package spec

import (
	"strings"
	"testing"
)

func TestCheckExpression(t *testing.T) {
	sch := &Schema{Tables: []*Table{{Name: "invoices", PrimaryKey: "id", Columns: []*Column{{Name: "id", Type: "integer"}, {Name: "net", Type: "integer"}, {Name: "kind", Type: "text"}}}}}
	tests := []struct{ expr, want string }{
		{"sum(invoices.net)", ""},
		{"count()", ""},
		{"countIf(invoices.kind = 'a;b(--')", ""},
		{"sum(invoices.net) filter (where invoices.kind = 'it''s')", ""},
		{"sum(invoices.net", "unbalanced '('"},
		{"sum(invoices.net))", "unbalanced ')'"},
		{"sum(invoices.nope)", "unknown column invoices.nope"},
		{"sum(bills.net)", "unknown table"},
		{"sum(invoices.net); drop table x", "statement separator"},
		{"sum(invoices.net) -- x", "comment"},
		{"countIf(invoices.kind = 'a)", "unterminated"},
		{"  ", "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			err := sch.checkExpression(tc.expr)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
