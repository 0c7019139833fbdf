package resolve_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func loadSupport(t testing.TB) *spec.Domain {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatalf("load support_saas: %v", err)
	}
	return d
}

func m2o(from, fromCol, to, toCol string) resolve.Edge {
	return resolve.Edge{From: from, To: to, FromColumn: fromCol, ToColumn: toCol}
}

func fan(from, fromCol, to, toCol string, exp int) resolve.Edge {
	return resolve.Edge{From: from, To: to, FromColumn: fromCol, ToColumn: toCol, FanOut: true, Expansion: exp}
}

func TestSchemaPathSupportSaaS(t *testing.T) {
	sch := loadSupport(t).Schema
	tests := []struct {
		from, to string
		want     []resolve.Edge
	}{
		{"invoices", "invoices", nil},
		{"invoices", "subscriptions", []resolve.Edge{m2o("invoices", "subscription_id", "subscriptions", "id")}},
		{"invoices", "accounts", []resolve.Edge{
			m2o("invoices", "subscription_id", "subscriptions", "id"),
			m2o("subscriptions", "account_id", "accounts", "id"),
		}},
		{"invoices", "tenants", []resolve.Edge{
			m2o("invoices", "subscription_id", "subscriptions", "id"),
			m2o("subscriptions", "account_id", "accounts", "id"),
			m2o("accounts", "tenant_id", "tenants", "id"),
		}},
		// net_revenue by severity: the ticket join fans invoices out
		{"invoices", "support_tickets", []resolve.Edge{
			m2o("invoices", "subscription_id", "subscriptions", "id"),
			m2o("subscriptions", "account_id", "accounts", "id"),
			fan("accounts", "id", "support_tickets", "account_id", 4),
		}},
		{"support_tickets", "accounts", []resolve.Edge{m2o("support_tickets", "account_id", "accounts", "id")}},
		{"support_tickets", "subscriptions", []resolve.Edge{
			m2o("support_tickets", "account_id", "accounts", "id"),
			fan("accounts", "id", "subscriptions", "account_id", 2),
		}},
		// the direct many-to-one step beats the two-step route through tenants
		{"support_tickets", "agents", []resolve.Edge{m2o("support_tickets", "assigned_agent_id", "agents", "id")}},
		// two two-step routes with one fan-out each: via tenants (tenant_id)
		// and via support_tickets; the first is found first and kept
		{"accounts", "agents", []resolve.Edge{
			m2o("accounts", "tenant_id", "tenants", "id"),
			fan("tenants", "id", "agents", "tenant_id", 2),
		}},
		{"ticket_events", "accounts", []resolve.Edge{
			m2o("ticket_events", "ticket_id", "support_tickets", "id"),
			m2o("support_tickets", "account_id", "accounts", "id"),
		}},
		// tenants -> accounts -> tickets and tenants -> agents -> tickets tie
		// on length and fan-outs; the accounts route sorts first
		{"tenants", "ticket_events", []resolve.Edge{
			fan("tenants", "id", "accounts", "tenant_id", 5),
			fan("accounts", "id", "support_tickets", "account_id", 4),
			fan("support_tickets", "id", "ticket_events", "ticket_id", 3),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			got, ok := resolve.Path(sch, tt.from, tt.to)
			if !ok {
				t.Fatalf("Path(%s, %s) found no path", tt.from, tt.to)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Path(%s, %s):\n got %+v\nwant %+v", tt.from, tt.to, got, tt.want)
			}
		})
	}
	t.Run("unknown table", func(t *testing.T) {
		if p, ok := resolve.Path(sch, "invoices", "nowhere"); ok || p != nil {
			t.Errorf("Path to an unknown table = %v, %v; want nil, false", p, ok)
		}
	})
}

