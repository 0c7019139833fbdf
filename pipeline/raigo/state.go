package raigo

import (
	"bytes"
	"sync"
	"unicode/utf8"
)

// evalState is the per-evaluation scratch space: the matched text, its
// lowercase forms computed at most once, digit statistics and memoised
// detector answers. States are pooled.
type evalState struct {
	ctx  map[string]any
	text string // prompt and content, non-empty ones joined with a space

	flags  uint8
	lower  []byte // ASCII-lowercased text (detectors)
	ulower []byte // Unicode-lowercased text (keywords), aliases lower when text is ASCII
	maxRun int    // longest run of ASCII digits
	nDig   int    // number of ASCII digits

	done, hits detectorSet
	lits       litSet // detector literals present in lower
	buf        []byte
}

const (
	flagLower uint8 = 1 << iota
	flagULower
	flagDigits
	flagLiterals
)

var statePool = sync.Pool{New: func() any { return &evalState{buf: make([]byte, 0, 512)} }}

func newState(in *Input) *evalState {
	s := statePool.Get().(*evalState)
	s.ctx = in.Context
	switch {
	case in.Prompt != "" && in.Content != "":
		s.text = in.Prompt + " " + in.Content
	case in.Prompt != "":
		s.text = in.Prompt
	default:
		s.text = in.Content
	}
	s.flags, s.done, s.hits = 0, 0, 0
	return s
}

func (s *evalState) release() {
	s.ctx, s.text, s.lower, s.ulower = nil, "", nil, nil
	if cap(s.buf) > 1<<16 {
		s.buf = make([]byte, 0, 512)
	}
	statePool.Put(s)
}

// lowerText returns the text with ASCII letters lowercased.
func (s *evalState) lowerText() []byte {
	if s.flags&flagLower == 0 {
		b := append(s.buf[:0], s.text...)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + ('a' - 'A')
			}
		}
		s.buf, s.lower = b, b
		s.flags |= flagLower
	}
	return s.lower
}

// unicodeLowerText returns the text lowercased as JavaScript's
// toLowerCase would (for keyword matching).
func (s *evalState) unicodeLowerText() []byte {
	if s.flags&flagULower == 0 {
		lower := s.lowerText()
		s.ulower = lower
		for _, c := range lower {
			if c >= utf8.RuneSelf {
				s.ulower = bytes.ToLower([]byte(s.text))
				break
			}
		}
		s.flags |= flagULower
	}
	return s.ulower
}

// digitStats returns the longest run of ASCII digits and their count.
func (s *evalState) digitStats() (maxRun, count int) {
	if s.flags&flagDigits == 0 {
		run := 0
		s.maxRun, s.nDig = 0, 0
		for i := 0; i < len(s.text); i++ {
			if c := s.text[i]; '0' <= c && c <= '9' {
				run++
				s.nDig++
				if run > s.maxRun {
					s.maxRun = run
				}
			} else {
				run = 0
			}
		}
		s.flags |= flagDigits
	}
	return s.maxRun, s.nDig
}

// literalsFound returns the detector literals occurring in the lowercased
// text, scanning it once.
func (s *evalState) literalsFound() *litSet {
	if s.flags&flagLiterals == 0 {
		s.lits = literals.scan(s.lowerText())
		s.flags |= flagLiterals
	}
	return &s.lits
}
