package spec_test

import (
	"fmt"
	"testing"

	"github.com/policystrata/policystrata/pipeline/spec"
)

func TestSplitQualified(t *testing.T) {
	tests := []struct {
		in, table, col string
		ok             bool
	}{
		{"accounts.region", "accounts", "region", true},
		{"a.b", "a", "b", true},
		{"accounts", "", "", false},
		{"", "", "", false},
		{".region", "", "", false},
		{"accounts.", "", "", false},
		{"a.b.c", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tb, c, err := spec.SplitQualified(tt.in)
			if (err == nil) != tt.ok || tb != tt.table || c != tt.col {
				t.Errorf("SplitQualified(%q) = %q, %q, %v", tt.in, tb, c, err)
			}
			if err != nil && err.Error() != fmt.Sprintf("%q is not a qualified table.column", tt.in) {
				t.Errorf("error = %v", err)
			}
		})
	}
}

func TestTableLookups(t *testing.T) {
	sch := loadSupport(t).Schema
	st := sch.Table("support_tickets")
	if st == nil || sch.Table("nope") != nil {
		t.Fatalf("Table lookups wrong")
	}
	if c := st.Column("escalated"); c == nil || c.Type != "boolean" {
		t.Errorf("Column(escalated) = %+v", c)
	}
	if st.Column("nope") != nil {
		t.Errorf("Column(nope) != nil")
	}
	if fk := st.FK("assigned_agent_id"); fk == nil || fk.References != "agents.id" || fk.Expansion != 6 {
		t.Errorf("FK(assigned_agent_id) = %+v", fk)
	}
	if st.FK("severity") != nil {
		t.Errorf("FK(severity) != nil")
	}
}
