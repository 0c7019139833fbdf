package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
)

func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// DecodeInspect parses an inspect export.
func DecodeInspect(b []byte) ([]InspectSample, error) {
	var out []InspectSample
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var s InspectSample
		if err := strict(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if s.Metadata.Adapter != InspectAdapter {
			return nil, fmt.Errorf("line %d: adapter %q", line, s.Metadata.Adapter)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// DecodeBenchFlow parses a benchflow export.
func DecodeBenchFlow(b []byte) (*BenchFlowDoc, error) {
	var d BenchFlowDoc
	if err := strict(b, &d); err != nil {
		return nil, err
	}
	if d.Version != BenchFlowVersion {
		return nil, fmt.Errorf("version %q", d.Version)
	}
	return &d, nil
}

// DecodeEvidence parses a policystrata-json export.
func DecodeEvidence(b []byte) (*EvidenceDoc, error) {
	var d EvidenceDoc
	if err := strict(b, &d); err != nil {
		return nil, err
	}
	if d.Format != EvidenceFormat {
		return nil, fmt.Errorf("format %q", d.Format)
	}
	return &d, nil
}
