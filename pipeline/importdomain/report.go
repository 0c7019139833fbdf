package importdomain

import (
	"fmt"
	"strings"
)

// ReportFile is the report's file name in the converted directory.
const ReportFile = "IMPORT_REPORT.txt"

// Report says what the conversion inferred, what it skipped, and what needs
// a person.
type Report struct {
	Source string
	// Inferred are facts the reference files do not state, decided here.
	Inferred []string
	// NeedsPerson are facts that could not be inferred, or inferences a
	// person should confirm before trusting results.
	NeedsPerson []string
	// Skipped are statements and fields read but not converted.
	Skipped []string
}

func (r *Report) infer(format string, a ...any) {
	r.Inferred = append(r.Inferred, fmt.Sprintf(format, a...))
}

func (r *Report) person(format string, a ...any) {
	r.NeedsPerson = append(r.NeedsPerson, fmt.Sprintf(format, a...))
}

func (r *Report) skip(format string, a ...any) {
	r.Skipped = append(r.Skipped, fmt.Sprintf(format, a...))
}

// String renders the report as plain text.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "import-domain report for %s\n", r.Source)
	section := func(title string, items []string) {
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  - %s\n", it)
		}
	}
	section("needs a person", r.NeedsPerson)
	section("inferred", r.Inferred)
	section("not converted", r.Skipped)
	return b.String()
}
