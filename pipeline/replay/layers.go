package replay

import (
	"encoding/json"

	"github.com/policystrata/policystrata/pipeline/observe"
)

// layerJSON is the JSON of one layer's whole output ("null" when the layer
// was not reached).
func layerJSON(l observe.Layers, surface string) string {
	b, _ := json.Marshal(l.Surface(surface))
	return string(b)
}
