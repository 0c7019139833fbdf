package oracle

import (
	"math"
	"strconv"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// measure is a metric's declared semantics resolved to column indexes of
// its table: what is aggregated, which rows count, and the sample.
type measure struct {
	kind string
	// mi is the measure column; wi the where column (-1: none), which must
	// be true, or equal equals when that is set.
	mi, wi int
	equals string
	// si is the sample key column (-1: not sampled); fraction the share of
	// the hash space kept and scale the factor the aggregate is scaled by.
	si       int
	fraction float64
	scale    int64
}

func (o *Oracle) col(t *state.Table, qualified string) int {
	_, c, _ := spec.SplitQualified(qualified)
	return t.Col(c)
}

func (o *Oracle) measureOf(m *spec.Metric, t *state.Table) measure {
	out := measure{kind: m.Aggregate, mi: o.col(t, m.Measure), wi: -1, equals: m.WhereEquals, si: -1, scale: 1}
	if m.Where != "" {
		out.wi = o.col(t, m.Where)
	}
	if m.Sample > 0 {
		out.si = t.Col(o.d.Schema.Table(m.Table).SampleBy)
		// a sample of 1/n is scaled back by n (n rounded to a whole number)
		out.fraction, out.scale = m.Sample, int64(math.Round(1/m.Sample))
	}
	return out
}

// sampled reports whether row is in the metric's sample (every row of an
// unsampled metric is).
func (ms measure) sampled(row []any) bool {
	if ms.si < 0 {
		return true
	}
	k, ok := row[ms.si].(int64)
	return ok && InSample(k, ms.fraction)
}

// counts reports whether row passes the metric's where condition.
func (ms measure) counts(row []any) bool {
	if ms.wi < 0 {
		return true
	}
	if ms.equals != "" {
		return row[ms.wi] != nil && key(row[ms.wi]) == ms.equals
	}
	b, _ := row[ms.wi].(bool)
	return b
}

// apply aggregates the measure of rows that pass the where condition (SQL
// FILTER semantics), scaled by the sample factor. NULL measures are
// skipped; an empty sum or average is NULL, an empty count is 0.
func (ms measure) apply(t *state.Table, rows []int) string {
	var sum int64
	var fsum float64
	n := 0
	distinct := map[string]bool{}
	for _, r := range rows {
		row := t.Rows[r]
		if !ms.counts(row) {
			continue
		}
		v := row[ms.mi]
		if v == nil {
			continue
		}
		n++
		distinct[key(v)] = true
		if x, ok := v.(int64); ok {
			sum += x
			fsum += float64(x)
		}
	}
	switch ms.kind {
	case "count":
		return strconv.FormatInt(int64(n)*ms.scale, 10)
	case "count_distinct":
		return strconv.FormatInt(int64(len(distinct))*ms.scale, 10)
	case "sum":
		if n == 0 {
			return "NULL"
		}
		return strconv.FormatInt(sum*ms.scale, 10)
	case "avg":
		if n == 0 {
			return "NULL"
		}
		return key(fsum / float64(n))
	}
	return "NULL"
}

// distinctCount counts the distinct non-NULL values of column ci in rows.
func distinctCount(t *state.Table, rows []int, ci int) string {
	seen := map[string]bool{}
	for _, r := range rows {
		if v := t.Rows[r][ci]; v != nil {
			seen[key(v)] = true
		}
	}
	return strconv.Itoa(len(seen))
}

// SampleHash32 is the oracle's own implementation of the SAMPLE key hash
// the engines' sampleHash32 macro computes: Knuth's multiplicative hash,
// key * 2654435761 mod 2^32.
func SampleHash32(k int64) uint64 {
	return (uint64(k) * 2654435761) % (1 << 32)
}

// InSample reports whether a row with sample key k is in a SAMPLE of
// fraction: its hash falls in the lowest fraction of the 32-bit range.
func InSample(k int64, fraction float64) bool {
	return float64(SampleHash32(k)) < fraction*(1<<32)
}
