package run

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/suites"
)

// TestGeneratedSuitesMeasure runs 230 generated tasks (about ten per
// operator) of support_saas and finance_saas, with the distinguishing-state
// search, and checks the targets: at most 10% of the mutants
// equivalent (a third of them were, because the request never reached the
// fault), every equivalent with its proof kind, every survivor with the
// state that kills it, and the run's own mutation score and equivalent
// share consistent with its counts.
func TestGeneratedSuitesMeasure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 460 database-backed tasks")
	}
	for _, name := range []string{"support_saas", "finance_saas"} {
		t.Run(name, func(t *testing.T) {
			d, err := domains.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			src, err := suites.Open(d, "generated", 230, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "run")
			rep, err := Run(context.Background(), Config{Domain: d, Source: src, Out: out, Workers: 2, ProbeStates: 2})
			if err != nil {
				t.Fatal(err)
			}
			sm := rep.Summary
			mutants := sm.Killed + sm.Survived + sm.Equivalent
			if mutants != 230 || sm.Invalid != 0 {
				t.Fatalf("%d mutants, %d invalid", mutants, sm.Invalid)
			}
			if share := float64(sm.Equivalent) / float64(mutants); share > 0.10 || sm.EquivalentShare != share {
				t.Errorf("equivalent share %.3f (summary %.3f), target at most 0.10", share, sm.EquivalentShare)
			}
			proofs := 0
			for _, n := range sm.EquivalenceProofs {
				proofs += n
			}
			if proofs != sm.Equivalent {
				t.Errorf("%d equivalents, %d with a proof kind", sm.Equivalent, proofs)
			}
			states := 0
			for _, n := range sm.KillingStates {
				states += n
			}
			if states != sm.Survived {
				t.Errorf("%d survivors, %d with a killing state", sm.Survived, states)
			}
			if sm.KillRateAllMutants != float64(sm.Killed)/float64(mutants) {
				t.Errorf("killed / all mutants %.3f", sm.KillRateAllMutants)
			}
		})
	}
}
