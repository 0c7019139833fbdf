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

// diff returns the sorted members of a not in b and of b not in a.
func diff(a, b []string) (extra, missing []string) {
	inB := map[string]bool{}
	for _, x := range b {
		inB[x] = true
	}
	inA := map[string]bool{}
	for _, x := range a {
		inA[x] = true
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
