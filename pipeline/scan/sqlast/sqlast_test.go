package sqlast

import (
	"context"
	"strings"
	"testing"
)

func TestNormalizePlaceholders(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a = :tenant", "a = ?      "},
		{"a = :principal.tenant_id and b::text = 'x'", "a = ?" + strings.Repeat(" ", 19) + " and b::text = 'x'"},
		{"a = $1 and b = $name", "a = ?  and b = ?    "},
		{"a = %s and b = %(t)s", "a = ?  and b = ?    "},
		{"a = ':keep' -- :keep\n", "a = ':keep' -- :keep\n"},
		{`"col:x" = 1`, `"col:x" = 1`},
		{"x[1:n]", "x[1:n]"},
	}
	for _, tc := range tests {
		if got := NormalizePlaceholders(tc.in); got != tc.want {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
		if len(NormalizePlaceholders(tc.in)) != len(tc.in) {
			t.Errorf("%q: length changed", tc.in)
		}
	}
}

func TestSelectsAndRestrictions(t *testing.T) {
	p, err := Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Parse(context.Background(), `with c as (select id from accounts where tenant_id = 'a') select count(*) from c join support_tickets t on t.account_id = c.id left join accounts b on b.id = t.account_id and b.region = 'x' where t.id > 0 or t.id < 0`)
	if err != nil {
		t.Fatal(err)
	}
	sels := st.Selects()
	if len(sels) != 2 || !sels[0].Root || sels[1].Root {
		t.Fatalf("selects: %d", len(sels))
	}
	root := sels[0]
	var aliases []string
	for _, tr := range root.Tables {
		aliases = append(aliases, tr.Alias)
	}
	if strings.Join(aliases, ",") != "c,t,b" || !root.Tables[0].CTE || !root.Tables[1].Base() {
		t.Errorf("tables %v", root.Tables)
	}
	rs := root.Restrictions()
	// WHERE is one OR conjunct; the inner join condition restricts c and t;
	// the left join's two conjuncts restrict only b
	if len(rs) != 4 || rs[0].Aliases != nil || !rs[1].Restricts("c") || rs[2].Restricts("t") || !rs[3].Restricts("b") {
		t.Errorf("restrictions %+v", rs)
	}
	if ref, col, ok := root.Resolve([]string{"T", "ID"}); !ok || ref.Name != "support_tickets" || col != "id" {
		t.Errorf("resolve: %v %v %v", ref, col, ok)
	}
}

// FuzzParse: the parser never panics and a parsed statement deparses.
func FuzzParse(f *testing.F) {
	p, err := Open(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	f.Add("select a from t where b = $1")
	f.Add("with x as (select 1) select * from x")
	f.Add("delete from t")
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := p.Parse(context.Background(), sql)
		if err != nil {
			return
		}
		st.Selects()
		if _, err := p.Deparse(context.Background(), st.Root); err != nil && !strings.Contains(err.Error(), "deparse") {
			t.Fatal(err)
		}
	})
}
