package layers

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Applicable reports whether the fault of layer variant can exist in
// domain d at all: a variant that rewrites a structure the domain does not
// have (a legacy tenant key, a fiscal calendar distinct from the calendar,
// materialized views, ...) has nothing to act on. The error says why; the
// operator is then inapplicable to the domain (accounted as invalid, never
// generated), not a bad input and not an equivalent mutant. The correct
// variant applies everywhere.
func Applicable(variant string, d *spec.Domain) error {
	p, s := d.Policy, d.Schema
	ten := p.Tenancy
	none := func(format string, a ...any) error { return fmt.Errorf(format, a...) }
	switch variant {
	case CompilerLegacyTenantKey, DatabaseLegacyOwnership:
		if ten.LegacyColumn == "" || ten.LegacyKey == "" {
			return none("the domain's tenancy declares no legacy_column and legacy_key: there is no pre-migration tenant column to scope on")
		}
	case CompilerCalendarForFiscal:
		if p.Calendar.FiscalMonthStartDay <= 1 {
			return none("fiscal months start on day 1: the fiscal calendar is the calendar one, so lowering fiscal ranges with calendar months changes nothing")
		}
	case DatabaseMissingDeepPolicies:
		deep := false
		for _, t := range s.Tables {
			if chain, err := resolve.OwnerChain(s, t.Name, ten.Table); err == nil && len(chain) >= 3 {
				deep = true
			}
		}
		if !deep {
			return none("no table is three or more ownership steps from %s: there is no later table left without a policy", ten.Table)
		}
	case CompilerUTCBuckets:
		if ten.Timezone == "" {
			return none("the tenancy declares no time zone: buckets are already UTC days")
		}
	case CompilerRollup:
		if !hasTable(s, func(t *spec.Table) bool { return t.MaterializedView != nil }) {
			return none("the schema has no materialized view to answer from")
		}
	case DatabaseRemoteShards:
		if !hasTable(s, func(t *spec.Table) bool { return t.Distributed != nil }) {
			return none("the schema has no distributed table with remote shards")
		}
	case ReleaseIgnoreCohort:
		found := false
		for _, r := range p.Roles {
			found = found || r.MinCohortSize > 0
		}
		if !found {
			return none("no role has a minimum cohort size for the release gate to ignore")
		}
	case ReleaseDropDisclosure:
		found := false
		for _, m := range p.Metrics {
			found = found || m.Sample > 0
		}
		if !found {
			return none("no metric is sampled: there is no estimate whose disclosure could be dropped")
		}
	case CompilerInnerJoinOptional:
		if !hasTable(s, func(t *spec.Table) bool {
			for _, fk := range t.ForeignKeys {
				if fk.Column != t.OwnerVia {
					return true
				}
			}
			return false
		}) {
			return none("no table has an optional reference (a foreign key other than its owner_via) to inner-join")
		}
	}
	return nil
}

func hasTable(s *spec.Schema, keep func(*spec.Table) bool) bool {
	for _, t := range s.Tables {
		if keep(t) {
			return true
		}
	}
	return false
}
