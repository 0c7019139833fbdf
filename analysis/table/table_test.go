package table

import (
	"bytes"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tb := Table{Name: "x", Caption: "Rates & counts", Align: "lr", Header: []string{"name", "rate"},
		Rows: [][]string{{"`a_b`", "3/4 = 0.750 [0.301, 0.954]"}, {"c|d", "50%"}}, Notes: "Wilson 95%."}
	var md, tex bytes.Buffer
	if err := tb.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := tb.LaTeX(&tex); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| name | rate |", "| --- | ---: |", "| c\\|d | 50% |", "Wilson 95%."} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{`\caption{Rates \& counts}`, `\label{tab:x}`, "\\begin{adjustbox}{max width=\\linewidth}\n\\begin{tabular}{lr}", `\toprule`, `a\_b & 3/4 = 0.750 {[}0.301, 0.954{]} \\`, `c\textbar{}d & 50\% \\`, "\\bottomrule\n\\end{tabular}\n\\end{adjustbox}"} {
		if !strings.Contains(tex.String(), want) {
			t.Errorf("latex lacks %q:\n%s", want, tex.String())
		}
	}
}
