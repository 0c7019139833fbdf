package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Decode decodes one trace_json value strictly (unknown fields are an
// error).
func Decode(line []byte) (*Trace, error) {
	var t Trace
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("invalid trace: %w", err)
	}
	return &t, nil
}
