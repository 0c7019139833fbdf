package run

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/suites"
)

// TestBuiltinDomainsParseFast runs every suite kind of the three built-in
// domains with the parse check on (every text the fast parser answers is
// parsed by DuckDB too and must get the same SQLInfo), and checks that the
// fast parser answered every parse: a run over a built-in domain never
// loads DuckDB's parser. A compiler change that emits a statement outside
// the fast parser's grammar fails here (the run stays correct, DuckDB
// parses it, but slower and with DuckDB's memory in the process).
func TestBuiltinDomainsParseFast(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about 900 database-backed tasks")
	}
	prev := db.SetParseCheck(true)
	t.Cleanup(func() { db.SetParseCheck(prev) })
	suiteCounts := []struct {
		suite string
		count int
	}{{"seeded", 0}, {"clean_controls", 0}, {"adversarial_clean_controls", 0}, {"heldout_v1", 40}, {"generated", 60}}
	for _, name := range domains.Names() {
		for _, sc := range suiteCounts {
			t.Run(name+"/"+sc.suite, func(t *testing.T) {
				d, err := domains.Load(name)
				if err != nil {
					t.Fatal(err)
				}
				src, err := suites.Open(d, sc.suite, sc.count, 0)
				if err != nil {
					t.Fatal(err)
				}
				rep, err := Run(context.Background(), Config{Domain: d, Source: src, Out: filepath.Join(t.TempDir(), "run"),
					Workers: 2, ProbeStates: 2, Minimize: true})
				if err != nil {
					t.Fatal(err)
				}
				var duck, fast int64
				for _, l := range rep.Timings.Database {
					switch l.Kind {
					case db.StatParse.String():
						duck = l.Executed
					case db.StatParseGo.String():
						fast = l.Executed
					}
				}
				if duck != 0 || fast == 0 {
					t.Errorf("%d parses by DuckDB, %d by the fast parser; want every parse fast", duck, fast)
				}
			})
		}
	}
}
