package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/policystrata/policystrata/pipeline/scan"
)

// rule documents one check for code-scanning tools.
type rule struct {
	name, short, help string
}

// rules are the SARIF rules: one per check, with its help and remediation.
var rules = map[string]rule{
	scan.CheckInvalidInput:       {"InvalidTraceInput", "The imported trace file breaks the trace contract.", "Each line must be a JSON object with a safe id, a principal and one read-only SELECT in sql. The first bad line aborts the scan of every trace; fix the exporter and re-run."},
	scan.CheckMissingRequired:    {"MissingRequiredInput", "An input the gate requires is not configured.", "Configure the input named in gate.required_inputs (dbt files, sql_traces files, a database fixture, state assertions) or drop it from the list."},
	scan.CheckUnknownPrincipal:   {"UnknownPrincipal", "The trace names a principal (or role) the policy does not define.", "Export the principal id your policy uses, or add the principal to policy.yaml. Other checks of the trace are skipped."},
	scan.CheckUnsafeRelease:      {"UnsafeRelease", "Rows of a request the canonical policy denies were released.", "The release gate must withhold results of denied requests whatever the database returned; gate releases on the validator's decision."},
	scan.CheckReachedSQL:         {"UnauthorizedRequestReachedSQL", "A request the canonical policy denies reached the database as SQL.", "Deny the request in the validator (metric, dimensions, tenant filter, time range, row and cost budgets) before any SQL is generated."},
	scan.CheckTenantScope:        {"TenantScopeMissing", "The SQL is not scoped to the principal's tenants.", "Every tenant-owned table must be filtered by the canonical tenant predicate, under AND from the root of its WHERE (or inner join ON) tree, bound to the principal's tenants or a bind placeholder. A tenant id in a comment or string, a legacy column, `<>`, or an OR branch does not scope the query."},
	scan.CheckMetricUnobserved:   {"MetricExpressionUnobserved", "The SQL does not compute the governed metric's aggregate.", "Lower the metric from its governed expression (for example count(distinct support_tickets.id)); mentioning the metric's column without aggregating it is drift."},
	scan.CheckJoinFanout:         {"JoinFanout", "A join repeats the metric's rows under a duplicate-sensitive aggregate.", "Join only along the metric's many-to-one path (child to parent), aggregate before joining one-to-many tables, or use a duplicate-insensitive aggregate."},
	scan.CheckTimeWindow:         {"TimeWindowMismatch", "The SQL's date bounds on the metric's time column differ from the requested time range.", "Compute the time range's window from the domain calendar (as of the trace's timestamp) and bound the metric's time column with it."},
	scan.CheckFuzzSurvived:       {"MutantSurvived", "A generated fault of this trace passed every check.", "A survivor is a gap in the checks for this trace: follow the finding's probable fix (configure tenancy, give the scan a schema or calendar, tighten the role)."},
	scan.CheckDBT:                {"DbtSemanticDrift", "The dbt semantic models disagree with the canonical policy.", "Align metric and dimension names, expressions and sensitive metadata between the dbt semantic models and policy.yaml."},
	scan.CheckRealDBDrift:        {"RealDatabaseDrift", "The imported SQL returns other rows than the canonical SQL on a real database.", "Compare the imported SQL with the canonical SQL in the finding's metadata and fix the lowering."},
	scan.CheckImportedExecError:  {"ImportedSQLExecutionError", "The imported SQL failed on the real database.", "Fix the SQL or the fixture so the authorised request runs."},
	scan.CheckCanonicalExecError: {"CanonicalSQLExecutionError", "The canonical SQL failed on the real database.", "Fix the database fixture so the canonical SQL runs."},
	scan.CheckNotExecuted:        {"ImportedSQLNotExecuted", "The imported SQL was not executed on the database.", "The SQL has bind placeholders whose values the trace does not carry (only placeholders bound to the tenant column take the trace's tenant id): export the bound values or inline them so the scan can compare the SQL with the canonical SQL."},
	scan.CheckDBUnavailable:      {"DatabaseFixtureUnavailable", "The database fixture could not be prepared.", "Start the configured database (or fix admin_url/app_url, schema and seed) and re-run."},
	scan.CheckRLSFailed:          {"RLSCheckFailed", "A row-level-security check saw rows it should not.", "Fix the RLS policy so the app role sees only the session tenant's rows."},
	scan.CheckRLSError:           {"RLSCheckError", "A row-level-security check failed to run.", "Fix the check's SQL or the fixture."},
	scan.CheckStateAssertFailed:  {"StateAssertionFailed", "A state assertion does not hold on the database.", "Fix the fixture, grants or policies so the assertion holds."},
	scan.CheckStateAssertError:   {"StateAssertionError", "A state assertion failed to run.", "Fix the assertion's SQL or the fixture."},
}

