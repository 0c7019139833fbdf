package raigorun

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Mutator rewrites a prompt the way an adversary or a sloppy user might,
// keeping its meaning for a human reader.
type Mutator struct {
	// Name identifies the mutator in reports: case, spacing, punctuation,
	// homoglyph, zero_width, leetspeak, filler, synonym.
	Name  string
	apply func(r *rand.Rand, s string) string
}

// Mutators lists the fuzz mutators in the order variants cycle through
// them.
func Mutators() []Mutator {
	return append([]Mutator(nil), mutators...)
}

var mutators = []Mutator{
	{"case", mutateCase},
	{"spacing", mutateSpacing},
	{"punctuation", mutatePunctuation},
	{"homoglyph", mutateHomoglyph},
	{"zero_width", mutateZeroWidth},
	{"leetspeak", mutateLeet},
	{"filler", mutateFiller},
	{"synonym", mutateSynonym},
}

// Variant is one fuzzed rewrite of a case's prompt and its outcome.
type Variant struct {
	// Index counts a case's variants from 1.
	Index int `json:"index"`
	// Mutations names the mutators applied, in order.
	Mutations []string `json:"mutations"`
	Prompt    string   `json:"prompt"`
	// Action and RuleID are the variant's final action (test vocabulary)
	// and representative rule.
	Action string `json:"action"`
	RuleID string `json:"rule_id,omitempty"`
	// Diverged is true when the action differs from the original's.
	Diverged bool `json:"diverged"`
}

// variantRand is the deterministic generator of one variant: it depends on
// the seed, the suite's name, the case's position and label and the
// variant's index only (never on the worker that runs it or the paths the
// run was started with).
func variantRand(seed uint64, suite string, caseIndex int, label string, variant int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(suite))
	h.Write([]byte{0})
	h.Write([]byte(label))
	k := h.Sum64()
	return rand.New(rand.NewPCG(seed^k, uint64(caseIndex)<<32|uint64(variant)))
}

// FuzzPrompt returns the n-th variant (from 1) of prompt and the mutators
// applied. Variant n starts with mutator (n-1) mod len(Mutators), so that
// every mutator is used before any repeats; variants past the first round
// add a second, random mutator. A mutator that leaves the prompt unchanged
// (a synonym with no known word, say) is replaced by the next one.
func FuzzPrompt(r *rand.Rand, prompt string, n int) (string, []string) {
	count := 1
	if n > len(mutators) {
		count = 2
	}
	out := prompt
	var names []string
	start := (n - 1) % len(mutators)
	for k := 0; k < count; k++ {
		if k > 0 {
			start = r.IntN(len(mutators))
		}
		for j := 0; j < len(mutators); j++ {
			m := mutators[(start+j)%len(mutators)]
			if next := m.apply(r, out); next != out {
				out = next
				names = append(names, m.Name)
				break
			}
		}
	}
	return out, names
}

func mutateCase(r *rand.Rand, s string) string {
	switch r.IntN(4) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	case 2:
		prev := ' '
		return strings.Map(func(c rune) rune {
			defer func() { prev = c }()
			if unicode.IsSpace(prev) {
				return unicode.ToUpper(c)
			}
			return unicode.ToLower(c)
		}, s)
	}
	return strings.Map(func(c rune) rune {
		if r.IntN(2) == 0 {
			return unicode.ToUpper(c)
		}
		return unicode.ToLower(c)
	}, s)
}

// spaces are the separators spacing uses: doubled space, tab, newline and
// the no-break space.
var spaces = []string{"  ", "\t", "\n", "\u00a0"}

func mutateSpacing(r *rand.Rand, s string) string {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return s
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString(spaces[r.IntN(len(spaces))])
		}
		b.WriteString(f)
	}
	return b.String()
}

// punctuation is what the punctuation mutator adds and strips: sentence
// punctuation only, never the "-", "/" or "$" that carry meaning in
// commands and amounts.
const punctuation = ".,!?;:"

func mutatePunctuation(r *rand.Rand, s string) string {
	stripped := strings.Map(func(c rune) rune {
		if strings.ContainsRune(punctuation+`"'`, c) {
			return -1
		}
		return c
	}, s)
	if stripped != s && r.IntN(2) == 0 {
		return stripped
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return s
	}
	for k := 1 + r.IntN(3); k > 0; k-- {
		i := r.IntN(len(fields))
		fields[i] += string(punctuation[r.IntN(len(punctuation))])
	}
	return strings.Join(fields, " ")
}

// homoglyphs maps Latin letters to Cyrillic look-alikes.
var homoglyphs = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 's': 'ѕ', 'x': 'х', 'y': 'у',
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х',
}

// replaceSome replaces up to k randomly chosen runes for which sub has a
// replacement.
func replaceSome(r *rand.Rand, s string, k int, sub func(rune) (rune, bool)) string {
	runes := []rune(s)
	var at []int
	for i, c := range runes {
		if _, ok := sub(c); ok {
			at = append(at, i)
		}
	}
	r.Shuffle(len(at), func(i, j int) { at[i], at[j] = at[j], at[i] })
	for _, i := range at[:min(k, len(at))] {
		runes[i], _ = sub(runes[i])
	}
	return string(runes)
}

func mutateHomoglyph(r *rand.Rand, s string) string {
	return replaceSome(r, s, 1+r.IntN(3), func(c rune) (rune, bool) {
		h, ok := homoglyphs[c]
		return h, ok
	})
}

// zeroWidth are the invisible characters zero_width inserts.
var zeroWidth = []rune{'\u200b', '\u200c', '\u200d', '\u2060'}

func mutateZeroWidth(r *rand.Rand, s string) string {
	runes := []rune(s)
	var at []int // positions between two letters
	for i := 1; i < len(runes); i++ {
		if unicode.IsLetter(runes[i-1]) && unicode.IsLetter(runes[i]) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	r.Shuffle(len(at), func(i, j int) { at[i], at[j] = at[j], at[i] })
	at = at[:min(1+r.IntN(3), len(at))]
	var b strings.Builder
	for i, c := range runes {
		for _, p := range at {
			if p == i {
				b.WriteRune(zeroWidth[r.IntN(len(zeroWidth))])
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

var leet = map[rune]rune{'a': '4', 'e': '3', 'i': '1', 'o': '0', 's': '5', 't': '7'}

func mutateLeet(r *rand.Rand, s string) string {
	return replaceSome(r, s, 1+r.IntN(4), func(c rune) (rune, bool) {
		l, ok := leet[unicode.ToLower(c)]
		return l, ok
	})
}

// fillers are the phrases filler inserts between words.
var fillers = []string{"please", "kindly", "um,", "by the way,", "just quickly,", "for a school project,",
	"hypothetically,", "as discussed,"}

func mutateFiller(r *rand.Rand, s string) string {
	fields := strings.Fields(s)
	i := r.IntN(len(fields) + 1)
	out := append(append(append([]string{}, fields[:i]...), fillers[r.IntN(len(fillers))]), fields[i:]...)
	return strings.Join(out, " ")
}
