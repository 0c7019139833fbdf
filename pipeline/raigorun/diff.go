package raigorun

import "strings"

// lineDiff compares two texts, old and cur, line by line (longest common subsequence) and
// returns the changed lines prefixed "- " (only in old) and "+ " (only in cur),
// each change with one unchanged line of context ("  ") on either side and
// "  ..." between distant changes. It returns "" when the texts are equal.
func lineDiff(old, cur string) string {
	if old == cur {
		return ""
	}
	x := strings.Split(strings.TrimSuffix(old, "\n"), "\n")
	y := strings.Split(strings.TrimSuffix(cur, "\n"), "\n")
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte // ' ', '-', '+'
		text string
	}
	var ops []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, line{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, line{'-', x[i]})
			i++
		default:
			ops = append(ops, line{'+', y[j]})
			j++
		}
	}
	keep := make([]bool, len(ops))
	for k, op := range ops {
		if op.op != ' ' {
			for c := max(k-1, 0); c <= min(k+1, len(ops)-1); c++ {
				keep[c] = true
			}
		}
	}
	var b strings.Builder
	gap := false
	for k, op := range ops {
		if !keep[k] {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteString("  ...\n")
		}
		gap = false
		b.WriteByte(op.op)
		b.WriteByte(' ')
		b.WriteString(op.text)
		b.WriteByte('\n')
	}
	return b.String()
}
