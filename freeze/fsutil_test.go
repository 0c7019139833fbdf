package freeze

import "io/fs"

func readNames(fsys fs.FS) ([]string, error) {
	ents, err := fs.ReadDir(fsys, ".")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out, err
}

func readFile(fsys fs.FS, name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
