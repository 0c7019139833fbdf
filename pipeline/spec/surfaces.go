package spec

// SurfaceOrder is the stack order of the six layers.
var SurfaceOrder = []string{"manifest", "grammar", "validator", "compiler", "database", "release"}

// Surfaces is a domain's surfaces.yaml: default versions, per-layer contracts
// and the ordered transition obligations.
type Surfaces struct {
	Versions              map[string]string    `yaml:"versions"`
	Contracts             map[string]*Contract `yaml:"contracts"`
	TransitionObligations []string             `yaml:"transition_obligations"`
}

// Contract is what one layer is responsible for and which obligations it
// accepts and emits.
type Contract struct {
	Mode               string   `yaml:"mode" json:"mode"`
	Responsibilities   []string `yaml:"responsibilities" json:"responsibilities"`
	AcceptsObligations []string `yaml:"accepts_obligations" json:"accepts_obligations"`
	EmitsObligations   []string `yaml:"emits_obligations" json:"emits_obligations"`
}
