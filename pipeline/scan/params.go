package scan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
)

// CheckNotExecuted is the info finding of an authorised trace whose SQL
// the database stage could not run: it has bind placeholders whose values
// the trace does not carry.
const CheckNotExecuted = "imported_sql_not_executed"

// NotExecutedBindParameters is the Summary.NotExecuted reason of such a
// trace.
const NotExecutedBindParameters = "bind_parameters"

// bindTenantParameters returns the trace's SQL ready to execute: each bind
// placeholder that the tenant-scope check accepted as the tenant binding
// (the trace carries raw tenant ids, which are the values the application
// bound) replaced by the quoted tenant. ok is false, with the reason, when
// another placeholder remains: the trace carries no value for it.
func bindTenantParameters(tr *source.Trace, st *sqlast.Statement, ev *evaluation, tenant string) (sql string, reason string, ok bool) {
	offsets := sqlast.PlaceholderOffsets(tr.SQL)
	// paramAt is the offset of a PARAMETER node (DuckDB numbers them in
	// text order from 1), -1 when unknown
	paramAt := func(n sqlast.Node) int {
		k, err := strconv.Atoi(sqlast.Str(n, "identifier"))
		if err != nil || k < 1 || k > len(offsets) {
			return -1
		}
		return offsets[k-1]
	}
	var all []int
	sqlast.Walk(st.Root, func(n sqlast.Node) bool {
		if sqlast.Class(n) == "PARAMETER" {
			all = append(all, paramAt(n))
		}
		return true
	})
	if len(all) == 0 {
		return tr.SQL, "", true
	}
	var tenantParams []int
	for _, b := range ev.Scope.Bound {
		sqlast.Walk(b, func(n sqlast.Node) bool {
			if sqlast.Class(n) == "PARAMETER" {
				tenantParams = append(tenantParams, paramAt(n))
			}
			return true
		})
	}
	var unbound []string
	for _, loc := range all {
		if loc < 0 || loc >= len(tr.SQL) {
			unbound = append(unbound, "a placeholder the parser did not number in order")
			continue
		}
		if !slices.Contains(tenantParams, loc) {
			unbound = append(unbound, fmt.Sprintf("%s at offset %d", tr.SQL[loc:placeholderEnd(tr.SQL, loc)], loc))
		}
	}
	if len(unbound) > 0 {
		return "", fmt.Sprintf("the SQL has %d bind placeholder(s) whose values the trace does not carry (%s); only placeholders bound to the tenant column take the trace's tenant id, so the statement was not executed", len(unbound), strings.Join(unbound, ", ")), false
	}
	slices.Sort(all)
	all = slices.Compact(all)
	out := tr.SQL
	lit := "'" + strings.ReplaceAll(tenant, "'", "''") + "'"
	for i := len(all) - 1; i >= 0; i-- {
		loc := all[i]
		out = out[:loc] + lit + out[placeholderEnd(tr.SQL, loc):]
	}
	return out, "", true
}

// placeholderEnd is the end of the placeholder starting at loc in text:
// NormalizePlaceholders replaced it with `?` and spaces of the same
// length, so the placeholder spans the padding over non-space text.
func placeholderEnd(text string, loc int) int {
	prepared := sqlast.NormalizePlaceholders(text)
	end := loc + 1
	for end < len(text) && prepared[end] == ' ' && text[end] != ' ' {
		end++
	}
	return end
}

// notExecutedFinding is the info finding of a trace not executed.
func (c *Checker) notExecutedFinding(tr *source.Trace, reason string) Finding {
	f := c.dbFinding(CheckNotExecuted, CheckNotExecuted+"_"+tr.ID, fmt.Sprintf("SQL of %s was not executed on the database", tr.ID), SevInfo, ConfHigh, ClassClean,
		[]string{reason}, tr.RegressionCase, map[string]any{"reason": NotExecutedBindParameters})
	f.Location, f.SQL, f.Principal, f.Source, f.SemanticIR = &Location{File: tr.File, Line: tr.Line, SQLOffset: -1}, tr.SQL, tr.Principal, tr.Source, normalizedIR(tr.IR)
	f.WhatChanged = "The real-database comparison did not run for this trace: its SQL needs bind values the trace does not carry."
	f.ProbableFix = "Export the bound values with the trace (or inline them), or scope the statement with a tenant placeholder only, so the scan can run it beside the canonical SQL."
	return f
}