// TestSchemaPathPreferences uses a hand-built schema:
//
//	a --c_id--> c --d_id--> d      (all many-to-one)
//	b --a_id--> a, b --d_id--> d   (a -> b fans out)
//	e --a_id--> a (fan-out from a), e --f_id--> f
//	a --g_id--> g --h_id--> h --f_id--> f
func TestSchemaPathPreferences(t *testing.T) {
	tab := func(name string, fks ...string) *spec.Table {
		tb := &spec.Table{Name: name, PrimaryKey: "id", Columns: []*spec.Column{{Name: "id", Type: "integer"}}}
		for _, fk := range fks {
			col, ref, _ := strings.Cut(fk, "->")
			tb.Columns = append(tb.Columns, &spec.Column{Name: col, Type: "integer"})
			tb.ForeignKeys = append(tb.ForeignKeys, &spec.ForeignKey{Column: col, References: ref + ".id", Expansion: 3})
		}
		return tb
	}
	tables := []*spec.Table{
		tab("a", "c_id->c", "g_id->g"),
		tab("b", "a_id->a", "d_id->d"),
		tab("c", "d_id->d"),
		tab("d"),
		tab("e", "a_id->a", "f_id->f"),
		tab("f"),
		tab("g", "h_id->h"),
		tab("h", "f_id->f"),
	}
	sch := &spec.Schema{Tables: tables}
	t.Run("equal length: many-to-one beats fan-out even when its table sorts later", func(t *testing.T) {
		got, _ := resolve.Path(sch, "a", "d")
		want := []resolve.Edge{m2o("a", "c_id", "c", "id"), m2o("c", "d_id", "d", "id")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Path(a, d) = %+v, want %+v", got, want)
		}
	})
	t.Run("shorter path wins over fewer fan-outs", func(t *testing.T) {
		// a -> e -> f (2 steps, 1 fan-out) vs a -> g -> h -> f (3 steps, none)
		got, _ := resolve.Path(sch, "a", "f")
		want := []resolve.Edge{fan("a", "id", "e", "a_id", 3), m2o("e", "f_id", "f", "id")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Path(a, f) = %+v, want %+v", got, want)
		}
	})
	t.Run("expansion below 1 counts as 1", func(t *testing.T) {
		s := &spec.Schema{Tables: []*spec.Table{tab("p"), tab("q", "p_id->p")}}
		s.Tables[1].ForeignKeys[0].Expansion = 0
		got, _ := resolve.Path(s, "p", "q")
		if want := []resolve.Edge{fan("p", "id", "q", "p_id", 1)}; !reflect.DeepEqual(got, want) {
			t.Errorf("Path(p, q) = %+v, want %+v", got, want)
		}
	})
	t.Run("disconnected", func(t *testing.T) {
		s := &spec.Schema{Tables: []*spec.Table{tab("p"), tab("q")}}
		if got, ok := resolve.Path(s, "p", "q"); ok || got != nil {
			t.Errorf("Path(p, q) = %v, %v; want nil, false", got, ok)
		}
	})
}

// TestSchemaPathDeterministic: the path between any two tables does not
// depend on the order tables or foreign keys are declared in.
func TestSchemaPathDeterministic(t *testing.T) {
	sch := loadSupport(t).Schema
	rev := &spec.Schema{}
	for i := len(sch.Tables) - 1; i >= 0; i-- {
		t0 := *sch.Tables[i]
		t0.ForeignKeys = nil
		for j := len(sch.Tables[i].ForeignKeys) - 1; j >= 0; j-- {
			t0.ForeignKeys = append(t0.ForeignKeys, sch.Tables[i].ForeignKeys[j])
		}
		rev.Tables = append(rev.Tables, &t0)
	}
	for _, from := range sch.Tables {
		for _, to := range sch.Tables {
			want, ok := resolve.Path(sch, from.Name, to.Name)
			if !ok {
				t.Errorf("Path(%s, %s): no path in a connected schema", from.Name, to.Name)
				continue
			}
			for i := 0; i < 3; i++ {
				if again, _ := resolve.Path(sch, from.Name, to.Name); !reflect.DeepEqual(again, want) {
					t.Errorf("Path(%s, %s) changed between calls: %+v vs %+v", from.Name, to.Name, again, want)
				}
			}
			if got, _ := resolve.Path(rev, from.Name, to.Name); !reflect.DeepEqual(got, want) {
				t.Errorf("Path(%s, %s) depends on declaration order:\n declared %+v\n reversed %+v", from.Name, to.Name, want, got)
			}
			// the path is connected and ends where asked
			cur := from.Name
			for _, e := range want {
				if e.From != cur {
					t.Errorf("Path(%s, %s) is not connected at %+v", from.Name, to.Name, e)
				}
				cur = e.To
			}
			if cur != to.Name {
				t.Errorf("Path(%s, %s) ends at %s", from.Name, to.Name, cur)
			}
		}
	}
}

func TestSchemaChildren(t *testing.T) {
	sch := loadSupport(t).Schema
	tests := map[string][]resolve.Edge{
		"tenants": {fan("tenants", "id", "accounts", "tenant_id", 5), fan("tenants", "id", "agents", "tenant_id", 2)},
		"accounts": {
			fan("accounts", "id", "subscriptions", "account_id", 2),
			fan("accounts", "id", "support_tickets", "account_id", 4),
		},
		"agents":        {fan("agents", "id", "support_tickets", "assigned_agent_id", 6)},
		"ticket_events": nil,
	}
	for table, want := range tests {
		t.Run(table, func(t *testing.T) {
			if got := resolve.Children(sch, table); !reflect.DeepEqual(got, want) {
				t.Errorf("Children(%s) = %+v, want %+v", table, got, want)
			}
		})
	}
}

