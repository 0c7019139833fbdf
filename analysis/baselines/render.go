package baselines

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/policystrata/policystrata/analysis/stats"
)

// Rate renders an interval as "k/n = r [lo, hi]" ("0/0" when n is 0).
func Rate(i stats.Interval) string {
	if i.N == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", i.K, i.N, i.Rate, i.Lo, i.Hi)
}

// WriteMarkdown renders the report as a Markdown table.
func WriteMarkdown(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Catch rates over %d injected non-equivalent mutants; false positives over %d controls. Intervals: Wilson 95%%; McNemar: exact, b = detector-only catches, c = baseline-only; difference: detector minus baseline, paired bootstrap 95%% (%d resamples, seed %d).\n\n",
		r.Mutants, r.Controls, stats.BootstrapRounds, stats.BootstrapSeed)
	b.WriteString("| comparator | caught | missed | clean-control FP | adversarial FP | McNemar b/c, p | difference [95% CI] |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, row := range append([]Row{r.Detector}, r.Rows...) {
		mc := "n/a"
		diff := "n/a"
		if row.Name != r.Detector.Name {
			mc = fmt.Sprintf("%d/%d, p = %.3g", row.McNemar.B, row.McNemar.C, row.McNemar.P)
			diff = fmt.Sprintf("%+.3f [%+.3f, %+.3f]", row.Diff.Diff, row.Diff.Lo, row.Diff.Hi)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %d | %s | %s | %s | %s |\n", row.Name, Rate(row.Caught), row.Missed,
			Rate(row.CleanFP), Rate(row.AdversarialFP), mc, diff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON renders the report as indented JSON.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
