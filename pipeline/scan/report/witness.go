package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/policystrata/policystrata/pipeline/scan"
)

// Witness is the redacted witness of a finding
// (policystrata.finding_witness.v1): SQL becomes its digest and size,
// metadata only its keys.
func Witness(f scan.Finding) map[string]any {
	w := map[string]any{
		"version":             "policystrata.finding_witness.v1",
		"findingId":           f.ID,
		"check":               f.Check,
		"title":               f.Title,
		"reasons":             f.Reasons,
		"severity":            f.Severity,
		"confidence":          f.Confidence,
		"surface":             f.Surface,
		"witnessClass":        f.WitnessClass,
		"evidenceLevel":       f.EvidenceLevel,
		"principal":           f.Principal,
		"semanticIr":          f.SemanticIR,
		"source":              f.Source,
		"mutation":            f.Mutation,
		"mutantStatus":        f.MutantStatus,
		"regressionCase":      f.RegressionCase,
		"owner":               f.Owner,
		"whatChanged":         f.WhatChanged,
		"probableFix":         f.ProbableFix,
		"reproducibleCommand": f.ReproducibleCommand,
		"ciGateCommand":       f.CIGateCommand,
		"location":            f.Location,
	}
	if f.SQL != "" {
		sum := sha256.Sum256([]byte(f.SQL))
		w["sql"] = map[string]any{"sha256": hex.EncodeToString(sum[:]), "bytes": len(f.SQL)}
	} else {
		w["sql"] = nil
	}
	keys := make([]string, 0, len(f.Metadata))
	for k := range f.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w["metadataKeys"] = keys
	return w
}
