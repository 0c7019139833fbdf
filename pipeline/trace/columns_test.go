package trace

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

type row struct {
	ID   string
	N    int
	Flag bool
}

var rowColumns = []Column[row]{
	StringColumn("id", func(r *row) string { return r.ID }),
	Int64Column("n", func(r *row) int64 { return int64(r.N) }),
	BoolColumn("flag", func(r *row) bool { return r.Flag }),
	LineColumn[row]("line"),
}

// TestColumnWriterRoundTrip writes records across row-group boundaries and
// reads every column back.
func TestColumnWriterRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, RowGroupSize, RowGroupSize + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewColumnWriter(&buf, "test", rowColumns)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; i++ {
				r := row{ID: fmt.Sprintf("r%d", i), N: i, Flag: i%2 == 0}
				if err := w.Write(&r, []byte(fmt.Sprintf(`{"id":"r%d"}`, i))); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if want := (n + RowGroupSize - 1) / RowGroupSize; pf.NumRowGroups() != want {
				t.Fatalf("row groups = %d, want %d", pf.NumRowGroups(), want)
			}
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := fr.ReadTable(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			if tbl.NumRows() != int64(n) {
				t.Fatalf("rows = %d, want %d", tbl.NumRows(), n)
			}
			for i, f := range Schema(rowColumns).Fields() {
				if got := tbl.Schema().Field(i); got.Name != f.Name || !arrow.TypeEqual(got.Type, f.Type) {
					t.Errorf("column %d = %s %s, want %s %s", i, got.Name, got.Type, f.Name, f.Type)
				}
			}
			if n == 0 {
				return
			}
			last := n - 1
			chunks := tbl.Column(0).Data().Chunks()
			id := chunks[len(chunks)-1].(*array.String)
			if got := id.Value(id.Len() - 1); got != fmt.Sprintf("r%d", last) {
				t.Errorf("last id = %q", got)
			}
			line := tbl.Column(3).Data().Chunks()[0].(*array.String)
			if line.Value(0) != `{"id":"r0"}` {
				t.Errorf("line = %q", line.Value(0))
			}
			num := tbl.Column(1).Data().Chunks()[0].(*array.Int64)
			flag := tbl.Column(2).Data().Chunks()[0].(*array.Boolean)
			if num.Value(0) != 0 || !flag.Value(0) {
				t.Errorf("first row n=%d flag=%v", num.Value(0), flag.Value(0))
			}
		})
	}
}

// TestColumnWriterSplitsByBytes: records whose lines together pass
// RowGroupBytes are spread over several row groups, none over the bound
// (except a single record larger than it, alone in its group).
func TestColumnWriterSplitsByBytes(t *testing.T) {
	big := bytes.Repeat([]byte("x"), RowGroupBytes/3+1)
	huge := bytes.Repeat([]byte("y"), RowGroupBytes+1)
	tests := []struct {
		name   string
		lines  [][]byte
		groups int
	}{
		{"three fit in one group minus one", [][]byte{big, big}, 1},
		{"three thirds and one more", [][]byte{big, big, big, big}, 2},
		{"a huge record alone", [][]byte{big, huge, big}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewColumnWriter(&buf, "test", rowColumns)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range tc.lines {
				r := row{ID: fmt.Sprint(i)}
				if err := w.Write(&r, l); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if pf.NumRowGroups() != tc.groups {
				t.Fatalf("row groups = %d, want %d", pf.NumRowGroups(), tc.groups)
			}
			if pf.NumRows() != int64(len(tc.lines)) {
				t.Fatalf("rows = %d, want %d", pf.NumRows(), len(tc.lines))
			}
		})
	}
}

// BenchmarkParquetRowGroupMetadata reports the Go heap a traces.parquet
// writer keeps per row group it has written (the footer's column-chunk
// metadata, held until Close): the part of a long run's memory that grows
// with its length (EVAL_CARD, "Memory").
func BenchmarkParquetRowGroupMetadata(b *testing.B) {
	const groups = 200
	tr := &Trace{TaskID: "gen-000001", Domain: "support_saas"}
	line := []byte(`{"task_id":"gen-000001"}`)
	var perGroup float64
	for i := 0; i < b.N; i++ {
		w, err := NewParquetWriter(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for g := 0; g < groups; g++ {
			for r := 0; r < RowGroupSize; r++ {
				if err := w.Write(tr, line); err != nil {
					b.Fatal(err)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perGroup = float64(after.HeapAlloc-before.HeapAlloc) / groups
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(perGroup, "retained-B/rowgroup")
}

// TestColumnWriterSameBytesPastDictionaryLimit writes a group whose string
// column holds more distinct bytes than Parquet's default dictionary page
// limit (1 MiB): the writer must neither fall back to plain pages within a
// chunk (which lists the chunk's page encodings in map order, so the
// footer's bytes vary) nor write different bytes for the same records.
func TestColumnWriterSameBytesPastDictionaryLimit(t *testing.T) {
	write := func() []byte {
		var buf bytes.Buffer
		w, err := NewColumnWriter(&buf, "test", rowColumns)
		if err != nil {
			t.Fatal(err)
		}
		pad := string(bytes.Repeat([]byte("x"), 700))
		for i := 0; i < 3000; i++ { // 3000 distinct ids of ~700 bytes: ~2 MiB
			r := row{ID: fmt.Sprintf("%s%d", pad, i), N: i}
			if err := w.Write(&r, []byte(fmt.Sprintf(`{"id":%d}`, i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	first := write()
	pf, err := file.NewParquetReader(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	for g := 0; g < pf.NumRowGroups(); g++ {
		rg := pf.MetaData().RowGroup(g)
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			data := 0
			for _, st := range cc.EncodingStats() {
				if st.PageType != 2 { // DICTIONARY_PAGE
					data++
				}
			}
			if data > 1 {
				t.Errorf("group %d column %s: data pages in %d encodings %v (a dictionary fallback)", g, cc.PathInSchema(), data, cc.EncodingStats())
			}
		}
	}
	for k := 0; k < 8; k++ {
		if !bytes.Equal(write(), first) {
			t.Fatalf("write %d: bytes differ from the first write", k+2)
		}
	}
}
