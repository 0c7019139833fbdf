package db

import (
	"context"
	"fmt"
	"slices"
)

// SameResult reports whether two engines' results for one statement agree:
// both refused, or neither refused and they have identical columns and rows
// (in order). Refusal messages are engine-specific and are not compared.
func SameResult(a, b Result) bool {
	if a.Blocked || b.Blocked {
		return a.Blocked == b.Blocked
	}
	return slices.Equal(a.Columns, b.Columns) && slices.EqualFunc(a.Rows, b.Rows, slices.Equal[[]string])
}

// CompareEngines runs e on two sessions (normally of different engines
// loaded with the same domain and state) and reports whether the results
// agree (SameResult), with both results so a caller can report a
// disagreement. Only infrastructure failures are errors.
func CompareEngines(ctx context.Context, a, b Session, e Exec) (equal bool, ra, rb Result, err error) {
	if ra, err = a.Run(ctx, e); err != nil {
		return false, ra, rb, fmt.Errorf("compare engines: %w", err)
	}
	if rb, err = b.Run(ctx, e); err != nil {
		return false, ra, rb, fmt.Errorf("compare engines: %w", err)
	}
	return SameResult(ra, rb), ra, rb, nil
}
