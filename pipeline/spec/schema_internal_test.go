package spec

import "testing"

// Domain validation checks every table's owner_via chain reaches the
// tenancy table; ownerChainError says why one does not.
func TestOwnerChainError(t *testing.T) {
	fk := func(col, ref string) []*ForeignKey { return []*ForeignKey{{Column: col, References: ref}} }
	s := &Schema{Tables: []*Table{
		{Name: "t"},
		{Name: "ok", OwnerVia: "t_id", ForeignKeys: fk("t_id", "t.id")},
		{Name: "deep", OwnerVia: "ok_id", ForeignKeys: fk("ok_id", "ok.id")},
		{Name: "a", OwnerVia: "b_id", ForeignKeys: fk("b_id", "b.id")},
		{Name: "b", OwnerVia: "a_id", ForeignKeys: fk("a_id", "a.id")},
		{Name: "c"},
		{Name: "d", OwnerVia: "x"},
		{Name: "e", OwnerVia: "z_id", ForeignKeys: fk("z_id", "z.id")},
	}}
	tests := []struct{ table, want string }{
		{"t", ""},
		{"ok", ""},
		{"deep", ""},
		{"a", "owner_via cycle from table a"},
		{"c", "table c has no owner_via and is not the tenancy table"},
		{"d", "table d: owner_via x is not a foreign key"},
		{"e", "unknown table z"},
		{"nowhere", "unknown table nowhere"},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			err := s.ownerChainError(tt.table, "t")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("ownerChainError(%s) = %q, want %q", tt.table, got, tt.want)
			}
		})
	}
}
