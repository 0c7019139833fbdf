package scan

import (
	"crypto/sha256"
	"regexp"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan/source"
)

// Severities, confidences, surfaces, witness classes and evidence levels
// of a finding (the reference's vocabulary).
const (
	SevInfo     = "info"
	SevWarning  = "warning"
	SevHigh     = "high"
	SevCritical = "critical"

	ConfLow    = "low"
	ConfMedium = "medium"
	ConfHigh   = "high"

	ClassClean           = "clean"
	ClassOverPermissive  = "over_permissive"
	ClassOverRestrictive = "over_restrictive"
	ClassLowering        = "lowering_violation"
	ClassSemanticDrift   = "semantic_drift"
	ClassUnsafeRelease   = "unsafe_release"

	EvFixture  = "deterministic_fixture"
	EvProperty = "property_generated"
	EvImported = "imported_trace"
	EvRealDB   = "real_db"
)

// Location is where a finding points in the inputs.
type Location struct {
	// File is relative to the config directory; Line is 1-based (0: none).
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// SQLOffset and SQLLength locate the offending SQL in the trace's sql
	// string (byte offsets; -1 when the whole statement is meant).
	SQLOffset int `json:"sql_offset"`
	SQLLength int `json:"sql_length,omitempty"`
}

// Finding is one scan result. Its JSON field order is alphabetical, as the
// reference writes findings with sorted keys.
type Finding struct {
	CIGateCommand       string         `json:"ci_gate_command"`
	Check               string         `json:"check"`
	Confidence          string         `json:"confidence"`
	EvidenceLevel       string         `json:"evidence_level"`
	ID                  string         `json:"id"`
	Location            *Location      `json:"location,omitempty"`
	Metadata            map[string]any `json:"metadata"`
	MinimalReproTrace   string         `json:"minimal_repro_trace"`
	MutantStatus        string         `json:"mutant_status,omitempty"`
	Mutation            string         `json:"mutation,omitempty"`
	Owner               string         `json:"owner"`
	Principal           string         `json:"principal,omitempty"`
	ProbableFix         string         `json:"probable_fix"`
	Reasons             []string       `json:"reasons"`
	RegressionCase      string         `json:"regression_case"`
	ReproducibleCommand string         `json:"reproducible_command"`
	SemanticIR          *source.IR     `json:"semantic_ir,omitempty"`
	Severity            string         `json:"severity"`
	Source              string         `json:"source,omitempty"`
	SQL                 string         `json:"sql,omitempty"`
	Surface             string         `json:"surface"`
	Title               string         `json:"title"`
	WhatChanged         string         `json:"what_changed"`
	WitnessClass        string         `json:"witness_class"`
	WitnessPath         string         `json:"witness_path"`
}

// Checks: the kind of each finding, the stable part of its id.
const (
	CheckInvalidInput        = "invalid_sql_trace_input"
	CheckMissingRequired     = "missing_required"
	CheckUnknownPrincipal    = "trace_unknown_principal"
	CheckUnsafeRelease       = "unsafe_release"
	CheckReachedSQL          = "unauthorized_trace_reached_sql"
	CheckTenantScope         = "tenant_scope_missing"
	CheckMetricUnobserved    = "metric_expression_unobserved"
	CheckJoinFanout          = "join_fanout"
	CheckTimeWindow          = "time_window_mismatch"
	CheckUnsafeFunction      = "unsafe_sql_function"
	CheckFuzzSurvived        = "fuzz_survived"
	CheckDBT                 = "dbt"
	CheckRealDBDrift         = "real_db_semantic_drift"
	CheckImportedExecError   = "imported_sql_execution_error"
	CheckCanonicalExecError  = "canonical_sql_execution_error"
	CheckDBUnavailable       = "postgres_fixture_unavailable"
	CheckRLSFailed           = "postgres_rls_check_failed"
	CheckRLSError            = "postgres_rls_check_error"
	CheckStateAssertFailed   = "postgres_state_assertion_failed"
	CheckStateAssertError    = "postgres_state_assertion_error"
	CheckUncontainedImported = "uncontained_sql_drift"
)

