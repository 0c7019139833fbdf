// Package run is the stage driver of a benchmark run: it validates the stage
// graph (freeze → source → evaluate → minimize → sinks), loads the database,
// runs the evaluate and minimize stages in a bounded worker pool and streams
// results, in task order, to the sinks of a run directory that appears only
// when complete (written under a temporary name, then renamed).
package run

import "fmt"

// Stage declares one step of the pipeline: what it needs and produces.
type Stage struct {
	Name     string
	Doc      string
	Needs    []string
	Produces string
}

// Stages is the benchmark pipeline.
var Stages = []Stage{
	{Name: "freeze", Doc: "hash the domain fixtures and suite", Produces: "manifest"},
	{Name: "source", Doc: "expand the suite into tasks, lazily, in file order", Needs: []string{"manifest"}, Produces: "tasks"},
	{Name: "state", Doc: "generate the seeded database state and load the engine", Needs: []string{"manifest"}, Produces: "database"},
	{Name: "evaluate", Doc: "run each task through the layer stack, oracle and blind detector", Needs: []string{"tasks", "database"}, Produces: "outcomes"},
	{Name: "minimize", Doc: "shrink each non-clean outcome to a witness by replay", Needs: []string{"outcomes", "database"}, Produces: "witnesses"},
	{Name: "sinks", Doc: "write traces (JSONL, Parquet), witnesses, summary and metadata in task order", Needs: []string{"outcomes", "witnesses"}, Produces: "run_dir"},
}

// ValidateStages checks that every need is produced by an earlier stage and
// that names and products are unique.
func ValidateStages(stages []Stage) error {
	produced := map[string]string{}
	names := map[string]bool{}
	for _, s := range stages {
		if names[s.Name] {
			return fmt.Errorf("stage %q declared twice", s.Name)
		}
		names[s.Name] = true
		for _, n := range s.Needs {
			if _, ok := produced[n]; !ok {
				return fmt.Errorf("stage %q needs %q, which no earlier stage produces", s.Name, n)
			}
		}
		if prev, dup := produced[s.Produces]; dup {
			return fmt.Errorf("stages %q and %q both produce %q", prev, s.Name, s.Produces)
		}
		produced[s.Produces] = s.Name
	}
	return nil
}
