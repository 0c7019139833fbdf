package oracle

import (
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// schemaOf builds a schema from "table: col->parent, ..." lines; every
// foreign key references the parent's id and expands by 3.
func schemaOf(lines ...string) *spec.Schema {
	s := &spec.Schema{}
	for _, l := range lines {
		name, fks, _ := strings.Cut(l, ":")
		t := &spec.Table{Name: strings.TrimSpace(name), PrimaryKey: "id"}
		for _, fk := range strings.Split(fks, ",") {
			col, parent, ok := strings.Cut(strings.TrimSpace(fk), "->")
			if ok {
				t.ForeignKeys = append(t.ForeignKeys, &spec.ForeignKey{Column: col, References: parent + ".id", Expansion: 3})
			}
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}

// chainText renders a chain as "from.col>to.col" steps, "^" marking a
// downward (fan-out) step.
func chainText(c []step) string {
	var parts []string
	for _, s := range c {
		fc, tc := s.keys()
		mark := ""
		if s.down {
			mark = "^"
		}
		parts = append(parts, mark+s.origin()+"."+fc+">"+s.target()+"."+tc)
	}
	return strings.Join(parts, " ")
}

// TestRoute: the oracle's attribution chains over hand-built schemas.
func TestRoute(t *testing.T) {
	support := schemaOf(
		"tenants:",
		"accounts: tenant_id->tenants",
		"subscriptions: account_id->accounts",
		"invoices: subscription_id->subscriptions",
		"agents: tenant_id->tenants",
		"tickets: account_id->accounts, agent_id->agents",
		"events: ticket_id->tickets",
	)
	tests := []struct {
		name     string
		s        *spec.Schema
		from, to string
		status   int
		chain    string
	}{
		{"same table", support, "invoices", "invoices", routeFound, ""},
		{"many-to-one chain", support, "invoices", "accounts", routeFound,
			"invoices.subscription_id>subscriptions.id subscriptions.account_id>accounts.id"},
		{"up then fan out: revenue by ticket severity", support, "invoices", "tickets", routeFound,
			"invoices.subscription_id>subscriptions.id subscriptions.account_id>accounts.id ^accounts.id>tickets.account_id"},
		{"direct reference beats the route through the tenant", support, "tickets", "agents", routeFound,
			"tickets.agent_id>agents.id"},
		{"two equally short routes, one fan-out each: ambiguous", support, "accounts", "agents", routeAmbiguous, ""},
		{"ambiguous further down too", support, "invoices", "agents", routeAmbiguous, ""},
		{"tenant to events: through accounts or agents", support, "tenants", "events", routeAmbiguous, ""},
		{"unknown table", support, "invoices", "nowhere", routeMissing, ""},
		{"two foreign keys between the same tables", schemaOf("people:", "orders: buyer_id->people, seller_id->people"),
			"orders", "people", routeAmbiguous, ""},
		{"equal length: fewer fan-outs wins", schemaOf("a: c_id->c", "b: a_id->a, d_id->d", "c: d_id->d", "d:"),
			"a", "d", routeFound, "a.c_id>c.id c.d_id>d.id"},
		{"shorter wins over fewer fan-outs", schemaOf("a: g_id->g", "e: a_id->a, f_id->f", "f:", "g: h_id->h", "h: f_id->f"),
			"a", "f", routeFound, "^a.id>e.a_id e.f_id>f.id"},
		{"disconnected", schemaOf("p:", "q:"), "p", "q", routeMissing, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFKGraph(tt.s)
			chain, status := g.route(tt.from, tt.to)
			if status != tt.status || chainText(chain) != tt.chain {
				t.Errorf("route(%s, %s) = %q, %d; want %q, %d", tt.from, tt.to, chainText(chain), status, tt.chain, tt.status)
			}
			// the cached route is the search's
			if c2, s2 := g.search(tt.from, tt.to); s2 != status || chainText(c2) != chainText(chain) {
				t.Errorf("search(%s, %s) = %q, %d; route says %q, %d", tt.from, tt.to, chainText(c2), s2, chainText(chain), status)
			}
		})
	}
}

// TestVocabulary: names and aliases resolve to their metric; a word two
// metrics claim resolves to none.
func TestVocabulary(t *testing.T) {
	p := &spec.Policy{Metrics: map[string]*spec.Metric{
		"net":   {Aliases: []string{"recognized", "rev"}},
		"gross": {Aliases: []string{"bookings", "rev"}},
		"count": {Aliases: []string{"net"}},
	}}
	v := newVocabulary(p)
	tests := []struct {
		word, metric string
		alias, ok    bool
	}{
		{"gross", "gross", false, true},
		{"recognized", "net", true, true},
		{"bookings", "gross", true, true},
		{"rev", "", false, false}, // alias of two metrics
		{"net", "", false, false}, // a metric's name and another's alias
		{"count", "count", false, true},
		{"churn", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			m, a, ok := v.lookup(tt.word)
			if m != tt.metric || a != tt.alias || ok != tt.ok {
				t.Errorf("lookup(%q) = %q, %v, %v; want %q, %v, %v", tt.word, m, a, ok, tt.metric, tt.alias, tt.ok)
			}
		})
	}
}
