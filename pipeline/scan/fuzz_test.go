package scan

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
)

// FuzzEvaluate: any statement the parser accepts can be checked and
// mutated (every mutant re-scanned) without a panic, the checks are
// deterministic, and building the mutants leaves the trace's own tree as
// it was (rewrites share the parts they do not change).
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		ticketCount + ticketsFrom + `where accounts.tenant_id in ('acme') group by accounts.region limit 100`,
		`select sum(invoices.net_amount_cents) from invoices join subscriptions s on s.id = invoices.subscription_id join accounts a on a.id = s.account_id where a.tenant_id = $1 and invoices.invoice_date >= '2026-05-01' union all select 1`,
		`with x as (select * from accounts where tenant_id = 'acme') select count(distinct support_tickets.id), (select max(id) from agents) from x, support_tickets where x.id = support_tickets.account_id`,
		`select * from (select 1) t`,
		`select rank() over (partition by region order by id) from accounts where tenant_id = 'acme' or false`,
	} {
		f.Add(s, "ticket_count")
	}
	chk, p := newTestChecker(f, "version: 1\ndomain: support_saas\n")
	f.Fuzz(func(t *testing.T, sql, metric string) {
		ctx := context.Background()
		st, err := Parse(ctx, p, sql)
		if err != nil {
			return
		}
		line, _ := json.Marshal(map[string]any{"id": "t", "principal": "acme_analyst", "tenant_ids": []string{"acme"}, "release_allowed": true,
			"semantic_ir": map[string]any{"metric": metric, "dimensions": []string{"region"}}, "sql": sql})
		tr, _, err := source.DecodeLine(line)
		if err != nil {
			return
		}
		ev := chk.evaluate(tr, st)
		again := chk.evaluate(tr, &sqlast.Statement{Text: st.Text, Root: st.Root})
		if len(ev.Findings) != len(again.Findings) {
			t.Fatalf("nondeterministic: %d vs %d findings", len(ev.Findings), len(again.Findings))
		}
		before := sqlast.Clone(st.Root)
		if _, _, err := chk.fuzz(ctx, p, tr, st, ev, 8, 1729); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, any(st.Root)) {
			t.Fatal("building the mutants changed the original tree")
		}
	})
}
