// Package layers implements the six layers of an LLM data-agent stack as real
// code with observable output, each in several variants: the correct v7
// implementation and faulty variants that reproduce real drift (a manifest
// that still advertises retired aliases, a compiler that drops the tenant
// predicate, secure views that test the old ownership column, ...). A variant
// is selected by name; what it does downstream is whatever really happens.
package layers

import (
	"fmt"
	"sort"

	"github.com/policystrata/policystrata/pipeline/resolve"
)

// Correct is the variant name of every layer's correct implementation.
const Correct = "v7"

// Stack selects one variant per surface.
type Stack struct {
	Manifest  string `json:"manifest"`
	Grammar   string `json:"grammar"`
	Validator string `json:"validator"`
	Compiler  string `json:"compiler"`
	Database  string `json:"database"`
	Release   string `json:"release"`
	// Resolver is the name and join resolution every layer of the stack
	// uses; nil means resolve.Standard (the correct one). It is not part
	// of a stack's identity in traces.
	Resolver resolve.Resolver `json:"-"`
}

// resolver is the stack's Resolver, resolve.Standard when unset.
func (s Stack) resolver() resolve.Resolver { return resolve.Or(s.Resolver) }

// CorrectStack is the all-v7 stack.
func CorrectStack() Stack {
	return Stack{Manifest: Correct, Grammar: Correct, Validator: Correct, Compiler: Correct, Database: Correct, Release: Correct}
}

// With returns a copy of s with surface set to variant.
func (s Stack) With(surface, variant string) (Stack, error) {
	if !knows(surface, variant) {
		return s, fmt.Errorf("unknown %s variant %q", surface, variant)
	}
	switch surface {
	case "manifest":
		s.Manifest = variant
	case "grammar":
		s.Grammar = variant
	case "validator":
		s.Validator = variant
	case "compiler":
		s.Compiler = variant
	case "database":
		s.Database = variant
	case "release":
		s.Release = variant
	default:
		return s, fmt.Errorf("unknown surface %q", surface)
	}
	return s, nil
}

// Get returns the variant selected for surface.
func (s Stack) Get(surface string) string {
	switch surface {
	case "manifest":
		return s.Manifest
	case "grammar":
		return s.Grammar
	case "validator":
		return s.Validator
	case "compiler":
		return s.Compiler
	case "database":
		return s.Database
	case "release":
		return s.Release
	}
	return ""
}

// variants lists each surface's implemented variants.
var variants = map[string][]string{
	"manifest":  {Correct, ManifestStaleAliases},
	"grammar":   {Correct, GrammarAllDimensions, GrammarDropFilters},
	"validator": {Correct, ValidatorSkipSensitive, ValidatorAliasSkipsRole, ValidatorTrustIntentLimit, ValidatorIgnoreTimeRange},
	"compiler": {Correct, CompilerDropTenant, CompilerLegacyTenantKey, CompilerMetricByTable,
		CompilerEagerContextJoin, CompilerCalendarForFiscal, CompilerIgnoreExpansion, CompilerSwapTenantAccount,
		CompilerRemoveDistinct, CompilerInnerJoinOptional, CompilerOrFilters, CompilerDropTimeForMonth,
		CompilerUTCBuckets, CompilerUniqAsCount, CompilerRollup},
	"database": {Correct, DatabaseLegacyOwnership, DatabaseTableGrants, DatabaseMissingDeepPolicies,
		DatabasePolicyWithoutTenant, DatabaseNonReadonlyRole, DatabaseRemoteShards},
	"release": {Correct, ReleaseFailOpen, ReleaseIgnoreCohort, ReleaseDropDisclosure},
}

// Variants lists the variants implemented for surface, sorted.
func Variants(surface string) []string {
	out := append([]string{}, variants[surface]...)
	sort.Strings(out)
	return out
}

func knows(surface, variant string) bool {
	for _, v := range variants[surface] {
		if v == variant {
			return true
		}
	}
	return false
}
