package db

import (
	"context"
	"database/sql"
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
				err := withParser(func(p *sql.DB) error {
					var err error
					info, err = inspectDuck(ctx, p, text)
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
