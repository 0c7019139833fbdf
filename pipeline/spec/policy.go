// Package spec holds the domain model shared by every stage as plain data:
// the canonical policy, the surface contracts, the schema with its foreign
// keys, the settings of the database-state generator, semantic queries and
// tasks. It loads a domain directory strictly (unknown fields are
// `path:line` errors) and validates it, and offers only pure data accessors
// (Table, Column, FK, SplitQualified, SortedKeys). What the data means —
// alias and join-path resolution, fan-out, ownership chains — is resolved
// elsewhere, twice and independently: by pipeline/resolve for the layers
// under test, and by pipeline/oracle for the reference.
package spec

// Policy is a domain's canonical reference policy (policy.yaml).
type Policy struct {
	Version string `yaml:"version"`
	// Dialect is the SQL dialect of metric expressions and dimension
	// columns: "duckdb" (the default when empty) or "clickhouse", whose
	// functions the engines provide as compatibility macros.
	Dialect string  `yaml:"dialect"`
	Tenancy Tenancy `yaml:"tenancy"`
	// CohortKey is the qualified column whose distinct values count the
	// population of a result group, for roles with a min_cohort_size. It
	// must be a column of every metric's table.
	CohortKey  string                `yaml:"cohort_key"`
	Calendar   Calendar              `yaml:"calendar"`
	Principals map[string]*Principal `yaml:"principals"`
	Roles      map[string]*Role      `yaml:"roles"`
	Metrics    map[string]*Metric    `yaml:"metrics"`
	Dimensions map[string]*Dimension `yaml:"dimensions"`
	// Lines holds the line of each top-level key (for messages).
	Lines map[string]int `yaml:"-"`
}

// Tenancy names where tenant ownership lives in the schema.
type Tenancy struct {
	// Table is the table whose primary key is the tenant id (e.g. tenants).
	Table string `yaml:"table"`
	// Column is the qualified current tenant column (e.g. accounts.tenant_id).
	Column string `yaml:"column"`
	// LegacyColumn is the qualified pre-migration tenant column, if any.
	LegacyColumn string `yaml:"legacy_column"`
	// LegacyKey is the qualified column of Table holding each tenant's legacy key.
	LegacyKey string `yaml:"legacy_key"`
	// Timezone, when set, is the qualified column of Table holding each
	// tenant's IANA time zone: time ranges and time buckets of timestamp
	// columns are then the tenant's local dates.
	Timezone string `yaml:"timezone"`
	// Lines holds the line of each key (for messages).
	Lines map[string]int `yaml:"-"`
}

// Calendar fixes the evaluation date and the fiscal calendar so time ranges
// resolve deterministically.
type Calendar struct {
	// AsOf is the evaluation date, YYYY-MM-DD.
	AsOf string `yaml:"as_of"`
	// FiscalMonthStartDay is the day of the calendar month on which each
	// fiscal month starts (1 means fiscal months are calendar months).
	FiscalMonthStartDay int `yaml:"fiscal_month_start_day"`
	// FiscalYearStartMonth is the calendar month (1-12) whose fiscal month
	// opens the fiscal year.
	FiscalYearStartMonth int `yaml:"fiscal_year_start_month"`
	// Lines holds the line of each key (for messages).
	Lines map[string]int `yaml:"-"`
}

// Principal is a caller: a role and the tenants it may read.
type Principal struct {
	ID        string   `yaml:"id"`
	Role      string   `yaml:"role"`
	TenantIDs []string `yaml:"tenant_ids"`
	Line      int      `yaml:"-"`
}

// Role is what a class of principals may ask for.
type Role struct {
	AllowedMetrics    []string `yaml:"allowed_metrics"`
	AllowedDimensions []string `yaml:"allowed_dimensions"`
	AllowedTimeRanges []string `yaml:"allowed_time_ranges"`
	MaxRows           int      `yaml:"max_rows"`
	MaxCost           int      `yaml:"max_cost"`
	AggregateOnly     bool     `yaml:"aggregate_only"`
	// MinCohortSize, when positive, is the fewest distinct cohort keys
	// (Policy.CohortKey) a result group must aggregate to be released.
	MinCohortSize int `yaml:"min_cohort_size"`
	Line          int `yaml:"-"`
}

// Metric is a governed measure. Expression is the SQL the compiler lowers;
// Aggregate, Measure, Where and TimeColumn are its declared semantics, which
// the oracle evaluates without reading Expression.
type Metric struct {
	Expression   string   `yaml:"expression"`
	Table        string   `yaml:"table"`
	Columns      []string `yaml:"columns"`
	AllowedRoles []string `yaml:"allowed_roles"`
	Aliases      []string `yaml:"aliases"`
	Grain        string   `yaml:"grain"`
	Cost         int      `yaml:"cost"`
	// Aggregate is one of sum, count, count_distinct, avg.
	Aggregate string `yaml:"aggregate"`
	// Measure is the qualified column aggregated.
	Measure string `yaml:"measure"`
	// Where is an optional qualified column that must be true, or equal
	// WhereEquals when that is set.
	Where string `yaml:"where"`
	// WhereEquals, when set, is the text value Where must equal.
	WhereEquals string `yaml:"where_equals"`
	// Sample, when positive, is the fraction 1/n of the table's rows (by its
	// sample_by key) the metric reads, scaled back by n: an estimate.
	Sample float64 `yaml:"sample"`
	// TimeColumn is the qualified date column time ranges apply to.
	TimeColumn string `yaml:"time_column"`
	Line       int    `yaml:"-"`
}

// Dimension is a governed grouping attribute.
type Dimension struct {
	// Column is the SQL expression the compiler lowers.
	Column       string   `yaml:"column"`
	AllowedRoles []string `yaml:"allowed_roles"`
	Sensitive    bool     `yaml:"sensitive"`
	Cost         int      `yaml:"cost"`
	// Source is the qualified column the value comes from; empty for time
	// buckets, which read the metric's time column.
	Source string `yaml:"source"`
	// Bucket, when set (month or day), makes this a time bucket of the
	// metric's time column. Column may use {time_column} and {timezone}
	// (the tenancy time zone column).
	Bucket string `yaml:"bucket"`
	Line   int    `yaml:"-"`
}

// CohortColumn is the result column holding each group's cohort size (its
// distinct cohort keys) for roles with a minimum cohort size.
const CohortColumn = "cohort_size"

// SQL dialects of a domain's expressions.
const (
	DialectDuckDB     = "duckdb"
	DialectClickHouse = "clickhouse"
)

// SQLDialect is the policy's dialect, DialectDuckDB when unset.
func (p *Policy) SQLDialect() string {
	if p.Dialect == "" {
		return DialectDuckDB
	}
	return p.Dialect
}
