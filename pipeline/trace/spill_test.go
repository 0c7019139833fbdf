package trace

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// TestSpillSameBytes: a spilling writer's file is byte for byte the file
// of a writer that does not spill, whatever the number of groups (none,
// fewer than the direct ones, exactly them, one more, several parts and a
// partial one), and no part outlives Close.
func TestSpillSameBytes(t *testing.T) {
	// the second limits cut data pages (1 MiB) inside groups, where the
	// page boundaries follow the batches
	for _, lim := range []limits{defaultLimits, {groupRows: 300, groupBytes: 64 << 20, batchRows: 16, batchBytes: 64 << 10},
		{groupRows: 50, groupBytes: 20000, batchRows: 7, batchBytes: 3000}} {
		t.Run(fmt.Sprintf("groups of %d rows or %d bytes, batches of %d rows or %d bytes", lim.groupRows, lim.groupBytes, lim.batchRows, lim.batchBytes), func(t *testing.T) {
			testSpillSameBytes(t, lim)
		})
	}
}

func testSpillSameBytes(t *testing.T, lim limits) {
	const after = 2
	// lines of 0-2,000 bytes (the small limits cut batches and groups
	// by bytes as well as by rows)
	pad := 211
	switch {
	case lim.batchBytes < 10000:
		pad = 2003
	case lim.batchBytes < BatchBytes:
		pad = 8009
	}
	write := func(t *testing.T, n int, spillDir string) ([]byte, int, int) {
		var buf bytes.Buffer
		w, err := NewColumnWriter(&buf, "test", rowColumns)
		if err != nil {
			t.Fatal(err)
		}
		w.lim = lim
		if spillDir != "" {
			w.SpillTo(spillDir)
			w.spill.after = after
		}
		for i := 0; i < n; i++ {
			// lines of varied length and repeated ids: dictionary and
			// plain pages both cross the copy
			r := row{ID: fmt.Sprintf("r%d", i%97), N: i * 7919 % 1000, Flag: i%3 == 0}
			line := fmt.Sprintf(`{"id":"r%d","pad":%q}`, i, strings.Repeat("x", i*31%pad))
			if err := w.Write(&r, []byte(line)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		parts := 0
		if w.spill != nil {
			parts = len(w.spill.parts)
		}
		pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), parts, pf.NumRowGroups()
	}
	for _, groups := range []int{0, 1, after, after + 1, 2 * after, 3*after + 1, 7 * after} {
		for _, extra := range []int{0, 5} {
			n := groups*lim.groupRows + extra
			if groups == 0 && extra == 0 {
				n = 0
			}
			t.Run(fmt.Sprintf("%d groups+%d", groups, extra), func(t *testing.T) {
				dir := t.TempDir()
				want, _, _ := write(t, n, "")
				got, parts, all := write(t, n, dir)
				if !bytes.Equal(got, want) {
					t.Fatalf("spilled file differs: %d bytes, want %d", len(got), len(want))
				}
				// the groups past the direct ones, in parts of after
				if wantParts := (max(all-after, 0) + after - 1) / after; parts != wantParts {
					t.Fatalf("%d parts made, want %d", parts, wantParts)
				}
				left, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				if len(left) != 0 {
					t.Fatalf("parts left behind: %v", left)
				}
			})
		}
	}
}

// TestSpillSameBytesTraces: the same for the trace columns, with traces
// whose fields vary (statistics and dictionaries of every column type).
func TestSpillSameBytesTraces(t *testing.T) {
	write := func(spillDir string) []byte {
		var buf bytes.Buffer
		w, err := NewParquetWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if spillDir != "" {
			w.SpillTo(spillDir)
			w.spill.after = 1
		}
		for i := 0; i < 3*RowGroupSize+17; i++ {
			tr := Trace{TaskID: fmt.Sprintf("gen-%06d", i), Domain: "support_saas", Suite: "generated",
				Principal: []string{"acme_analyst", "beta_admin"}[i%2], Mutation: fmt.Sprintf("op_%d", i%23),
				AccountingStatus: []string{Killed, Survived, Equivalent}[i%3]}
			line, err := CompactJSON(&tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(&tr, line); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if got, want := write(t.TempDir()), write(""); !bytes.Equal(got, want) {
		t.Fatalf("spilled traces.parquet differs: %d bytes, want %d", len(got), len(want))
	}
}
