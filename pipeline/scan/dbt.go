package scan

// inspectDBT inspects the configured dbt semantic models (see dbtsemantic.go).
func (c *Checker) inspectDBT() ([]Finding, error) {
	return nil, nil
}
