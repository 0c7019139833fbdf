package spec

import "github.com/policystrata/policystrata/pipeline/strictyaml"

// SurfaceOrder is the stack order of the six layers.
var SurfaceOrder = []string{"manifest", "grammar", "validator", "compiler", "database", "release"}

// Surfaces is a domain's surfaces.yaml: default versions, per-layer contracts
// and the ordered transition obligations.
type Surfaces struct {
	Versions              map[string]string    `yaml:"versions"`
	Contracts             map[string]*Contract `yaml:"contracts"`
	TransitionObligations []string             `yaml:"transition_obligations"`
	// Lines, VersionsLines, ContractsLines and TransitionObligationsLines
	// locate the file's keys, entries and items for messages.
	Lines                      map[string]int                   `yaml:"-"`
	VersionsLines              map[string]strictyaml.EntryLines `yaml:"-"`
	ContractsLines             map[string]strictyaml.EntryLines `yaml:"-"`
	TransitionObligationsLines []int                            `yaml:"-"`
}

// Contract is what one layer is responsible for and which obligations it
// accepts and emits.
type Contract struct {
	Mode               string   `yaml:"mode" json:"mode"`
	Responsibilities   []string `yaml:"responsibilities" json:"responsibilities"`
	AcceptsObligations []string `yaml:"accepts_obligations" json:"accepts_obligations"`
	EmitsObligations   []string `yaml:"emits_obligations" json:"emits_obligations"`
	// Line, Lines, AcceptsObligationsLines and EmitsObligationsLines locate
	// the contract, its keys and its obligations for messages.
	Line                    int            `yaml:"-" json:"-"`
	Lines                   map[string]int `yaml:"-" json:"-"`
	AcceptsObligationsLines []int          `yaml:"-" json:"-"`
	EmitsObligationsLines   []int          `yaml:"-" json:"-"`
}
