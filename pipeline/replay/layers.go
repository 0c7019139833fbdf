package replay

import (
	"encoding/json"

	"github.com/policystrata/policystrata/pipeline/observe"
)

// layerJSON is the JSON of one layer's whole output ("null" when the layer
// was not reached).
func layerJSON(l observe.Layers, surface string) string {
	var v any
	switch surface {
	case "manifest":
		v = l.Manifest
	case "grammar":
		v = l.Grammar
	case "validator":
		v = l.Validator
	case "compiler":
		v = l.Compiler
	case "database":
		v = l.Database
	case "release":
		v = l.Release
	}
	b, _ := json.Marshal(v)
	return string(b)
}
