// Package uses is a fixture for TestOracleCallsOnlySpecDataAccessors: it
// calls one allowed spec accessor and two spec helpers the oracle must not
// use.
package uses

import "github.com/policystrata/policystrata/pipeline/spec"

// Uses touches spec.
func Uses(d *spec.Domain, q spec.SemanticQuery) bool {
	_ = d.Schema.Table("accounts")
	_ = q.Normalized()
	_, err := spec.ParseDate("2026-06-15")
	return err == nil
}
