package db

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// Parses running while the parser database is replaced still succeed and
// give the same answer (the replacement waits for them).
func TestParserRecycleUnderConcurrency(t *testing.T) {
	old := parserRecycle
	parserRecycle = 3
	t.Cleanup(func() { parserRecycle = old })
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				text := fmt.Sprintf("SELECT a FROM t%d WHERE b = %d LIMIT 5", g, i)
				var info SQLInfo
				err := withParser(func(p *parserDB) error {
					var err error
					info, err = inspectDuck(ctx, p.parse, text)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if !info.Valid || info.Limit != 5 || len(info.Tables) != 1 || info.Tables[0] != fmt.Sprintf("t%d", g) {
					errs <- fmt.Errorf("%s: %+v", text, info)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkParse is the cost of one parse of a distinct compiled-looking
// statement on the shared parser (no memo).
func BenchmarkParse(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		text := fmt.Sprintf(`SELECT "accounts"."region" AS region, SUM("invoices"."amount_cents") AS revenue FROM "invoices" JOIN "accounts" ON "invoices"."account_id" = "accounts"."id" WHERE "invoices"."tenant_id" IN ('acme') AND "invoices"."issued_at" >= DATE '2026-05-01' AND "invoices"."issued_at" < DATE '2026-06-01' AND "accounts"."plan" = 'p%d' GROUP BY 1 ORDER BY 1 LIMIT %d`, i, i%100+1)
		if _, err := sqliteParse(ctx, text); err != nil {
			b.Fatal(err)
		}
	}
}
