package suites

import (
	"errors"
	"io/fs"
	"iter"
	"path"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Source is where a run's tasks come from: a seeded suite file or a
// generator. Tasks are produced lazily, in a fixed order.
type Source interface {
	SuiteName() string
	Count() int
	Tasks() iter.Seq[spec.Task]
	// Hash identifies the suite's content (file hash, or the hash of the
	// generator's name, count, seed and domain).
	Hash() string
	// Metadata is the suite's provenance record.
	Metadata() map[string]any
	// StateSeed seeds the database state the suite runs on.
	StateSeed() uint64
	// Params are the generator's count and seed (nil for seeded suites).
	Params() (count, seed *int)
}

// Open resolves a suite name for domain d: tasks/<name>.yaml when the
// domain has it, else one of the generators (count and seed 0 mean the
// generator's defaults; they are refused for seeded suites).
func Open(d *spec.Domain, name string, count, seed int) (Source, error) {
	if !spec.ValidID(name) {
		return nil, strictyaml.Errorf("--suite", 0, "%q is not a safe suite name", name)
	}
	_, err := fs.Stat(d.FS, path.Join("tasks", name+".yaml"))
	switch {
	case err == nil:
		if count != 0 || seed != 0 {
			return nil, strictyaml.Errorf("--suite", 0, "%s is a seeded suite file; --count and --seed apply to generated suites (%s)", name, strings.Join(GeneratorNames(), ", "))
		}
		return Load(d, name)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if _, ok := generators[name]; ok {
		return NewGenerated(d, name, count, seed)
	}
	return nil, strictyaml.Errorf("--suite", 0, "suite %q not found in domain %s (suite files: %s; generators: %s)",
		name, d.Name, strings.Join(fileSuites(d), ", "), strings.Join(GeneratorNames(), ", "))
}

func fileSuites(d *spec.Domain) []string {
	entries, _ := fs.ReadDir(d.FS, "tasks")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	return out
}
