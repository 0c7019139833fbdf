package trace

// Counts are accounting counts for a group of traces.
type Counts struct {
	Tasks          int `json:"tasks"`
	Killed         int `json:"killed"`
	Survived       int `json:"survived"`
	Equivalent     int `json:"equivalent"`
	Invalid        int `json:"invalid"`
	CleanControls  int `json:"clean_controls"`
	FalsePositives int `json:"false_positives"`
	// FaultReached counts the mutants whose faulty layer's output differed
	// from the correct layer's on some state tried.
	FaultReached int `json:"fault_reached"`
	// EquivalenceProofs counts equivalents by proof kind.
	EquivalenceProofs map[string]int `json:"equivalence_proofs,omitempty"`
	// KillingStates counts survivors by the state that kills them.
	KillingStates map[string]int `json:"killing_states,omitempty"`
}

// Mutants counts the injected mutants: killed, survived and equivalent.
func (c *Counts) Mutants() int { return c.Killed + c.Survived + c.Equivalent }

func bump(m *map[string]int, k string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[k]++
}

func (c *Counts) add(t *Trace) {
	if t.FaultReached != nil && *t.FaultReached {
		c.FaultReached++
	}
	if p := t.EquivalenceProof; p != nil && t.AccountingStatus == Equivalent {
		bump(&c.EquivalenceProofs, p.Kind)
	}
	if k := t.KillingState; k != nil && t.AccountingStatus == Survived {
		bump(&c.KillingStates, k.Name)
	}
	c.Tasks++
	switch t.AccountingStatus {
	case Killed:
		c.Killed++
	case Survived:
		c.Survived++
	case Equivalent:
		c.Equivalent++
	case Invalid:
		c.Invalid++
	case CleanControl:
		c.CleanControls++
	case FalsePos:
		c.FalsePositives++
	}
}

// Summary is summary.json: the reference's fields (latency excluded: timings
// live in run.json so summaries compare byte for byte) plus per-operator and
// per-class breakdowns.
type Summary struct {
	Total          int     `json:"total"`
	Killed         int     `json:"killed"`
	Survived       int     `json:"survived"`
	Equivalent     int     `json:"equivalent"`
	Invalid        int     `json:"invalid"`
	CleanControls  int     `json:"clean_controls"`
	FalsePositives int     `json:"false_positives"`
	MutantKillRate float64 `json:"mutant_kill_rate"`
	// KillRateAllMutants is killed over every injected mutant (killed,
	// survived and equivalent), beside MutantKillRate's killed over killed
	// and survived.
	KillRateAllMutants float64 `json:"kill_rate_all_mutants"`
	// EquivalentShare is equivalent over every injected mutant.
	EquivalentShare float64 `json:"equivalent_share"`
	// FaultReachedRate is the share of injected mutants whose fault changed
	// their layer's output on some state tried.
	FaultReachedRate float64 `json:"fault_reached_rate"`
	// FaultReached, EquivalenceProofs and KillingStates total the
	// per-operator counts.
	FaultReached          int                `json:"fault_reached"`
	EquivalenceProofs     map[string]int     `json:"equivalence_proofs"`
	KillingStates         map[string]int     `json:"killing_states"`
	OverPermissiveRate    float64            `json:"over_permissive_rate"`
	OverRestrictiveRate   float64            `json:"over_restrictive_rate"`
	LoweringViolationRate float64            `json:"lowering_violation_rate"`
	SemanticDriftRate     float64            `json:"semantic_drift_rate"`
	UnsafeReleaseRate     float64            `json:"unsafe_release_rate"`
	ContainmentRate       float64            `json:"containment_rate"`
	LocalizationAccuracy  float64            `json:"localization_accuracy"`
	ExpectedClassAccuracy float64            `json:"expected_class_accuracy"`
	ContainmentAccuracy   float64            `json:"containment_accuracy"`
	MinimizedWitnessCount int                `json:"minimized_witness_count"`
	Cost                  Cost               `json:"cost"`
	ByOperator            map[string]*Counts `json:"by_operator"`
	ByClass               map[string]int     `json:"by_witness_class"`
	ByLocalizedSurface    map[string]int     `json:"by_localized_surface"`
	// Survivors lists the first MaxListedSurvivors surviving task ids.
	Survivors []string `json:"survivors"`
}

