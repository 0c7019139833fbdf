package scan

import (
	"fmt"
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/scan/dbtsemantic"
)

// inspectDBT inspects each configured dbt semantic-model file against the
// policy and turns every disagreement into a finding (reference stage 2).
func (c *Checker) inspectDBT() ([]Finding, error) {
	var out []Finding
	for _, file := range c.Config.DBT.Files {
		f, err := dbtsemantic.Load(filepath.Join(c.Config.Dir, file))
		if err != nil {
			return nil, err
		}
		in := dbtsemantic.Inspect(c.Domain.Name, file, c.Domain.Policy, f)
		add := func(id, title, sev, conf, surface, class, reason string) {
			fd := Finding{
				Check: CheckDBT, ID: SanitizeID(id), Title: title, Severity: sev, Confidence: conf,
				Surface: surface, Owner: surface, WitnessClass: class, EvidenceLevel: EvImported,
				RegressionCase: "unclassified", Source: file, Reasons: []string{reason},
				CIGateCommand: c.command, ReproducibleCommand: c.command,
				Location: &Location{File: file, SQLOffset: -1}, Metadata: map[string]any{"dbt_file": file},
			}
			fd.WhatChanged = "The dbt semantic layer and the canonical policy disagree."
			fd.ProbableFix = "Align the dbt semantic models with policy.yaml (metric and dimension names, measure expressions, meta.policystrata.sensitive on sensitive dimensions)."
			out = append(out, fd)
		}
		for _, m := range in.MissingMetrics {
			add("dbt_missing_policy_metric_"+m, fmt.Sprintf("dbt does not serve policy metric %s", m), SevWarning, ConfMedium, "manifest", ClassOverPermissive, fmt.Sprintf("no dbt metric or measure is named %s", m))
		}
		for _, m := range in.StaleMetrics {
			add("dbt_stale_metric_"+m, fmt.Sprintf("dbt declares metric %s the policy does not govern", m), SevWarning, ConfMedium, "manifest", ClassOverPermissive, fmt.Sprintf("metric %s is declared in dbt but not in the policy", m))
		}
		for _, d := range in.MissingDimensions {
			add("dbt_missing_policy_dimension_"+d, fmt.Sprintf("dbt does not serve policy dimension %s", d), SevWarning, ConfMedium, "manifest", ClassOverPermissive, fmt.Sprintf("no dbt dimension or entity resolves to %s", d))
		}
		for _, d := range in.StaleDimensions {
			add("dbt_stale_dimension_"+d, fmt.Sprintf("dbt declares dimension %s the policy does not govern", d), SevWarning, ConfMedium, "manifest", ClassOverPermissive, fmt.Sprintf("dimension %s is declared in dbt but not in the policy", d))
		}
		for _, d := range in.SensitiveMetadataMissing {
			add("dbt_sensitive_metadata_missing_"+d, fmt.Sprintf("dbt dimension %s lacks sensitive metadata", d), SevWarning, ConfMedium, "manifest", ClassOverPermissive, fmt.Sprintf("the policy marks %s sensitive; dbt has no meta.sensitive or meta.policystrata.sensitive: true", d))
		}
		for _, m := range in.MissingLineage {
			add("dbt_missing_lineage_"+m, fmt.Sprintf("dbt semantic model %s has no model lineage", m), SevInfo, ConfLow, "manifest", ClassClean, fmt.Sprintf("semantic model %s has no model: ref(...)", m))
		}
		for _, mm := range in.ExpressionMismatches {
			add("dbt_expression_mismatch_"+mm.Metric, fmt.Sprintf("dbt measure for %s disagrees with the policy expression", mm.Metric), SevWarning, ConfMedium, "compiler", ClassSemanticDrift, fmt.Sprintf("dbt expression %q does not match policy expression %q", mm.DBTExpression, mm.PolicyExpression))
		}
	}
	return out, nil
}
