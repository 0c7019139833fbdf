package raigo

// The detectors' prefilters are literals that must occur in the ASCII-
// lowercased text before a pattern's regular expression is worth running.
// All literals are found in one pass with an Aho-Corasick automaton, built
// once at package initialisation, so that an evaluation scans its text once
// however many patterns there are.

// litSet is a bit set of literal ids.
type litSet [4]uint64

func (s *litSet) add(id int) { s[id>>6] |= 1 << (id & 63) }

func (s *litSet) intersects(o *litSet) bool {
	return s[0]&o[0] != 0 || s[1]&o[1] != 0 || s[2]&o[2] != 0 || s[3]&o[3] != 0
}

func (s *litSet) union(o *litSet) { s[0] |= o[0]; s[1] |= o[1]; s[2] |= o[2]; s[3] |= o[3] }

func (s *litSet) empty() bool { return s[0]|s[1]|s[2]|s[3] == 0 }

const maxLiterals = 256

// literalMatcher is an Aho-Corasick automaton over lowercase ASCII literals,
// compiled into a dense transition table over byte classes.
type literalMatcher struct {
	ids     map[string]int
	class   [256]uint8
	classes int
	delta   []uint16 // state*classes + class -> state
	out     []litSet // literals ending at state (fail links folded in)
}

// literalIndex collects the literals while the detector tables are built.
type literalIndex struct {
	ids  map[string]int
	list []string
}

func (x *literalIndex) id(lit string) int {
	if id, ok := x.ids[lit]; ok {
		return id
	}
	if len(x.list) == maxLiterals {
		panic("raigo: too many detector literals")
	}
	x.ids[lit] = len(x.list)
	x.list = append(x.list, lit)
	return x.ids[lit]
}

// build compiles the automaton for the collected literals.
func (x *literalIndex) build() *literalMatcher {
	m := &literalMatcher{ids: x.ids, classes: 1}
	for _, lit := range x.list {
		for i := 0; i < len(lit); i++ {
			if m.class[lit[i]] == 0 {
				m.class[lit[i]] = uint8(m.classes)
				m.classes++
			}
		}
	}
	// Trie.
	type node struct {
		next map[uint8]int
		fail int
		out  litSet
	}
	nodes := []node{{next: map[uint8]int{}}}
	for id, lit := range x.list {
		s := 0
		for i := 0; i < len(lit); i++ {
			c := m.class[lit[i]]
			n, ok := nodes[s].next[c]
			if !ok {
				n = len(nodes)
				nodes = append(nodes, node{next: map[uint8]int{}})
				nodes[s].next[c] = n
			}
			s = n
		}
		nodes[s].out.add(id)
	}
	// Breadth-first fail links and dense transitions.
	m.delta = make([]uint16, len(nodes)*m.classes)
	m.out = make([]litSet, len(nodes))
	queue := []int{}
	for c := 1; c < m.classes; c++ {
		if n, ok := nodes[0].next[uint8(c)]; ok {
			m.delta[c] = uint16(n)
			queue = append(queue, n)
		}
	}
	m.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		m.out[s] = nodes[s].out
		m.out[s].union(&m.out[f])
		for c := 1; c < m.classes; c++ {
			if n, ok := nodes[s].next[uint8(c)]; ok {
				nodes[n].fail = int(m.delta[f*m.classes+c])
				m.delta[s*m.classes+c] = uint16(n)
				queue = append(queue, n)
			} else {
				m.delta[s*m.classes+c] = m.delta[f*m.classes+c]
			}
		}
	}
	return m
}

// scan returns the set of literals occurring in text.
func (m *literalMatcher) scan(text []byte) litSet {
	var found litSet
	s := 0
	for _, b := range text {
		s = int(m.delta[s*m.classes+int(m.class[b])])
		if o := &m.out[s]; !o.empty() {
			found.union(o)
		}
	}
	return found
}
