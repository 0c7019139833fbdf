package resolve

import (
	"sync"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// The layers ask for join paths many times per task (the compiler per
// dimension and filter, the validator per attribution check), always over
// the same few schemas; building a schema's adjacency for every call was a
// tenth of a run's allocations. adjacencyOf keeps the adjacency per schema
// with an exact copy of the foreign keys it was built from, and rebuilds it
// when the schema no longer matches that copy (a schema edited in place,
// as tests do), so a cached answer is always the one adjacency would give.
var adjCache struct {
	sync.Mutex
	m map[*spec.Schema]*adjEntry
}

// maxAdjCache bounds the schemas remembered (tests build many).
const maxAdjCache = 64

// adjEntry is one schema's adjacency and the foreign keys it came from,
// and the join paths found over it so far (Path), by from and to.
type adjEntry struct {
	keys  []fkKey
	adj   map[string][]Edge
	paths map[[2]string]pathResult
}

// pathResult is one Path answer.
type pathResult struct {
	path []Edge
	ok   bool
}

// fkKey is one foreign key as adjacency reads it; a table without foreign
// keys appears once with empty fields but its name, so adding or renaming
// a table changes the copy.
type fkKey struct {
	table, column, references string
	expansion                 int
}

// eachFKKey calls yield with s's foreign keys as adjacency reads them, in
// schema order (each table's own key first), until yield returns false;
// it reports whether every key was yielded.
func eachFKKey(s *spec.Schema, yield func(fkKey) bool) bool {
	for _, t := range s.Tables {
		if !yield(fkKey{table: t.Name, expansion: -1}) {
			return false
		}
		for _, fk := range t.ForeignKeys {
			if !yield(fkKey{table: t.Name, column: fk.Column, references: fk.References, expansion: fk.Expansion}) {
				return false
			}
		}
	}
	return true
}

// fkKeys lists s's foreign keys (eachFKKey).
func fkKeys(s *spec.Schema) []fkKey {
	var out []fkKey
	eachFKKey(s, func(k fkKey) bool {
		out = append(out, k)
		return true
	})
	return out
}

// matches reports whether s still has exactly the foreign keys e was built
// from, without allocating.
func (e *adjEntry) matches(s *spec.Schema) bool {
	i := 0
	return eachFKKey(s, func(k fkKey) bool {
		if i >= len(e.keys) || e.keys[i] != k {
			return false
		}
		i++
		return true
	}) && i == len(e.keys)
}

// adjacencyOf is adjacency(s), built once per schema while the schema is
// unchanged. Callers must not modify the map or its slices.
func adjacencyOf(s *spec.Schema) map[string][]Edge {
	adjCache.Lock()
	defer adjCache.Unlock()
	return entryOf(s).adj
}

// entryOf is s's cache entry, built anew when s changed; the caller holds
// adjCache's lock.
func entryOf(s *spec.Schema) *adjEntry {
	if e, ok := adjCache.m[s]; ok && e.matches(s) {
		return e
	}
	if adjCache.m == nil || len(adjCache.m) >= maxAdjCache {
		adjCache.m = map[*spec.Schema]*adjEntry{}
	}
	e := &adjEntry{keys: fkKeys(s), adj: adjacency(s), paths: map[[2]string]pathResult{}}
	adjCache.m[s] = e
	return e
}

// maxPathsPerSchema bounds the join paths remembered per schema (a schema
// of n tables has at most n*n).
const maxPathsPerSchema = 4096

// cachedPath is Path(s, from, to), found once per schema while the schema
// is unchanged (with the adjacency it was found over); each caller gets
// its own copy of the path.
func cachedPath(s *spec.Schema, from, to string) ([]Edge, bool) {
	adjCache.Lock()
	e := entryOf(s)
	k := [2]string{from, to}
	r, hit := e.paths[k]
	adj := e.adj
	adjCache.Unlock()
	if !hit {
		r.path, r.ok = shortestPath(adj, from, to)
		adjCache.Lock()
		if cur := adjCache.m[s]; cur == e && len(e.paths) < maxPathsPerSchema {
			e.paths[k] = r
		}
		adjCache.Unlock()
	}
	if r.path == nil {
		return nil, r.ok
	}
	return append([]Edge(nil), r.path...), r.ok
}
