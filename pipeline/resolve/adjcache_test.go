package resolve

import (
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// chainSchema is a -> b -> c by many-to-one foreign keys.
func chainSchema() *spec.Schema {
	return &spec.Schema{Tables: []*spec.Table{
		{Name: "a", ForeignKeys: []*spec.ForeignKey{{Column: "b_id", References: "b.id", Expansion: 2}}},
		{Name: "b", ForeignKeys: []*spec.ForeignKey{{Column: "c_id", References: "c.id", Expansion: 3}}},
		{Name: "c"},
	}}
}

// TestAdjacencyCacheFollowsEdits edits one schema in place between calls:
// every answer must be the adjacency a fresh build gives, never a stale one.
func TestAdjacencyCacheFollowsEdits(t *testing.T) {
	s := chainSchema()
	edits := []struct {
		name string
		edit func(*spec.Schema)
	}{
		{"unchanged", func(*spec.Schema) {}},
		{"expansion edited", func(s *spec.Schema) { s.Tables[1].ForeignKeys[0].Expansion = 7 }},
		{"column renamed", func(s *spec.Schema) { s.Tables[0].ForeignKeys[0].Column = "b_ref" }},
		{"reference retargeted", func(s *spec.Schema) { s.Tables[0].ForeignKeys[0].References = "c.id" }},
		{"foreign key added", func(s *spec.Schema) {
			s.Tables[2].ForeignKeys = append(s.Tables[2].ForeignKeys, &spec.ForeignKey{Column: "a_id", References: "a.id"})
		}},
		{"foreign key removed", func(s *spec.Schema) { s.Tables[2].ForeignKeys = nil }},
		{"table renamed", func(s *spec.Schema) { s.Tables[2].Name = "d" }},
		{"table added", func(s *spec.Schema) {
			s.Tables = append(s.Tables, &spec.Table{Name: "e", ForeignKeys: []*spec.ForeignKey{{Column: "a_id", References: "a.id"}}})
		}},
		{"table removed", func(s *spec.Schema) { s.Tables = s.Tables[:2] }},
		{"foreign key moved to the next table", func(s *spec.Schema) {
			s.Tables[1].ForeignKeys = append(s.Tables[1].ForeignKeys, s.Tables[0].ForeignKeys...)
			s.Tables[0].ForeignKeys = nil
		}},
	}
	for _, e := range edits {
		e.edit(s)
		// the join paths too: every pair's cached path is the one a
		// search over a fresh adjacency finds
		for _, from := range s.Tables {
			for _, to := range []string{"a", "b", "c", "d", "e"} {
				if from.Name == to {
					continue
				}
				wp, wok := shortestPath(adjacency(s), from.Name, to)
				for range 2 {
					gp, gok := Path(s, from.Name, to)
					if gok != wok || !reflect.DeepEqual(gp, wp) {
						t.Fatalf("%s: Path(%s, %s) = %v %v, fresh %v %v", e.name, from.Name, to, gp, gok, wp, wok)
					}
				}
			}
		}
		got, want := adjacencyOf(s), adjacency(s)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: cached adjacency %v, fresh %v", e.name, got, want)
		}
		if again := adjacencyOf(s); !reflect.DeepEqual(again, want) {
			t.Fatalf("%s: second call %v, want %v", e.name, again, want)
		}
	}
}

// TestAdjacencyCacheBounded keeps at most maxAdjCache schemas.
func TestAdjacencyCacheBounded(t *testing.T) {
	for i := 0; i < 3*maxAdjCache; i++ {
		s := chainSchema()
		if got, want := adjacencyOf(s), adjacency(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("schema %d: %v, want %v", i, got, want)
		}
		adjCache.Lock()
		n := len(adjCache.m)
		adjCache.Unlock()
		if n > maxAdjCache {
			t.Fatalf("cache holds %d schemas, bound %d", n, maxAdjCache)
		}
	}
}

// TestAdjacencyCacheHitDoesNotAllocate: checking a cached schema against its
// copy of the foreign keys allocates nothing.
func TestAdjacencyCacheHitDoesNotAllocate(t *testing.T) {
	s := chainSchema()
	adjacencyOf(s)
	if n := testing.AllocsPerRun(100, func() { adjacencyOf(s) }); n != 0 {
		t.Fatalf("a cache hit allocates %.1f times, want 0", n)
	}
}

// TestPathCopies gives each caller its own path: changing one answer does
// not change the next.
func TestPathCopies(t *testing.T) {
	s := chainSchema()
	p, ok := Path(s, "a", "c")
	if !ok || len(p) != 2 {
		t.Fatalf("Path(a, c) = %v %v", p, ok)
	}
	want := append([]Edge(nil), p...)
	p[0].To, p[1].FanOut = "changed", true
	if again, _ := Path(s, "a", "c"); !reflect.DeepEqual(again, want) {
		t.Fatalf("second Path(a, c) = %v, want %v", again, want)
	}
}