// RuleIDs lists the checks that have SARIF rules.
func RuleIDs() []string { return sortedKeys(rules) }

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(sev string) string {
	switch sev {
	case scan.SevHigh, scan.SevCritical:
		return "error"
	case scan.SevWarning:
		return "warning"
	}
	return "note"
}

// SARIF renders the findings as a SARIF 2.1.0 log: one run whose driver
// lists a rule per check (with help and remediation), and per finding a
// result with its rule, level, message and location (the trace file and
// line, with the SQL as the region's snippet), and the full finding as
// properties.
func SARIF(res *scan.Result) ([]byte, error) {
	return SARIFWithRoot(res, "")
}

// SARIFWithRoot is SARIF with artifact URIs prefixed by root (a slash path
// from the repository root to the config directory; "" when the config
// directory is the root).
func SARIFWithRoot(res *scan.Result, root string) ([]byte, error) {
	var b bytes.Buffer
	if err := writeSARIF(&b, res, root, SliceFindings(res.Findings)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// emptyResults is how the log encodes a run without results: the place
// the streamed results go.
const emptyResults = `"results": []`

// writeSARIF writes the SARIF log with the results of src streamed into
// the run (at the nesting depth the library's indented encoding gives
// them).
func writeSARIF(w io.Writer, res *scan.Result, root string, src Findings) error {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	run := sarif.NewRunWithInformationURI("PolicyStrata", "https://github.com/policystrata/policystrata")
	index := map[string]int{}
	for i, id := range RuleIDs() {
		r := rules[id]
		run.Tool.Driver.AddRule(sarif.NewRule(id).WithName(r.name).WithDescription(r.short).
			WithFullDescription(sarif.NewMultiformatMessageString(r.short + " " + r.help)).
			WithTextHelp(r.help).WithMarkdownHelp("**" + r.short + "**\n\n" + r.help))
		index[id] = i
	}
	run.Results = []*sarif.Result{}
	log.AddRun(run)
	var buf bytes.Buffer
	if err := log.PrettyWrite(&buf); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	head, tail, ok := bytes.Cut(buf.Bytes(), []byte(emptyResults))
	if !ok {
		return fmt.Errorf("write sarif: the run has no results array")
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	io.WriteString(w, `"results": `)
	var ferr error
	err = writeArray(w, src, 3, true, func(f *scan.Finding) any {
		r, err := sarifResult(f, index, root)
		if err != nil && ferr == nil {
			ferr = err
		}
		return r
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	_, err = w.Write(tail)
	return err
}

// sarifResult is the SARIF result of one finding.
func sarifResult(f *scan.Finding, index map[string]int, root string) (*sarif.Result, error) {
	check := f.Check
	if _, ok := rules[check]; !ok {
		check = scan.CheckDBT
	}
	msg := f.Title
	if len(f.Reasons) > 0 {
		msg += ": " + strings.Join(f.Reasons, "; ")
	}
	r := sarif.NewRuleResult(check).WithRuleIndex(index[check]).WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(msg))
	if f.Location != nil && f.Location.File != "" {
		region := sarif.NewRegion().WithStartLine(max(f.Location.Line, 1))
		if f.SQL != "" {
			region.WithSnippet(sarif.NewArtifactContent().WithText(snippet(f.SQL, f.Location.SQLOffset)))
		}
		uri := f.Location.File
		if root != "" {
			uri = path.Join(root, uri)
		}
		r.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri)).WithRegion(region)))
	}
	props, err := asProperties(*f)
	if err != nil {
		return nil, err
	}
	r.PropertyBag = sarif.PropertyBag{Properties: props}
	r.PartialFingerprints = map[string]interface{}{"policystrataFindingId/v1": f.ID}
	return r, nil
}

// snippet is the SQL from offset (the offending part), or all of it.
func snippet(sql string, offset int) string {
	if offset > 0 && offset < len(sql) {
		return sql[offset:]
	}
	return sql
}

func asProperties(f scan.Finding) (sarif.Properties, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("write sarif: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("write sarif: %w", err)
	}
	return m, nil
}
