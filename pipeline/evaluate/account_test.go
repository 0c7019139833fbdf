package evaluate

import (
	"context"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// searchEnv loads st into a DuckDB engine and derives the aimed search
// states from it (each in an engine of its own), as a run does.
func searchEnv(t *testing.T, d *spec.Domain, st *state.State) (*Evaluator, Sessions) {
	t.Helper()
	ctx := context.Background()
	open := func(s *state.State) db.Session {
		eng, err := db.OpenDuckDB(ctx, d, s, layers.Containments())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		sess, err := eng.Session(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sess.Close() })
		return sess
	}
	ev := &Evaluator{Domain: d, Oracle: oracle.New(d, st), StateSeed: 1}
	ss := Sessions{Main: open(st)}
	aimed, err := aimstate.Derive(d, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range aimed {
		ev.Probes = append(ev.Probes, &Probe{Ref: trace.StateRef{Name: "aimed:" + a.Name, Derivation: a.Doc}, Oracle: oracle.New(d, a.State)})
		ss.Probes = append(ss.Probes, open(a.State))
	}
	return ev, ss
}

// unmoved rebuilds st with every account's legacy tenant key set to its
// current tenant's: a state in which no account moved tenants.
func unmoved(t *testing.T, d *spec.Domain, st *state.State) *state.State {
	t.Helper()
	rows := st.BaseRows(d)
	ten := d.Policy.Tenancy
	lt, lc, _ := spec.SplitQualified(ten.LegacyColumn)
	_, tc, _ := spec.SplitQualified(ten.Column)
	kt, kc, _ := spec.SplitQualified(ten.LegacyKey)
	keys := map[string]any{}
	tt := st.Table(kt)
	for _, r := range tt.Rows {
		keys[cell.Format(r[tt.PK])] = r[tt.Col(kc)]
	}
	at := st.Table(lt)
	for _, r := range rows[lt] {
		r[at.Col(lc)] = keys[cell.Format(r[at.Col(tc)])]
	}
	out, err := state.FromRows(d, rows)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStateDependentEquivalenceIsSearched reproduces review finding 1: in
// a state with no moved accounts, the legacy-ownership views show each
// session exactly its rows, so the faulty database layer's output equals
// the correct one's. That used to be accounted "exact equivalent: no
// database state can distinguish it". The database layer's output depends
// on the rows, so it is not a proof: the search must find a distinguishing
// state (accounts moved between tenants) and account a survivor naming it.
// A release fault and a compiler fault that cannot fire or emit identical
// SQL keep exact proofs.
func TestStateDependentEquivalenceIsSearched(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	base, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	ev, ss := searchEnv(t, d, unmoved(t, d, base))
	ctx := context.Background()
	cases := []struct {
		name, mutation, principal string
		q                         spec.SemanticQuery
		status, proof, killer     string
	}{
		{"legacy ownership on a state with no moved account", "db_rls_old_ownership_field", "beta_analyst",
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, TimeRange: "last_month", Limit: 100},
			trace.Survived, "", "aimed:moved_owners"},
		{"fail-open gate on an allowed request", "release_fail_open_on_deny", "acme_analyst",
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"severity"}, TimeRange: "last_month", Limit: 10},
			trace.Equivalent, trace.ProofUnreachable, ""},
		{"fiscal compiler on a calendar range", "fiscal_calendar_mismatch", "acme_analyst",
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"severity"}, TimeRange: "last_month", Limit: 10},
			trace.Equivalent, trace.ProofIdenticalSQL, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			task := spec.Task{ID: "t", Domain: d.Name, Suite: "test", Principal: tc.principal, Mutation: tc.mutation, SemanticQuery: tc.q}
			out, err := ev.EvaluateWith(ctx, ss, task)
			if err != nil {
				t.Fatal(err)
			}
			tr := out.Trace
			if tr.AccountingStatus != tc.status {
				t.Fatalf("accounted %s (%s), want %s", tr.AccountingStatus, tr.AccountingReason, tc.status)
			}
			if tc.proof != "" && (tr.EquivalenceProof == nil || tr.EquivalenceProof.Kind != tc.proof) {
				t.Errorf("proof %+v, want %s", tr.EquivalenceProof, tc.proof)
			}
			if tc.killer != "" && (tr.KillingState == nil || tr.KillingState.Name != tc.killer) {
				t.Errorf("killing state %+v, want %s", tr.KillingState, tc.killer)
			}
			if strings.Contains(tr.AccountingReason, "no database state can distinguish") {
				t.Errorf("reason still claims what it cannot prove: %s", tr.AccountingReason)
			}
		})
	}
}
