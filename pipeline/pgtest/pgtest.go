// Package pgtest gives tests the PostgreSQL server of their environment:
// POLICYSTRATA_PG_DSN, checked to answer. Unset, a test is skipped, except
// under CI=true, where PostgreSQL tests must run and a missing or
// unreachable server fails the test.
package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSN returns the environment's PostgreSQL DSN or skips/fails tb.
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("POLICYSTRATA_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("POLICYSTRATA_PG_DSN not set: PostgreSQL tests must run in CI (CI=true); point it at a server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
		}
		tb.Skip("POLICYSTRATA_PG_DSN not set: skipping PostgreSQL tests")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		tb.Fatalf("POLICYSTRATA_PG_DSN is set but the server is unreachable: %v", err)
	}
	return dsn
}
