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
	d := o.Domain()
	obs := observe.Observation{Principal: principal, Intent: q, Layers: layers}
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
	if layers.Database != nil {
		for _, p := range layers.Database.Probes {
			v.Owned[p.Table] = o.OwnedRows(p.Table, dec.Tenants)
		}
	}
	obs.Verdict = v
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
