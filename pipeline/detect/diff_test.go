package detect

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// diffBySets is diff's definition: set membership, results sorted.
func diffBySets(a, b []string) (extra, missing []string) {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		inA[x] = true
	}
	for _, x := range b {
		inB[x] = true
	}
	for _, x := range a {
		if !inB[x] {
			extra = append(extra, x)
		}
	}
	for _, x := range b {
		if !inA[x] {
			missing = append(missing, x)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	return extra, missing
}

func TestDiffMatchesSets(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
	}{
		{"both empty", nil, nil},
		{"a empty", nil, []string{"x", "y"}},
		{"b empty", []string{"y", "x"}, nil},
		{"equal", []string{"a", "b"}, []string{"b", "a"}},
		{"disjoint", []string{"c", "a"}, []string{"d", "b"}},
		{"overlap", []string{"t1", "t3", "t2"}, []string{"t2", "t4"}},
		{"duplicates kept", []string{"x", "x", "y"}, []string{"y", "z", "z"}},
		{"duplicate present on both sides", []string{"k", "k"}, []string{"k"}},
		{"empty strings", []string{"", "a"}, []string{""}},
		{"prefixes", []string{"ab", "a", "abc"}, []string{"a", "abcd"}},
	}
	for _, tc := range tests {
		a0, b0 := append([]string(nil), tc.a...), append([]string(nil), tc.b...)
		ge, gm := diff(tc.a, tc.b)
		we, wm := diffBySets(tc.a, tc.b)
		if !reflect.DeepEqual(ge, we) || !reflect.DeepEqual(gm, wm) {
			t.Errorf("%s: diff = %q, %q; want %q, %q", tc.name, ge, gm, we, wm)
		}
		if !reflect.DeepEqual(tc.a, a0) || !reflect.DeepEqual(tc.b, b0) {
			t.Errorf("%s: diff changed its inputs", tc.name)
		}
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("t1,t3,t2", "t2,t4")
	f.Add("x,x,y", "y,z,z")
	f.Add("", ",")
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, b := strings.Split(as, ","), strings.Split(bs, ",")
		ge, gm := diff(a, b)
		we, wm := diffBySets(a, b)
		if !reflect.DeepEqual(ge, we) || !reflect.DeepEqual(gm, wm) {
			t.Fatalf("diff(%q, %q) = %q, %q; want %q, %q", a, b, ge, gm, we, wm)
		}
	})
}