// MaxListedSurvivors bounds the survivor list of a summary (the count is
// always exact).
const MaxListedSurvivors = 1000

// Accumulator builds a Summary one trace at a time (constant memory apart
// from the survivor list).
type Accumulator struct {
	s                                Summary
	classes                          map[string]int
	contained, located, classed, ctn int
	mutants                          int
}

// NewAccumulator starts an empty summary.
func NewAccumulator() *Accumulator {
	return &Accumulator{
		s: Summary{ByOperator: map[string]*Counts{}, ByClass: map[string]int{}, ByLocalizedSurface: map[string]int{}, Survivors: []string{},
			EquivalenceProofs: map[string]int{}, KillingStates: map[string]int{}},
		classes: map[string]int{},
	}
}

// Add records one trace.
func (a *Accumulator) Add(t *Trace) {
	s := &a.s
	s.Total++
	c := s.ByOperator[t.Mutation]
	if c == nil {
		c = &Counts{}
		s.ByOperator[t.Mutation] = c
	}
	c.add(t)
	var total Counts
	total.add(t)
	s.FaultReached += total.FaultReached
	for k, n := range total.EquivalenceProofs {
		s.EquivalenceProofs[k] += n
	}
	for k, n := range total.KillingStates {
		s.KillingStates[k] += n
	}
	s.Killed += total.Killed
	s.Survived += total.Survived
	s.Equivalent += total.Equivalent
	s.Invalid += total.Invalid
	s.CleanControls += total.CleanControls
	s.FalsePositives += total.FalsePositives
	if t.AccountingStatus == Survived && len(s.Survivors) < MaxListedSurvivors {
		s.Survivors = append(s.Survivors, t.TaskID)
	}
	s.ByClass[t.WitnessClass]++
	if t.LocalizedSurface != "" {
		s.ByLocalizedSurface[t.LocalizedSurface]++
	}
	if t.ContainmentLayer != "" {
		a.contained++
	}
	if t.LocalizedSurface == t.ExpectedLocalizedSurface {
		a.located++
	}
	if t.WitnessClass == t.ExpectedWitnessClass {
		a.classed++
	}
	if t.ContainmentLayer == t.ExpectedContainmentLayer {
		a.ctn++
	}
	if t.WitnessPath != "" {
		s.MinimizedWitnessCount++
	}
	s.Cost.Estimated += t.Cost.Estimated
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Summary returns the finished summary.
func (a *Accumulator) Summary() Summary {
	s := a.s
	s.MutantKillRate = rate(s.Killed, s.Killed+s.Survived)
	mutants := s.Killed + s.Survived + s.Equivalent
	s.KillRateAllMutants = rate(s.Killed, mutants)
	s.EquivalentShare = rate(s.Equivalent, mutants)
	s.FaultReachedRate = rate(s.FaultReached, mutants)
	s.OverPermissiveRate = rate(s.ByClass["over_permissive"], s.Total)
	s.OverRestrictiveRate = rate(s.ByClass["over_restrictive"], s.Total)
	s.LoweringViolationRate = rate(s.ByClass["lowering_violation"], s.Total)
	s.SemanticDriftRate = rate(s.ByClass["semantic_drift"], s.Total)
	s.UnsafeReleaseRate = rate(s.ByClass["unsafe_release"], s.Total)
	s.ContainmentRate = rate(a.contained, s.Total)
	s.LocalizationAccuracy = rate(a.located, s.Total)
	s.ExpectedClassAccuracy = rate(a.classed, s.Total)
	s.ContainmentAccuracy = rate(a.ctn, s.Total)
	return s
}
