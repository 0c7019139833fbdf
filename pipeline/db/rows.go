package db

import (
	"context"
	"database/sql"
	"fmt"
)

// refused is an engine's answer to a statement that failed: the context's
// end when it ended (an infrastructure failure), else a refusal with the
// engine's first error line.
func refused(ctx context.Context, err error) (Result, error) {
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	return Result{Blocked: true, Error: cleanError(err)}, nil
}

// readResult reads rows (and closes them) into a Result, each cell
// normalized by cellOf (its column index and driver value). More than
// MaxResultRows rows is a refusal, as is an error while reading.
func readResult(ctx context.Context, rows *sql.Rows, cellOf func(col int, v any) string) (Result, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return Result{}, fmt.Errorf("read columns: %w", err)
	}
	res := Result{Columns: cols, Rows: [][]string{}}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Result{}, fmt.Errorf("scan row: %w", err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = cellOf(i, v)
		}
		res.Rows = append(res.Rows, row)
		if len(res.Rows) > MaxResultRows {
			return Result{Blocked: true, Error: fmt.Sprintf("result exceeds %d rows", MaxResultRows)}, nil
		}
	}
	if err := rows.Err(); err != nil {
		return refused(ctx, err)
	}
	return res, nil
}
