package trace

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// SpillGroups is how many row groups a spilling ColumnWriter (SpillTo)
// writes straight to its file, and how many each of its part files holds.
// A Parquet writer keeps every written group's column-chunk metadata for
// the footer until it closes, about 40 KB a group of the trace columns
// (BenchmarkParquetRowGroupMetadata), in the live heap while the run works.
// Parts of at most SpillGroups groups close as they fill, so the run holds
// at most two parts' worth (20 MB); Close copies them into the file, after
// the work, when the footer grows to its full size. A million-task run
// makes about 245 groups (RowGroupSize) and never spills; the parts bound
// the runs many times longer.
const SpillGroups = 256

// SpillTo makes the writer spill: after its first SpillGroups row groups,
// further groups go to part files in a new directory under dir, which
// Close copies, group by group, into the writer's file and then removes.
// The file's bytes are the same as without spilling (TestSpillSameBytes);
// a run of at most SpillGroups groups never makes a part. Call it before
// the first Write. A writer without a LineColumn does not spill (the copy
// re-cuts a group's batches by its lines' bytes).
func (p *ColumnWriter[T]) SpillTo(dir string) {
	for i, c := range p.cols {
		if c.line {
			p.spill = &spiller{root: dir, after: SpillGroups, line: i}
			return
		}
	}
}

// spiller holds a spilling writer's part files.
type spiller struct {
	root string
	// after is SpillGroups (tests make it smaller)
	after int
	// line is the index of the JSONL line column
	line int
	// dir holds the parts (made with the first part)
	dir string
	// direct counts the groups written straight to the file
	direct int
	parts  []string
	cur    *pqarrow.FileWriter
	curF   *os.File
	curBuf *bufio.Writer
	// curGroups counts the groups of the open part
	curGroups int
}

// partProperties are a part file's: Snappy (a part is read back once),
// no statistics and no dictionaries (nothing queries a part).
func partProperties() *parquet.WriterProperties {
	return parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithStats(false), parquet.WithDictionaryDefault(false), parquet.WithMaxRowGroupLength(RowGroupSize))
}

// next is the writer the next row group goes to: the file for the first
// SpillGroups, then the open part (opening one if none is).
func (s *spiller) next(fw *pqarrow.FileWriter, schema *arrow.Schema) (*pqarrow.FileWriter, error) {
	if s.direct < s.after {
		s.direct++
		return fw, nil
	}
	if s.cur == nil {
		if err := s.open(schema); err != nil {
			return nil, err
		}
	}
	s.curGroups++
	return s.cur, nil
}

// groupDone closes the open part once it holds SpillGroups groups.
func (s *spiller) groupDone() error {
	if s.cur != nil && s.curGroups == s.after {
		return s.closePart()
	}
	return nil
}

func (s *spiller) open(schema *arrow.Schema) error {
	if s.dir == "" {
		d, err := os.MkdirTemp(s.root, ".parquet-parts-")
		if err != nil {
			return fmt.Errorf("write parquet part: %w", err)
		}
		s.dir = d
	}
	name := filepath.Join(s.dir, fmt.Sprintf("part-%05d.parquet", len(s.parts)))
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("write parquet part: %w", err)
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	fw, err := pqarrow.NewFileWriter(schema, buf, partProperties(), pqarrow.NewArrowWriterProperties())
	if err != nil {
		f.Close()
		return fmt.Errorf("write parquet part: %w", err)
	}
	s.parts = append(s.parts, name)
	s.cur, s.curF, s.curBuf, s.curGroups = fw, f, buf, 0
	return nil
}

func (s *spiller) closePart() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	if err == nil {
		err = s.curBuf.Flush()
	}
	if cerr := s.curF.Close(); err == nil {
		err = cerr
	}
	s.cur, s.curF, s.curBuf = nil, nil, nil
	if err != nil {
		return fmt.Errorf("close parquet part: %w", err)
	}
	return nil
}

// copyInto appends every part's row groups, in order, to fw, then removes
// the parts. Each group is read back whole and written in the batches it
// was first written in (writeGroup), so the file's bytes do not depend on
// where its groups waited.
func (s *spiller) copyInto(fw *pqarrow.FileWriter, schema *arrow.Schema, lim limits) error {
	if s.dir == "" {
		return nil
	}
	defer os.RemoveAll(s.dir)
	if err := s.closePart(); err != nil {
		return err
	}
	for _, name := range s.parts {
		if err := copyPart(name, fw, schema, s.line, lim); err != nil {
			return err
		}
		// a copied part is no longer needed
		os.Remove(name)
	}
	return nil
}

func copyPart(name string, fw *pqarrow.FileWriter, schema *arrow.Schema, line int, lim limits) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("copy parquet part: %w", err)
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("copy parquet part %s: %w", filepath.Base(name), err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("copy parquet part %s: %w", filepath.Base(name), err)
	}
	all := make([]int, schema.NumFields())
	for i := range all {
		all[i] = i
	}
	for g := 0; g < pf.NumRowGroups(); g++ {
		tbl, err := fr.ReadRowGroups(context.Background(), all, []int{g})
		if err != nil {
			return fmt.Errorf("copy parquet part %s: %w", filepath.Base(name), err)
		}
		rec, err := tableRecord(tbl, schema)
		tbl.Release()
		if err != nil {
			return fmt.Errorf("copy parquet part %s: %w", filepath.Base(name), err)
		}
		err = writeGroup(fw, rec, line, lim)
		rec.Release()
		if err != nil {
			return fmt.Errorf("write parquet: %w", err)
		}
	}
	return nil
}

// writeGroup writes rec as one row group of fw in the batches a
// ColumnWriter with limits lim makes (limits.batchFull, counting the bytes
// of column line, the JSONL), so a group copied from a part is encoded as
// it was first written. rec's types are the writer's schema
// (tableRecord), so column line is text.
func writeGroup(fw *pqarrow.FileWriter, rec arrow.RecordBatch, line int, lim limits) error {
	if err := fw.NewBufferedRowGroupChecked(); err != nil {
		return err
	}
	lines := rec.Column(line).(*array.String)
	n := int(rec.NumRows())
	for lo := 0; lo < n; {
		hi, size := lo, 0
		for hi < n && !lim.batchFull(hi-lo, size) {
			size += lines.ValueLen(hi)
			hi++
		}
		part := rec.NewSlice(int64(lo), int64(hi))
		err := fw.WriteBuffered(part)
		part.Release()
		if err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// tableRecord is tbl as one record of schema (each column's chunks
// concatenated).
func tableRecord(tbl arrow.Table, schema *arrow.Schema) (arrow.RecordBatch, error) {
	if int(tbl.NumCols()) != schema.NumFields() {
		return nil, fmt.Errorf("%d columns read back, want %d", tbl.NumCols(), schema.NumFields())
	}
	cols := make([]arrow.Array, tbl.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		chunks := tbl.Column(i).Data().Chunks()
		switch len(chunks) {
		case 0:
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, schema.Field(i).Type, 0)
		case 1:
			chunks[0].Retain()
			cols[i] = chunks[0]
		default:
			a, err := array.Concatenate(chunks, memory.DefaultAllocator)
			if err != nil {
				return nil, err
			}
			cols[i] = a
		}
		if !arrow.TypeEqual(cols[i].DataType(), schema.Field(i).Type) {
			return nil, fmt.Errorf("column %s reads back as %s, not %s", schema.Field(i).Name, cols[i].DataType(), schema.Field(i).Type)
		}
	}
	return array.NewRecordBatch(schema, cols, tbl.NumRows()), nil
}
