package freeze

import (
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func domainsLoad(name string) (*spec.Domain, error) { return domains.Load(name) }
