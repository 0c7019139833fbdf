package run

import (
	"fmt"
	"path"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// checkPrincipalTenants reports a principal whose tenant ids name no row
// of the tenancy table in the generated state: such a principal reads
// nothing on every layer, so every task of it would measure nothing.
func checkPrincipalTenants(d *spec.Domain, st *state.State) error {
	t := st.Table(d.Policy.Tenancy.Table)
	if t == nil {
		return nil
	}
	ids := map[string]bool{}
	for _, r := range t.Rows {
		ids[fmt.Sprint(r[t.PK])] = true
	}
	for _, id := range spec.SortedKeys(d.Policy.Principals) {
		pr := d.Policy.Principals[id]
		for _, tid := range pr.TenantIDs {
			if !ids[tid] {
				return strictyaml.Errorf(path.Join(d.Label, "policy.yaml"), pr.Line,
					"principal %s: tenant %q is not a row of %s in the generated state", id, tid, t.Name)
			}
		}
	}
	return nil
}
