package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	x, y := append([]string{}, a...), append([]string{}, b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, "\x00") == strings.Join(y, "\x00")
}

// diff returns the sorted members of a not in b and of b not in a (a
// member repeated in a is reported as often as it appears). It walks sorted
// copies of the two lists (the lists themselves when already sorted)
// instead of building sets: probes compare hundreds of row keys per task.
func diff(a, b []string) (extra, missing []string) {
	sa, sb := sortedView(a), sortedView(b)
	return absent(sa, sb), absent(sb, sa)
}

// sortedView is xs when sorted, else a sorted copy.
func sortedView(xs []string) []string {
	if sort.StringsAreSorted(xs) {
		return xs
	}
	c := append([]string(nil), xs...)
	sort.Strings(c)
	return c
}

// absent lists the members of sorted xs that sorted ys does not hold.
func absent(xs, ys []string) []string {
	var out []string
	j := 0
	for _, x := range xs {
		for j < len(ys) && ys[j] < x {
			j++
		}
		if j == len(ys) || ys[j] != x {
			out = append(out, x)
		}
	}
	return out
}

func sample(keys []string) string {
	if len(keys) > 5 {
		return strings.Join(keys[:5], ",") + ",..."
	}
	return strings.Join(keys, ",")
}

// digest summarizes rows for a reason string: the row count, the first rows
// and a short content hash.
func digest(rows [][]string) string {
	return fmt.Sprintf("%d rows %s", len(rows), RowsDigest(rows)[:12])
}

// RowsDigest is the sha256 of the rows' canonical text form.
func RowsDigest(rows [][]string) string {
	h := sha256.New()
	for _, r := range rows {
		h.Write([]byte(strings.Join(r, "\x1f")))
		h.Write([]byte{'\x1e'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
