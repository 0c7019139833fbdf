// Package dataset opens run traces for analysis: embedded DuckDB over the
// Parquet traces of one run, many runs, or a directory of shards
// (read_parquet with hive_partitioning), exposed as the view "traces" with
// a "run" column naming the input each row came from.
package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Input is one named run: a run directory, a traces.parquet file, or a
// directory of shards holding Parquet files at any depth.
type Input struct {
	Name string
	Path string
}

// Set is an open DuckDB database with the view traces over the inputs.
type Set struct {
	DB     *sql.DB
	Inputs []Input
	// Dirs maps each input name to its run directory (for summary,
	// metadata and witness files); "" for a bare Parquet file.
	Dirs map[string]string
	// shards maps an input that is a dataset of run --shard directories
	// to them, in shard order.
	shards map[string][]string
}

// Close closes the database.
func (s *Set) Close() error { return s.DB.Close() }

// Open starts an in-memory DuckDB and defines the view traces over the
// Parquet files of inputs, in input order, then file order, then row order;
// the rows of a dataset written by run --shard come in suite order (by
// their task_index column), as in the single-machine run.
func Open(ctx context.Context, inputs []Input) (*Set, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("open traces: no run given")
	}
	connector, err := duckdb.NewConnector("?threads=1", nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	s := &Set{DB: db, Inputs: inputs, Dirs: map[string]string{}, shards: map[string][]string{}}
	var parts []string
	for i, in := range inputs {
		files, hive, dir, err := parquetFiles(in.Path)
		if err != nil {
			db.Close()
			return nil, err
		}
		s.Dirs[in.Name] = dir
		list := make([]string, len(files))
		for j, f := range files {
			list[j] = quote(f)
		}
		// a run --shard dataset: every file in a shard directory
		order := "NULL::BIGINT"
		if sh := shardDirs(files); sh != nil {
			s.shards[in.Name] = sh
			order = "task_index"
		}
		parts = append(parts, fmt.Sprintf(
			"SELECT %s AS run, %d AS input_index, %s AS suite_order, * EXCLUDE (filename, file_row_number), filename AS source_file, file_row_number "+
				"FROM read_parquet([%s], hive_partitioning=%t, union_by_name=true, filename=true, file_row_number=true)",
			quote(in.Name), i, order, strings.Join(list, ", "), hive))
	}
	q := "CREATE VIEW traces AS SELECT * FROM (" + strings.Join(parts, " UNION ALL BY NAME ") +
		") ORDER BY input_index, suite_order NULLS LAST, source_file, file_row_number"
	if _, err := db.ExecContext(ctx, q); err != nil {
		db.Close()
		return nil, fmt.Errorf("open traces: %w", err)
	}
	return s, nil
}

// parquetFiles lists the Parquet files of path, sorted, whether they sit
// in hive-partitioned directories, and the run directory when there is one.
func parquetFiles(path string) ([]string, bool, string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, "", strictyaml.Errorf(path, 0, "no run directory or Parquet file")
	}
	if !st.IsDir() {
		if !strings.HasSuffix(path, ".parquet") {
			return nil, false, "", strictyaml.Errorf(path, 0, "not a Parquet file")
		}
		return []string{path}, false, "", nil
	}
	if f := filepath.Join(path, "traces.parquet"); exists(f) {
		return []string{f}, false, path, nil
	}
	var files []string
	hive := false
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != path && strings.Contains(d.Name(), "=") {
			hive = true
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, false, "", fmt.Errorf("list %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, false, "", strictyaml.Errorf(path, 0, "not a run directory (no traces.parquet, no Parquet shards)")
	}
	sort.Strings(files)
	return files, hive, path, nil
}

// shardDirs returns the directories of files, sorted by shard index, when
// every file sits in a shard directory written by run --shard (holding
// shard.json); nil otherwise.
func shardDirs(files []string) []string {
	seen := map[string]bool{}
	var dirs []string
	for _, f := range files {
		d := filepath.Dir(f)
		if !exists(filepath.Join(d, trace.ShardInfoFile)) {
			return nil
		}
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	sort.Slice(dirs, func(i, j int) bool { return shardIndex(dirs[i]) < shardIndex(dirs[j]) })
	return dirs
}

// shardIndex is I of a directory named shard=I (-1 otherwise).
func shardIndex(dir string) int {
	v, ok := strings.CutPrefix(filepath.Base(dir), "shard=")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// WitnessFile is the file of a trace's witness_path in a named input: in
// its run directory, or in whichever shard directory holds it ("" when
// the input has no directory or the file is missing).
func (s *Set) WitnessFile(name, rel string) string {
	for _, d := range s.WitnessDirs(name) {
		p := filepath.Join(filepath.Dir(d), filepath.FromSlash(rel))
		if exists(p) {
			return p
		}
	}
	return ""
}

// WitnessDirs are the witnesses directories of a named input: its run
// directory's, or each shard's of a run --shard dataset.
func (s *Set) WitnessDirs(name string) []string {
	if sh := s.shards[name]; sh != nil {
		out := make([]string, len(sh))
		for i, d := range sh {
			out[i] = filepath.Join(d, "witnesses")
		}
		return out
	}
	if d := s.Dirs[name]; d != "" {
		return []string{filepath.Join(d, "witnesses")}
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ParseInputs reads name=PATH arguments (a bare PATH is named after its
// base name); names must be unique.
func ParseInputs(args []string) ([]Input, error) {
	seen := map[string]bool{}
	var out []Input
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			path = a
			name = filepath.Base(filepath.Clean(a))
		}
		if name == "" || path == "" {
			return nil, fmt.Errorf("bad run argument %q (want NAME=PATH or PATH)", a)
		}
		if seen[name] {
			return nil, fmt.Errorf("run name %q given twice", name)
		}
		seen[name] = true
		out = append(out, Input{Name: name, Path: path})
	}
	return out, nil
}

// EachJSON calls fn with every row's run and trace_json, in trace order,
// optionally restricted by a SQL condition on the view's columns.
func (s *Set) EachJSON(ctx context.Context, where string, fn func(run string, line []byte) error) error {
	q := "SELECT run, trace_json FROM traces"
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := s.DB.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("query traces: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var run, line string
		if err := rows.Scan(&run, &line); err != nil {
			return fmt.Errorf("read traces: %w", err)
		}
		if err := fn(run, []byte(line)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Metadata reads the metadata.json of a named input's run directory into
// a generic map; a missing file gives an empty map. For a run --shard
// dataset it is the first shard's, with trace_count totalled over the
// shards (merge writes the same).
func (s *Set) Metadata(name string) (map[string]any, error) {
	if sh := s.shards[name]; sh != nil {
		var m map[string]any
		total := 0.0
		for _, d := range sh {
			md, err := readMetadata(d)
			if err != nil {
				return nil, err
			}
			n, _ := md["trace_count"].(float64)
			total += n
			if m == nil {
				m = md
			}
		}
		m["trace_count"] = total
		return m, nil
	}
	return readMetadata(s.Dirs[name])
}

// readMetadata reads dir's metadata.json (empty when dir is "" or the
// file is missing).
func readMetadata(dir string) (map[string]any, error) {
	m := map[string]any{}
	if dir == "" {
		return m, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read metadata: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, strictyaml.Errorf(filepath.Join(dir, "metadata.json"), 0, "invalid metadata: %v", err)
	}
	return m, nil
}
