package spec

// StateSettings configures the seeded database-state generator (state.yaml).
type StateSettings struct {
	Seed   uint64        `yaml:"seed"`
	Tables []*TableState `yaml:"tables"`
}

// TableState says how to fill one table: explicit rows, and optionally
// PerParent generated rows for every row of a parent table.
type TableState struct {
	Table     string                `yaml:"table"`
	PerParent *PerParent            `yaml:"per_parent"`
	Columns   map[string]*Generator `yaml:"columns"`
	// Rows are explicit rows appended after the generated ones (for edge
	// cases: transferred accounts, fiscal-boundary invoices, ...).
	Rows []map[string]any `yaml:"rows"`
	Line int              `yaml:"-"`
}

// PerParent generates between Min and Max rows for every row of the table
// that Column references.
type PerParent struct {
	Column string `yaml:"column"`
	Min    int    `yaml:"min"`
	Max    int    `yaml:"max"`
}

// Generator produces one column's values. Exactly one kind is set.
type Generator struct {
	Choice        []any    `yaml:"choice"`
	IntBetween    []int64  `yaml:"int_between"`
	Bool          *float64 `yaml:"bool"`
	DateBetween   []string `yaml:"date_between"`
	Boundaries    []string `yaml:"boundaries"`
	BoundaryShare float64  `yaml:"boundary_share"`
	Template      string   `yaml:"template"`
	Lookup        string   `yaml:"lookup"`
	RatioOf       *RatioOf `yaml:"ratio_of"`
	Ref           string   `yaml:"ref"`
	SameOwner     bool     `yaml:"same_owner"`
	// NullShare is the probability that the column is NULL instead.
	NullShare float64 `yaml:"null_share"`
	Line      int     `yaml:"-"`
}

// RatioOf derives an integer column as a random fraction of another column.
type RatioOf struct {
	Column string  `yaml:"column"`
	Min    float64 `yaml:"min"`
	Max    float64 `yaml:"max"`
}
