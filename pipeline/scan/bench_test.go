package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/scan/config"
)

// benchTraces are the three shipped postgres_dbt traces (a denied release,
// a missing tenant scope, a clean trace), repeated with fresh ids.
var benchTraces = []string{
	`{"id":"unsafe_%d","principal":"acme_analyst","tenant_ids":["acme"],"release_allowed":true,"regression_case":"fail_to_pass","semantic_ir":{"metric":"bookings","dimensions":["region"],"time_range":"last_month","grain":"month","limit":100},"sql":"select sum(invoices.gross_amount_cents) as value, accounts.region as region from accounts left join subscriptions on subscriptions.account_id = accounts.id left join invoices on invoices.subscription_id = subscriptions.id where accounts.tenant_id in ('acme') and invoices.invoice_date >= date '2026-05-01' and invoices.invoice_date < date '2026-06-01' group by accounts.region limit 100"}`,
	`{"id":"missing_%d","principal":"acme_analyst","tenant_ids":["acme"],"release_allowed":true,"regression_case":"fail_to_pass","semantic_ir":{"metric":"ticket_count","dimensions":["region"],"time_range":"last_month","grain":"month","limit":100},"sql":"select count(distinct support_tickets.id) as value, accounts.region as region from accounts left join support_tickets on support_tickets.account_id = accounts.id group by accounts.region limit 100"}`,
	`{"id":"clean_%d","principal":"acme_analyst","tenant_ids":["acme"],"release_allowed":true,"regression_case":"pass_to_pass","semantic_ir":{"metric":"ticket_count","dimensions":["region"],"time_range":"last_month","grain":"month","limit":100},"sql":"select count(distinct support_tickets.id) as value, accounts.region as region from accounts left join support_tickets on support_tickets.account_id = accounts.id where accounts.tenant_id in ('acme') group by accounts.region limit 100"}`,
}

// WriteBenchTraces writes n traces to dir/traces.jsonl and a config with
// fuzzing on (8 mutants per trace) to dir/policystrata.yaml.
func writeBench(tb testing.TB, dir string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, benchTraces[i%len(benchTraces)]+"\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "traces.jsonl"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	cfg := filepath.Join(dir, "policystrata.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\ndomain: support_saas\nsql_traces:\n  files: [traces.jsonl]\nfuzz:\n  enabled: true\n  max_cases_per_trace: 8\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// BenchmarkScan scans 10,000 traces with fuzzing on (8 mutants asked per
// trace, every mutant built re-scanned) on 2 workers and reports traces and
// mutants per second (mutants: those built and re-scanned, stillborn ones
// excluded).
func BenchmarkScan(b *testing.B) {
	cfgPath := writeBench(b, b.TempDir(), 10000)
	c, err := config.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var traces, mutants int
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), c, Options{Workers: 2})
		if err != nil {
			b.Fatal(err)
		}
		traces += res.Summary.Traces
		for status, n := range res.Summary.MutantStatuses {
			if status != StatusStillborn {
				mutants += n
			}
		}
	}
	b.ReportMetric(float64(traces)/b.Elapsed().Seconds(), "traces/s")
	b.ReportMetric(float64(mutants)/b.Elapsed().Seconds(), "mutants/s")
}
