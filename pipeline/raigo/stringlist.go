package raigo

import "go.yaml.in/yaml/v3"

// StringList is a list of strings that may also be written as one string.
type StringList []string

func (s *StringList) decodeNode(d *decoder, n *yaml.Node, where string) {
	switch {
	case isNull(n):
		*s = nil
	case n.Kind == yaml.ScalarNode:
		*s = StringList{n.Value}
	case n.Kind == yaml.SequenceNode:
		out := make(StringList, 0, len(n.Content))
		for i, c := range n.Content {
			c = d.deref(c)
			if c.Kind != yaml.ScalarNode || isNull(c) {
				d.errorf(c.Line, "%s[%d]: expected a string, got %s", where, i, nodeKind(c))
				continue
			}
			out = append(out, c.Value)
		}
		*s = out
	default:
		d.errorf(n.Line, "%sexpected a string or a list of strings, got %s", at(where), nodeKind(n))
	}
}