var idDisallowed = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// SanitizeID makes s a safe identifier as the reference does: disallowed
// runs become `_`, `._-` are trimmed, `f_` is prefixed when it does not
// start with a letter or digit, and the length is capped at 128.
func SanitizeID(s string) string {
	s = idDisallowed.ReplaceAllString(s, "_")
	s = strings.Trim(s, "._-")
	if s == "" || !isAlnum(s[0]) {
		s = "f_" + s
	}
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// uniqueIDs gives duplicate ids the suffixes _2, _3, ... in order. It
// remembers ids by a 16-byte digest, so its memory stays small per id.
type uniqueIDs struct{ seen map[[16]byte]int }

func idKey(id string) [16]byte {
	sum := sha256.Sum256([]byte(id))
	return [16]byte(sum[:16])
}

func (u *uniqueIDs) next(id string) string {
	if u.seen == nil {
		u.seen = map[[16]byte]int{}
	}
	k := idKey(id)
	u.seen[k]++
	n := u.seen[k]
	if n == 1 {
		return id
	}
	for {
		cand := id + "_" + strconv.Itoa(n)
		if len(cand) > 128 {
			cand = id[:128-len(strconv.Itoa(n))-1] + "_" + strconv.Itoa(n)
		}
		if ck := idKey(cand); u.seen[ck] == 0 {
			u.seen[ck] = 1
			return cand
		}
		n++
	}
}

// whatChanged and probableFix are the remediation sentences per class.
var whatChanged = map[string]string{
	ClassClean:           "No policy drift was observed.",
	ClassOverPermissive:  "A layer allowed data the canonical policy denies for this principal.",
	ClassOverRestrictive: "A layer withheld or failed on data the canonical policy allows.",
	ClassLowering:        "The SQL lowering dropped or weakened an obligation of the validated query (the tenant scope).",
	ClassSemanticDrift:   "The SQL computes something other than the governed metric definition.",
	ClassUnsafeRelease:   "The release layer let rows leave for a request the canonical policy denies.",
}

var probableFix = map[string]string{
	ClassClean:           "No remediation required.",
	ClassOverPermissive:  "Deny the request in the validator (metric, dimension, tenant filter, time range, row and cost budgets) before any SQL runs, and add this trace as a regression test.",
	ClassOverRestrictive: "Check the fixture, grants and policy so the allowed request can run, then re-run the scan.",
	ClassLowering:        "Emit the canonical tenant predicate on the tenant column of every tenant-owned table, bound to the principal's tenants under AND from the WHERE root, and keep database row-level security as a second line.",
	ClassSemanticDrift:   "Lower the metric from its governed definition (the aggregate over the metric's expression, on the metric's join path and time column) and add this trace as a regression test.",
	ClassUnsafeRelease:   "Make the release gate withhold results of requests the validator denies, whatever the database returned.",
}

// fixForSurvivor is the remediation of a mutant the checks missed.
var fixForSurvivor = map[string]string{
	MutTenantRemoved:      "Configure tenancy (canonical_predicates or tenant_columns) for every tenant-owned table so a dropped tenant predicate is caught.",
	MutJoinFanout:         "Give the scan the domain's schema (a full domain directory) so one-to-many joins under duplicate-sensitive aggregates are caught.",
	MutTimeShifted:        "Give the domain a calendar and the metric a time_column so shifted time bounds are caught.",
	MutSensitiveDimension: "Review whether this role should read sensitive dimensions; if not, remove them from its allowed_dimensions.",
	MutAliasReplaced:      "Give each metric a distinct expression (or drop the alias) so an alias swap changes the checked aggregate.",
	MutLimitExpanded:      "Lower the role's max_rows or enforce the row budget in the validator.",
	MutReleaseUnsafe:      "Restrict the role's allowed metrics or gate releases on the validator's decision.",
}