func TestSchemaOwnerChain(t *testing.T) {
	sch := loadSupport(t).Schema
	tests := []struct {
		table string
		want  []resolve.Edge
	}{
		{"tenants", nil},
		{"accounts", []resolve.Edge{m2o("accounts", "tenant_id", "tenants", "id")}},
		{"agents", []resolve.Edge{m2o("agents", "tenant_id", "tenants", "id")}},
		{"invoices", []resolve.Edge{
			m2o("invoices", "subscription_id", "subscriptions", "id"),
			m2o("subscriptions", "account_id", "accounts", "id"),
			m2o("accounts", "tenant_id", "tenants", "id"),
		}},
		// owner_via account_id, not assigned_agent_id
		{"support_tickets", []resolve.Edge{
			m2o("support_tickets", "account_id", "accounts", "id"),
			m2o("accounts", "tenant_id", "tenants", "id"),
		}},
		{"ticket_events", []resolve.Edge{
			m2o("ticket_events", "ticket_id", "support_tickets", "id"),
			m2o("support_tickets", "account_id", "accounts", "id"),
			m2o("accounts", "tenant_id", "tenants", "id"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			got, err := resolve.OwnerChain(sch, tt.table, "tenants")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("OwnerChain(%s):\n got %+v\nwant %+v", tt.table, got, tt.want)
			}
		})
	}

	cyc := &spec.Schema{Tables: []*spec.Table{
		{Name: "a", OwnerVia: "b_id", ForeignKeys: []*spec.ForeignKey{{Column: "b_id", References: "b.id"}}},
		{Name: "b", OwnerVia: "a_id", ForeignKeys: []*spec.ForeignKey{{Column: "a_id", References: "a.id"}}},
		{Name: "c"},
		{Name: "d", OwnerVia: "x"},
		{Name: "e", OwnerVia: "z_id", ForeignKeys: []*spec.ForeignKey{{Column: "z_id", References: "z.id"}}},
	}}
	errs := []struct{ table, want string }{
		{"a", "owner_via cycle from table a"},
		{"c", "table c has no owner_via and is not the tenancy table"},
		{"d", "table d: owner_via x is not a foreign key"},
		{"e", "unknown table z"},
		{"nowhere", "unknown table nowhere"},
	}
	for _, e := range errs {
		t.Run("error "+e.table, func(t *testing.T) {
			got, err := resolve.OwnerChain(cyc, e.table, "t")
			if err == nil || err.Error() != e.want {
				t.Errorf("OwnerChain(%s) = %v, %v; want error %q", e.table, got, err, e.want)
			}
		})
	}
}

// TestAmbiguous: Path's choice is ambiguous when another path is as short
// with as few fan-outs.
func TestAmbiguous(t *testing.T) {
	sup := loadSupport(t).Schema
	tab := func(name string, fks ...string) *spec.Table {
		tb := &spec.Table{Name: name, PrimaryKey: "id"}
		for _, fk := range fks {
			col, ref, _ := strings.Cut(fk, "->")
			tb.ForeignKeys = append(tb.ForeignKeys, &spec.ForeignKey{Column: col, References: ref + ".id", Expansion: 2})
		}
		return tb
	}
	twoKeys := &spec.Schema{Tables: []*spec.Table{tab("people"), tab("orders", "buyer_id->people", "seller_id->people")}}
	prefer := &spec.Schema{Tables: []*spec.Table{tab("a", "c_id->c"), tab("b", "a_id->a", "d_id->d"), tab("c", "d_id->d"), tab("d")}}
	tests := []struct {
		name     string
		s        *spec.Schema
		from, to string
		want     bool
	}{
		{"same table", sup, "invoices", "invoices", false},
		{"many-to-one chain", sup, "invoices", "accounts", false},
		{"revenue by ticket severity", sup, "invoices", "support_tickets", false},
		{"ticket metric by plan", sup, "support_tickets", "subscriptions", false},
		{"direct reference", sup, "support_tickets", "agents", false},
		{"accounts to agents: via tenants or via tickets", sup, "accounts", "agents", true},
		{"invoices to agents", sup, "invoices", "agents", true},
		{"tenants to ticket events", sup, "tenants", "ticket_events", true},
		{"unreachable", sup, "invoices", "nowhere", false},
		{"two foreign keys to one table", twoKeys, "orders", "people", true},
		{"one foreign key seen from the parent", twoKeys, "people", "orders", true},
		{"fewer fan-outs is no tie", prefer, "a", "d", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolve.Ambiguous(tt.s, tt.from, tt.to); got != tt.want {
				p, _ := resolve.Path(tt.s, tt.from, tt.to)
				t.Errorf("Ambiguous(%s, %s) = %v, want %v (Path picks %+v)", tt.from, tt.to, got, tt.want, p)
			}
			if got := (resolve.Standard{}).Ambiguous(tt.s, tt.from, tt.to); got != tt.want {
				t.Errorf("Standard.Ambiguous(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}
