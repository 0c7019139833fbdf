// Package measure takes the independent measurements the detector compares
// the layers against: the oracle's verdict for the task (canonical decision,
// capabilities, allowed columns, owned rows, reference answer) and the
// compiled SQL parsed by the engine and executed on the unrestricted base
// tables and on the oracle's tenant-restricted rows.
package measure

import (
	"context"
	"fmt"
	"sort"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Take builds the observation of one task from the layers' outputs.
func Take(ctx context.Context, sess db.Session, o *oracle.Oracle, principal string, q spec.SemanticQuery, layers observe.Layers) (observe.Observation, error) {
	obs := observe.Observation{Principal: principal, Intent: q, Layers: layers}
	var probed []string
	if layers.Database != nil {
		for _, p := range layers.Database.Probes {
			probed = append(probed, p.Table)
		}
	}
	v := Verdict(o, principal, q, probed)
	obs.Verdict = v
	dec := v.Decision
	if layers.Compiler != nil && layers.Compiler.SQL != "" {
		sql := layers.Compiler.SQL
		info, err := sess.Inspect(ctx, sql)
		if err != nil {
			return obs, fmt.Errorf("measure: %w", err)
		}
		obs.Measured.SQL = info
		// the measurements run the statement unrestricted: only one the
		// application session guard would run (a single read-only SELECT)
		if db.LiveRefusal(info) == "" {
			base, err := sess.Run(ctx, db.Exec{Mode: db.Base, SQL: sql})
			if err != nil {
				return obs, fmt.Errorf("measure: %w", err)
			}
			restricted, err := sess.Run(ctx, db.Exec{Mode: db.Oracle, Tenants: dec.Tenants, SQL: sql})
			if err != nil {
				return obs, fmt.Errorf("measure: %w", err)
			}
			obs.Measured.Base, obs.Measured.Restricted = &base, &restricted
		}
	}
	return obs, nil
}

// Verdict is the oracle's side of a task: the canonical decision and
// capabilities, the allowed columns, the reference answer and the rows the
// principal's tenants own of each probed table. It needs no database, so
// analysis re-derives it from a run's domain and state.
func Verdict(o *oracle.Oracle, principal string, q spec.SemanticQuery, probed []string) observe.Verdict {
	d := o.Domain()
	dec := o.Authorize(principal, q)
	v := observe.Verdict{Decision: dec, Capabilities: o.CapabilitiesFor(principal), Owned: map[string][]string{}, AllowedColumns: []string{},
		TenantColumn: d.Policy.Tenancy.Column, TenantColumns: o.TenantColumns()}
	if pr := d.Policy.Principals[principal]; pr != nil {
		for c := range o.AllowedColumns(pr.Role) {
			v.AllowedColumns = append(v.AllowedColumns, c)
		}
		sort.Strings(v.AllowedColumns)
	}
	if dec.Metric != "" && knownDims(d, q) {
		if ans, err := o.ReferenceFor(dec, q); err == nil {
			v.Reference = &ans
		}
	}
	for _, t := range probed {
		v.Owned[t] = o.OwnedRows(t, dec.Tenants)
	}
	return v
}

func knownDims(d *spec.Domain, q spec.SemanticQuery) bool {
	for _, dim := range q.Dimensions {
		if d.Policy.Dimensions[dim] == nil {
			return false
		}
	}
	for f := range q.Filters {
		if d.Policy.Dimensions[f] == nil {
			return false
		}
	}
	return spec.KnownTimeRange(q.TimeRange)
}
