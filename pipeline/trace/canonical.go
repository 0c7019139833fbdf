package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// CanonicalJSON renders v as pretty JSON with sorted keys, two-space indent
// and a trailing newline (the layout of every JSON document a run writes):
// the layout encoding/json gives v decoded into generic values (numbers
// kept as written) and encoded again with sorted keys. v is encoded once
// and its text re-laid (keys sorted, indented) without building generic
// values; text the re-layout cannot reproduce exactly (a duplicate key, a
// string with a replaced invalid byte) takes the decode-and-encode path.
func CanonicalJSON(v any) ([]byte, error) {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if out, ok := relayout(bytes.TrimSuffix(raw.Bytes(), []byte("\n"))); ok {
		return out, nil
	}
	return canonicalGeneric(raw.Bytes())
}

// canonicalGeneric is CanonicalJSON by decoding into generic values and
// encoding them again.
func canonicalGeneric(raw []byte) ([]byte, error) {
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CompactJSON renders v on one line without HTML escaping.
func CompactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// WriteCanonical writes v's canonical JSON to dir/name.
func WriteCanonical(dir, name string, v any) error {
	b, err := CanonicalJSON(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
