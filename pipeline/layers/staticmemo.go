package layers

import (
	"container/list"
	"sync"

	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// StaticMemo remembers RunStatic's outputs within one run, bounded and
// safe for concurrent use. The layers it covers read no database, so
// their output is a function of the domain, the stack, the principal and
// the intent: a generator that ran them to shape a request and the workers
// that evaluate it (and search states for it) get one computation. The
// outputs are shared: callers must not modify them (RunFrom copies the
// struct and adds the database and release layers). A stack with its own
// Resolver is not memoized (it is not part of the key), nor is an error.
type StaticMemo struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[staticKey]*list.Element
	// hits and misses count lookups (for tests and tuning)
	hits, misses int64
}

type staticKey struct {
	d         *spec.Domain
	stack     Stack
	principal string
	intent    string
}

type staticEntry struct {
	key staticKey
	out observe.Layers
}

// NewStaticMemo returns a memo of at most n outputs (the least recently
// used go first).
func NewStaticMemo(n int) *StaticMemo {
	return &StaticMemo{cap: max(n, 1), ll: list.New(), items: map[staticKey]*list.Element{}}
}

// RunStatic is RunStatic through the memo; a nil memo computes every time.
func (m *StaticMemo) RunStatic(d *spec.Domain, s Stack, principal string, intent []byte) (observe.Layers, error) {
	if m == nil || s.Resolver != nil {
		return RunStatic(d, s, principal, intent)
	}
	k := staticKey{d: d, stack: s, principal: principal, intent: string(intent)}
	m.mu.Lock()
	if e, ok := m.items[k]; ok {
		m.ll.MoveToFront(e)
		m.hits++
		out := e.Value.(*staticEntry).out
		m.mu.Unlock()
		return out, nil
	}
	m.misses++
	m.mu.Unlock()
	out, err := RunStatic(d, s, principal, intent)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[k]; !ok {
		m.items[k] = m.ll.PushFront(&staticEntry{key: k, out: out})
		for m.ll.Len() > m.cap {
			last := m.ll.Back()
			m.ll.Remove(last)
			delete(m.items, last.Value.(*staticEntry).key)
		}
	}
	return out, nil
}

// Counts reports the memo's hits and misses so far.
func (m *StaticMemo) Counts() (hits, misses int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits, m.misses
}
